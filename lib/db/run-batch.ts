/**
 * Stores many finished scan items at once: each item's finish and, for an image, its
 * whole run (image, tag observation, certificates, signatures, results) in one
 * transaction per batch. Stored one at a time, a run costs about eighteen statements;
 * batched, a few per image, which is what lets a scan keep up with the registry.
 *
 * It is also what makes an item exactly-once: the item becomes done and its run appears
 * in the same commit, or neither does (a worker dying before the commit leaves its items
 * leased, and whoever takes them over verifies again). An item this owner no longer holds
 * (its lease expired and another worker took it) is skipped, run and all.
 *
 * The rows are the ones the one-at-a-time path writes (lib/db/runs.ts builds both).
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { describeError } from '../errors';
import type { Db } from './client';
import { Prisma } from './generated/client';
import { insertRows, isUniqueViolation, selectIn } from './sql-rows';
import {
  certificateRowData,
  dbCall,
  finishRowData,
  finishRun,
  imageRowData,
  recordTagObservation,
  runRowData,
  signatureRowData,
  upsertCertificate,
  upsertImage,
  upsertSignature,
  type CertificateInput,
  type CreateRunInput,
  type FinishRunInput,
  type ImageInput,
  type SignatureInput,
  type SignatureResultInput,
} from './runs';
import { itemFinishData, type ItemResult } from './scans';

/** A finished run as it will be stored, before any row exists. */
export interface RunWrite {
  run: CreateRunInput & { id: string; startedAt: Date };
  finish: Omit<FinishRunInput, 'imageId' | 'results'> & { finishedAt: Date };
  image?: ImageInput;
  /** "This tag pointed at this digest" (the run's image). */
  tagObservation?: { tag: string; digest: string };
  evidence: Array<{
    certificate?: CertificateInput;
    signature: Omit<SignatureInput, 'imageId' | 'certificateId'>;
    result: Omit<SignatureResultInput, 'signatureId'>;
  }>;
}

export interface ItemWrite {
  itemId: string;
  owner: string;
  result: ItemResult;
  run?: RunWrite;
  /** A tag observation for an image already stored (a reused verdict whose tag moved). */
  observation?: { imageId: string; tag: string; digest: string };
}

const newId = () => randomBytes(12).toString('hex');

/**
 * Stores one run created earlier (createRun), row by row: single verifications from the
 * CLI and the dashboard, whose run exists from the start so even a failure is recorded.
 * Returns the image's id.
 */
export async function writeRun(db: Db, runId: string, w: Omit<RunWrite, 'run'>): Promise<string | null> {
  const image = w.image ? await upsertImage(db, w.image) : null;
  const results: SignatureResultInput[] = [];
  if (image) {
    if (w.tagObservation) await recordTagObservation(db, image.id, w.tagObservation.tag, w.tagObservation.digest);
    for (const e of w.evidence) {
      const certificateId = e.certificate ? (await upsertCertificate(db, e.certificate)).id : null;
      const sig = await upsertSignature(db, { ...e.signature, imageId: image.id, certificateId });
      results.push({ ...e.result, signatureId: sig.id });
    }
  }
  const { finishedAt: _f, ...finish } = w.finish;
  await finishRun(db, runId, { ...finish, results, imageId: image?.id ?? null });
  return image?.id ?? null;
}
const UNIQUE_RACE_RETRIES = 3;

/**
 * Writes the batch; returns the ids of items this owner no longer held (nothing of
 * theirs was written). A run whose values do not validate is stored as an error run
 * saying why, so one bad run never loses the batch.
 */
export async function writeItems(db: Db, writes: readonly ItemWrite[]): Promise<{ lost: Set<string> }> {
  const prepared = writes.map(prepare);
  for (let attempt = 1; ; attempt++) {
    try {
      return await dbCall('Storing scan results', () => db.$transaction((tx) => writeAll(tx as unknown as Db, prepared), { maxWait: 20_000, timeout: 60_000 }), db);
    } catch (e) {
      // Another worker stored the same image or certificate between our read and our insert:
      // the transaction rolled back; the next attempt finds its row.
      if (attempt >= UNIQUE_RACE_RETRIES || !isUniqueViolation(e)) throw e;
    }
  }
}

