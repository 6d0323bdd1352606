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
  const lost = new Set<string>();
  const kept: Prepared[] = [];
  // Writes first: on SQLite the write lock is taken before anything is read.
  for (const p of prepared) {
    const r = await tx.scanItem.updateMany({ where: { id: p.item.itemId, leaseOwner: p.item.owner, state: 'running' }, data: itemFinishData(p.item.result) });
    if (r.count === 1) kept.push(p);
    else lost.add(p.item.itemId);
  }
  const runs = kept.flatMap((p) => (p.run ? [p.run] : []));

  const imageIds = await ensureImages(tx, runs.flatMap((r) => (r.image ? [r.image] : [])));
  const certificateIds = await ensureCertificates(tx, runs.flatMap((r) => r.evidence.flatMap((e) => (e.certificate ? [e.certificate] : []))));
  const imageIdOf = (r: NonNullable<Prepared['run']>) => (r.image ? imageIds.get(imageKey(r.image.key))! : null);

  const signatures = runs.flatMap((r) => {
    const imageId = imageIdOf(r);
    if (!imageId) return [];
    return r.evidence.map((e) => ({ ...e.signature, imageId, certificateId: e.certificate ? certificateIds.get(e.certificate.fingerprintSha256)! : null }));
  });
  const signatureIds = await ensureSignatures(tx, signatures);

  if (runs.length > 0) {
    await tx.verificationRun.createMany({
      data: runs.map((r) => ({
      ...r.row,
      status: r.finish.status,
      errorCode: r.finish.errorCode,
      errorMessage: r.finish.errorMessage,
      summary: r.finish.summary,
      imageId: imageIdOf(r),
      tag: r.finish.tag,
      createdAt: r.finish.createdAt,
      finishedAt: r.finish.finishedAt,
      })),
    });
  }
  const observations = [
    ...runs.flatMap((r) => (r.tagObservation && imageIdOf(r) ? [{ imageId: imageIdOf(r)!, tag: r.tagObservation.tag, digest: r.tagObservation.digest }] : [])),
    ...kept.flatMap((p) => (p.item.observation ? [p.item.observation] : [])),
  ];
  if (observations.length > 0) await tx.tagObservation.createMany({ data: observations });
  const results = runs.flatMap((r) => {
    const imageId = imageIdOf(r);
    return r.evidence.map((e) => ({ ...e.result, signatureId: imageId ? signatureIds.get(signatureKey({ ...e.signature, imageId }))! : null }));
  });
  if (results.length > 0) await tx.signatureResult.createMany({ data: results });
  return { lost };
}

type ImageRows = ReturnType<typeof imageRowData>;
const imageKey = (k: ImageRows['key']) => `${k.registry}\n${k.repository}\n${k.digest}`;

/** Ids of the images, creating those not stored yet (an existing row is never changed). */
async function ensureImages(tx: Db, images: ImageRows[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (images.length === 0) return ids;
  const unique = [...new Map(images.map((i) => [imageKey(i.key), i])).values()];
  const found = await tx.image.findMany({ where: { OR: unique.map((i) => i.key) }, select: { id: true, registry: true, repository: true, digest: true } });
  for (const f of found) ids.set(imageKey(f), f.id);
  const missing = unique.filter((i) => !ids.has(imageKey(i.key))).map((i) => ({ ...i.data, id: newId() }));
  if (missing.length > 0) await tx.image.createMany({ data: missing });
  for (const m of missing) ids.set(imageKey(m), m.id);
  return ids;
}

async function ensureCertificates(tx: Db, certificates: Array<ReturnType<typeof certificateRowData>>): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (certificates.length === 0) return ids;
  const unique = [...new Map(certificates.map((c) => [c.fingerprintSha256, c])).values()];
  const found = await tx.certificate.findMany({ where: { fingerprintSha256: { in: unique.map((c) => c.fingerprintSha256) } }, select: { id: true, fingerprintSha256: true } });
  for (const f of found) ids.set(f.fingerprintSha256, f.id);
  const missing = unique.filter((c) => !ids.has(c.fingerprintSha256)).map((c) => ({ ...c, id: newId() }));
  if (missing.length > 0) await tx.certificate.createMany({ data: missing });
  for (const m of missing) ids.set(m.fingerprintSha256, m.id);
  return ids;
}

type SignatureRow = Omit<ReturnType<typeof signatureRowData>['data'], 'certificateId'> & { certificateId: string | null };
const signatureKey = (s: { imageId: string; layerDigest: string; payloadDigest: string; materialDigest: string }) => `${s.imageId}\n${s.layerDigest}\n${s.payloadDigest}\n${s.materialDigest}`;

/** Ids of the signatures by key; a re-discovered signature keeps its row unchanged. */
async function ensureSignatures(tx: Db, signatures: SignatureRow[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (signatures.length === 0) return ids;
  const unique = [...new Map(signatures.map((s) => [signatureKey(s), s])).values()];
  const found = await tx.signature.findMany({
    where: { imageId: { in: [...new Set(unique.map((s) => s.imageId))] } },
    select: { id: true, imageId: true, layerDigest: true, payloadDigest: true, materialDigest: true },
  });
  for (const f of found) ids.set(signatureKey(f), f.id);
  const missing = unique.filter((s) => !ids.has(signatureKey(s))).map((s) => ({ ...s, id: newId() }));
  if (missing.length > 0) await tx.signature.createMany({ data: missing });
  for (const m of missing) ids.set(signatureKey(m), m.id);
  return ids;
}

function isUniqueViolation(e: unknown): boolean {
  for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) {
    if (typeof c === 'object' && (c as { code?: unknown }).code === 'P2002') return true;
  }
  return false;
}