interface Prepared {
  item: ItemWrite;
  run?: {
    row: ReturnType<typeof runRowData> & { id: string };
    finish: ReturnType<typeof finishRowData> & { status: string; errorCode: string | null; errorMessage: string | null; tag: string | null; finishedAt: Date; createdAt: Date };
    image?: ReturnType<typeof imageRowData>;
    tagObservation?: { tag: string; digest: string };
    evidence: Array<{ certificate?: ReturnType<typeof certificateRowData>; signature: Omit<ReturnType<typeof signatureRowData>['data'], 'imageId' | 'certificateId'>; result: ReturnType<typeof finishRowData>['results'][number] }>;
  };
}

function prepare(item: ItemWrite): Prepared {
  const w = item.run;
  if (!w) return { item };
  const row = { ...runRowData(w.run), id: w.run.id };
  try {
    const finish = finishRowData(w.run.id, { ...w.finish, results: w.evidence.map((e) => e.result) });
    return {
      item,
      run: {
        row,
        finish: { ...finish, status: w.finish.status, errorCode: w.finish.errorCode ?? null, errorMessage: w.finish.errorMessage ?? null, tag: w.finish.tag ?? null, finishedAt: w.finish.finishedAt, createdAt: w.run.startedAt },
        ...(w.image ? { image: imageRowData(w.image) } : {}),
        ...(w.tagObservation ? { tagObservation: w.tagObservation } : {}),
        evidence: w.evidence.map((e, i) => {
          // The image id is not known yet; validate with a placeholder and drop it.
          const { imageId: _i, certificateId: _c, ...signature } = signatureRowData({ ...e.signature, imageId: 'pending' }).data;
          return { ...(e.certificate ? { certificate: certificateRowData(e.certificate) } : {}), signature, result: finish.results[i]! };
        }),
      },
    };
  } catch (e) {
    const message = `the verification finished but its result could not be stored: ${describeError(e)}`;
    const finish = finishRowData(w.run.id, { status: 'error', summary: { text: `Error: ${message}` }, results: [] });
    return {
      item: { ...item, result: { ...item.result, state: 'error', outcome: 'error', errorCode: 'DATABASE', errorMessage: message } },
      run: { row, finish: { ...finish, status: 'error', errorCode: 'DATABASE', errorMessage: message, tag: null, finishedAt: w.finish.finishedAt, createdAt: w.run.startedAt }, evidence: [] },
    };
  }
}

async function writeAll(tx: Db, prepared: readonly Prepared[]): Promise<{ lost: Set<string> }> {
  // Writes first: on SQLite the write lock is taken before anything is read.
  const held = await finishItems(tx, prepared.map((p) => p.item));
  const lost = new Set<string>();
  const kept: Prepared[] = [];
  for (const p of prepared) {
    if (held.has(p.item.itemId)) kept.push(p);
    else lost.add(p.item.itemId);
  }
  const runs = kept.flatMap((p) => (p.run ? [p.run] : []));
  const now = new Date();

  const imageIds = await ensureImages(tx, runs.flatMap((r) => (r.image ? [r.image] : [])), now);
  const certificateIds = await ensureCertificates(tx, runs.flatMap((r) => r.evidence.flatMap((e) => (e.certificate ? [e.certificate] : []))), now);
  const imageIdOf = (r: NonNullable<Prepared['run']>) => (r.image ? imageIds.get(imageKey(r.image.key))! : null);

  const signatures = runs.flatMap((r) => {
    const imageId = imageIdOf(r);
    if (!imageId) return [];
    return r.evidence.map((e) => ({ ...e.signature, imageId, certificateId: e.certificate ? certificateIds.get(e.certificate.fingerprintSha256)! : null }));
  });
  const signatureIds = await ensureSignatures(tx, signatures, now);

  await insertRows(tx, 'VerificationRun', RUN_COLUMNS, runs.map((r) => ({
    ...r.row,
    status: r.finish.status,
    errorCode: r.finish.errorCode,
    errorMessage: r.finish.errorMessage,
    summary: r.finish.summary,
    imageId: imageIdOf(r),
    tag: r.finish.tag,
    createdAt: r.finish.createdAt,
    finishedAt: r.finish.finishedAt,
  })));
  const observations = [
    ...runs.flatMap((r) => (r.tagObservation && imageIdOf(r) ? [{ imageId: imageIdOf(r)!, tag: r.tagObservation.tag, digest: r.tagObservation.digest }] : [])),
    ...kept.flatMap((p) => (p.item.observation ? [p.item.observation] : [])),
  ];
  await insertRows(tx, 'TagObservation', ['id', 'imageId', 'tag', 'digest', 'observedAt'], observations.map((o) => ({ ...o, id: newId(), observedAt: now })));
  const results = runs.flatMap((r) => {
    const imageId = imageIdOf(r);
    return r.evidence.map((e) => ({ ...e.result, id: newId(), signatureId: imageId ? signatureIds.get(signatureKey({ ...e.signature, imageId }))! : null }));
  });
  await insertRows(tx, 'SignatureResult', RESULT_COLUMNS, results);
  return { lost };
}

// Every column of each table, named: a default the database would fill in is not Prisma's.
const RUN_COLUMNS = ['id', 'createdAt', 'finishedAt', 'input', 'imageId', 'tag', 'status', 'errorCode', 'errorMessage', 'policy', 'policyVersionId', 'policyHash', 'trustRootName', 'trustRootHash', 'source', 'summary', 'scanId'];
const RESULT_COLUMNS = ['id', 'runId', 'signatureId', 'verdict', 'reasonCode', 'reason', 'checks', 'identity', 'oidcIssuer', 'platform'];
const IMAGE_COLUMNS = ['id', 'registry', 'repository', 'digest', 'mediaType', 'platforms', 'firstSeenAt'];
const CERTIFICATE_COLUMNS = ['id', 'fingerprintSha256', 'pem', 'subject', 'issuer', 'identity', 'oidcIssuer', 'notBefore', 'notAfter', 'extensions', 'firstSeenAt'];
const SIGNATURE_COLUMNS = ['id', 'imageId', 'kind', 'source', 'layerDigest', 'payloadDigest', 'materialDigest', 'signatureB64', 'format', 'artifactType', 'predicateType', 'statement', 'certificateId', 'publicKeyFingerprint', 'identity', 'oidcIssuer', 'rekorLogIndex', 'rekorLogId', 'rekorIntegratedTime', 'firstSeenAt'];

type ImageRows = ReturnType<typeof imageRowData>;
const imageKey = (k: ImageRows['key']) => `${k.registry}\n${k.repository}\n${k.digest}`;

/** Ids of the images, creating those not stored yet (an existing row is never changed). */
async function ensureImages(tx: Db, images: ImageRows[], now: Date): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (images.length === 0) return ids;
  const unique = [...new Map(images.map((i) => [imageKey(i.key), i])).values()];
  const found = await selectIn<{ id: string; registry: string; repository: string; digest: string }>(tx, 'Image', ['id', 'registry', 'repository', 'digest'], 'digest', unique.map((i) => i.key.digest));
  for (const f of found) ids.set(imageKey(f), f.id);
  const missing = unique.filter((i) => !ids.has(imageKey(i.key))).map((i) => ({ ...i.data, id: newId(), firstSeenAt: now }));
  await insertRows(tx, 'Image', IMAGE_COLUMNS, missing);
  for (const m of missing) ids.set(imageKey(m), m.id);
  return ids;
}

async function ensureCertificates(tx: Db, certificates: Array<ReturnType<typeof certificateRowData>>, now: Date): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (certificates.length === 0) return ids;
  const unique = [...new Map(certificates.map((c) => [c.fingerprintSha256, c])).values()];
  const found = await selectIn<{ id: string; fingerprintSha256: string }>(tx, 'Certificate', ['id', 'fingerprintSha256'], 'fingerprintSha256', unique.map((c) => c.fingerprintSha256));
  for (const f of found) ids.set(f.fingerprintSha256, f.id);
  const missing = unique.filter((c) => !ids.has(c.fingerprintSha256)).map((c) => ({ ...c, id: newId(), firstSeenAt: now }));
  await insertRows(tx, 'Certificate', CERTIFICATE_COLUMNS, missing);
  for (const m of missing) ids.set(m.fingerprintSha256, m.id);
  return ids;
}

type SignatureRow = Omit<ReturnType<typeof signatureRowData>['data'], 'certificateId'> & { certificateId: string | null };
const signatureKey = (s: { imageId: string; layerDigest: string; payloadDigest: string; materialDigest: string }) => `${s.imageId}\n${s.layerDigest}\n${s.payloadDigest}\n${s.materialDigest}`;

/** Ids of the signatures by key; a re-discovered signature keeps its row unchanged. */
async function ensureSignatures(tx: Db, signatures: SignatureRow[], now: Date): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (signatures.length === 0) return ids;
  const unique = [...new Map(signatures.map((s) => [signatureKey(s), s])).values()];
  const found = await selectIn<{ id: string; imageId: string; layerDigest: string; payloadDigest: string; materialDigest: string }>(
    tx, 'Signature', ['id', 'imageId', 'layerDigest', 'payloadDigest', 'materialDigest'], 'imageId', unique.map((s) => s.imageId),
  );
  for (const f of found) ids.set(signatureKey(f), f.id);
  const missing = unique.filter((s) => !ids.has(signatureKey(s))).map((s) => ({ ...s, id: newId(), firstSeenAt: now }));
  await insertRows(tx, 'Signature', SIGNATURE_COLUMNS, missing);
  for (const m of missing) ids.set(signatureKey(m), m.id);
  return ids;
}

/** Rows per item-finish statement: far below SQLite's and PostgreSQL's bound-parameter limits. */
const FINISH_CHUNK = 500;

/**
 * Finishes the items this owner still holds, in one UPDATE … FROM (VALUES …) per owner,
 * `reused` flag and chunk instead of one Prisma call per item (each costs ~0.7 ms of CPU
 * in the query compiler and driver, as much as verifying a key-signed image: bench/scan.ts).
 * Hand-written SQL, kept to what SQLite and PostgreSQL read alike: quoted identifiers, the
 * per-item values all text (no casts needed), the shared Date and boolean bound as
 * parameters, which both drivers store exactly as Prisma's own writes do (run-batch.test.ts).
 * Returns the ids it finished.
 */
async function finishItems(tx: Db, items: readonly ItemWrite[]): Promise<Set<string>> {
  const finished = new Set<string>();
  const groups = new Map<string, Array<{ id: string; data: ReturnType<typeof itemFinishData> }>>();
  for (const item of items) {
    const data = itemFinishData(item.result);
    const key = `${data.reused}\n${item.owner}`;
    const group = groups.get(key) ?? [];
    group.push({ id: item.itemId, data });
    groups.set(key, group);
  }
  const finishedAt = new Date();
  for (const [key, group] of groups) {
    const owner = key.slice(key.indexOf('\n') + 1);
    const reused = group[0]!.data.reused;
    for (let i = 0; i < group.length; i += FINISH_CHUNK) {
      const values = group.slice(i, i + FINISH_CHUNK).map(({ id, data: d }) =>
        Prisma.sql`(${id}, ${d.state}, ${d.outcome}, ${d.digest ?? null}, ${d.previousDigest}, ${d.runId ?? null}, ${d.errorCode}, ${d.errorMessage})`,
      );
      const rows = await tx.$queryRaw<Array<{ id: string }>>`
        UPDATE "ScanItem" SET
          "state" = v.column2, "outcome" = v.column3,
          "digest" = COALESCE(v.column4, "ScanItem"."digest"), "previousDigest" = v.column5,
          "runId" = COALESCE(v.column6, "ScanItem"."runId"), "errorCode" = v.column7, "errorMessage" = v.column8,
          "reused" = ${reused}, "leaseUntil" = NULL, "finishedAt" = ${finishedAt}
        FROM (VALUES ${Prisma.join(values)}) AS v
        WHERE "ScanItem"."id" = v.column1 AND "ScanItem"."leaseOwner" = ${owner} AND "ScanItem"."state" = 'running'
        RETURNING "ScanItem"."id"`;
      for (const r of rows) finished.add(r.id);
    }
  }
  return finished;
}
