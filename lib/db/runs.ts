/**
 * Data access for verification history: what the dashboard and the CLI call.
 * Every function takes the client first (`await getDb()`, or a test client).
 *
 * History is append-only:
 * - images, certificates and signatures are content-addressed: "upsert" returns
 *   the existing row unchanged when it is already known (never mutates it), and
 *   concurrent upserts of the same thing converge on one row;
 * - each tag observation and each run is a new row;
 * - a run is created 'running' and finished exactly once (finishRun refuses a
 *   finished run), its SignatureResults written in the same transaction.
 *
 * JSON-text columns come back parsed and validated (./types.ts); a corrupt row
 * raises SigscopeError('DATABASE') naming it. Other database failures are
 * wrapped in SigscopeError('DATABASE') too.
 */
import 'server-only';
import { SigscopeError, isSigscopeError } from '../errors';
import type { Db } from './client';
import type {
  Certificate as CertificateRow,
  Image as ImageRow,
  Signature as SignatureRow,
  SignatureResult as SignatureResultRow,
  TagObservation,
  VerificationRun as RunRow,
} from './generated/client';
import {
  CertificateExtensionsSchema,
  ChecksSchema,
  PlatformsSchema,
  PolicyJsonSchema,
  RunSourceSchema,
  SignatureKindSchema,
  StoredRunStatusSchema,
  SummarySchema,
  VerdictSchema,
  RUN_STATUSES,
  parseEnumColumn,
  parseJsonColumn,
  toJsonColumn,
  type CertificateExtensions,
  type Check,
  type Platform,
  type PolicyJson,
  type RunSource,
  type RunStatus,
  type RunSummary,
  type SignatureKind,
  type StoredRunStatus,
  type Verdict,
} from './types';

export type { TagObservation };

// ---------------------------------------------------------------------------
// Records returned (rows with JSON columns parsed and value sets typed)

export type ImageRecord = Omit<ImageRow, 'platforms'> & { platforms: Platform[] };
export type CertificateRecord = Omit<CertificateRow, 'extensions'> & { extensions: CertificateExtensions };
export type SignatureRecord = Omit<SignatureRow, 'kind'> & { kind: SignatureKind };
export type SignatureWithCertificate = SignatureRecord & { certificate: CertificateRecord | null };
export type RunRecord = Omit<RunRow, 'status' | 'source' | 'policy' | 'summary'> & {
  status: StoredRunStatus;
  source: RunSource;
  policy: PolicyJson;
  summary: RunSummary;
};
export type SignatureResultRecord = Omit<SignatureResultRow, 'verdict' | 'checks'> & { verdict: Verdict; checks: Check[] };

export type ImageSummary = Pick<ImageRecord, 'id' | 'registry' | 'repository' | 'digest'>;
export type RunListItem = RunRecord & { image: ImageSummary | null; resultCount: number };
export type RunDetail = RunRecord & {
  image: ImageRecord | null;
  results: Array<SignatureResultRecord & { signature: SignatureWithCertificate | null }>;
};
export type ImageDetail = ImageRecord & {
  tagObservations: TagObservation[];
  signatures: SignatureWithCertificate[];
  runs: Array<RunRecord & { resultCount: number }>;
};
export type ImageListItem = ImageRecord & {
  latestRun: Pick<RunRecord, 'id' | 'status' | 'createdAt' | 'finishedAt'> | null;
  latestTag: Pick<TagObservation, 'tag' | 'observedAt'> | null;
  runCount: number;
  signatureCount: number;
};

// ---------------------------------------------------------------------------
// Inputs

export interface ImageInput {
  registry: string;
  repository: string;
  /** sha256:<hex> of the manifest or index. */
  digest: string;
  mediaType: string;
  /** Platform manifests of an index; [] for a single manifest. */
  platforms: Platform[];
}

/**
 * A decoded certificate (lib/x509's DecodedCertificate fits). Fields other than
 * those below are kept in `extensions` unless `extensions` is given.
 */
export interface CertificateInput {
  /** SHA-256 of the DER, hex (colons and case are normalized). */
  fingerprintSha256: string;
  pem: string;
  subject: string;
  issuer: string;
  identity?: string | null;
  oidcIssuer?: string | null;
  notBefore: Date | string;
  notAfter: Date | string;
  extensions?: Record<string, unknown>;
}

export interface SignatureInput {
  imageId: string;
  kind: SignatureKind;
  /** Where it was found, e.g. "sha256-<hex>.sig@sha256:<layer>". */
  source: string;
  layerDigest: string;
  payloadDigest: string;
  /** sha256 of the signature material (signature, certificate, chain, Rekor annotation…): two signers of one payload are two rows. */
  materialDigest: string;
  signatureB64: string;
  format?: string;
  artifactType?: string | null;
  predicateType?: string | null;
  /** JSON text of the in-toto statement; dropped (null) when above MAX_STATEMENT_CHARS. */
  statement?: string | null;
  certificateId?: string | null;
  publicKeyFingerprint?: string | null;
  identity?: string | null;
  oidcIssuer?: string | null;
  rekorLogIndex?: bigint | number | string | null;
  rekorLogId?: string | null;
  /** A Date, an ISO string, or Unix seconds (Rekor's unit). */
  rekorIntegratedTime?: Date | string | number | null;
}

export interface CreateRunInput {
  /** The reference exactly as the user typed it. */
  input: string;
  source: RunSource;
  policy: PolicyJson;
  policyHash: string;
  trustRootName: string;
  trustRootHash: string;
  imageId?: string | null;
  tag?: string | null;
  /** The stored policy version that applied (a named policy), if any. */
  policyVersionId?: string | null;
  /** The scan that made this run, if any. */
  scanId?: string | null;
  /** An id chosen beforehand (a scan records it on its item first, so a crash in between leaves no unknown run). */
  id?: string;
}

export interface SignatureResultInput {
  signatureId?: string | null;
  verdict: Verdict;
  reasonCode?: string | null;
  reason?: string | null;
  checks: Check[];
  identity?: string | null;
  oidcIssuer?: string | null;
  /** e.g. "linux/arm64/v8" when the signature applies to a platform manifest. */
  platform?: string | null;
}

export interface FinishRunInput {
  status: RunStatus;
  errorCode?: string | null;
  errorMessage?: string | null;
  summary: RunSummary;
  results: SignatureResultInput[];
  /** Set when the image was resolved after the run was created (only if the run has none yet). */
  imageId?: string | null;
  tag?: string | null;
}

/** Statements above this are not kept (an SBOM can be large); the verdict still is. */
export const MAX_STATEMENT_CHARS = 4 * 1024 * 1024;

// ---------------------------------------------------------------------------
// Helpers

export async function dbCall<T>(what: string, fn: () => Promise<T>, db?: Db): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isSigscopeError(e)) throw e;
    const message = e instanceof Error ? e.message.trim().split('\n').filter(Boolean).slice(-1)[0] ?? e.message : String(e);
    // SQLite's busy timeout surfaces from the driver as a bare "Operation has timed out" or SQLITE_BUSY.
    if (/SQLITE_BUSY|database is locked|operation has timed out/i.test(message)) {
      // A statement that failed on the busy timeout stays "in progress" on its pooled
      // connection, and later writes on that connection are never committed (runs
      // silently lost). Dropping the client's connections discards it; Prisma reconnects
      // on the next query.
      if (db) await db.$disconnect().catch(() => undefined);
      throw new SigscopeError('DATABASE', `${what} failed: the database is locked by another writer and stayed locked past the busy timeout (${message}); nothing was written — retry once the other process has finished`, { cause: e, details: { locked: true } });
    }
    throw new SigscopeError('DATABASE', `${what} failed: ${message}`, { cause: e });
  }
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'P2002';
}

/** Find, else create; when a concurrent writer wins the race, return its row. */
async function findOrCreate<T>(find: () => Promise<T | null>, create: () => Promise<T>): Promise<T> {
  const existing = await find();
  if (existing) return existing;
  try {
    return await create();
  } catch (e) {
    if (isUniqueViolation(e)) {
      const winner = await find();
      if (winner) return winner;
    }
    throw e;
  }
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SigscopeError('INVALID_INPUT', `Cannot store ${field}: expected a non-empty string.`);
  }
  return value;
}

function toDate(value: Date | string | number, field: string): Date {
  const d = value instanceof Date ? value : typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(d.getTime())) throw new SigscopeError('INVALID_INPUT', `Cannot store ${field}: ${String(value)} is not a date.`);
  return d;
}

function toLogIndex(value: bigint | number | string): bigint {
  if (typeof value === 'bigint') {
    if (value >= 0n) return value;
  } else if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  } else if (/^\d+$/.test(value)) {
    return BigInt(value);
  }
  throw new SigscopeError('INVALID_INPUT', `Cannot store rekorLogIndex: ${String(value)} is not a non-negative integer.`);
}

function normalizeFingerprint(fp: string): string {
  const hex = fp.replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new SigscopeError('INVALID_INPUT', `Cannot store certificate: fingerprintSha256 "${fp}" is not a SHA-256 hex digest.`);
  }
  return hex;
}

const CERTIFICATE_COLUMNS = new Set([
  'fingerprintSha256',
  'pem',
  'subject',
  'issuer',
  'identity',
  'oidcIssuer',
  'notBefore',
  'notAfter',
  'extensions',
]);

// Row → record

function toImageRecord(row: ImageRow): ImageRecord {
  return { ...row, platforms: parseJsonColumn(PlatformsSchema, row.platforms, { table: 'Image', column: 'platforms', id: row.id }) };
}

function toCertificateRecord(row: CertificateRow): CertificateRecord {
  return {
    ...row,
    extensions: parseJsonColumn(CertificateExtensionsSchema, row.extensions, { table: 'Certificate', column: 'extensions', id: row.id }),
  };
}

function toSignatureRecord(row: SignatureRow): SignatureRecord {
  return { ...row, kind: parseEnumColumn(SignatureKindSchema, row.kind, { table: 'Signature', column: 'kind', id: row.id }) };
}

function toSignatureWithCertificate(row: SignatureRow & { certificate: CertificateRow | null }): SignatureWithCertificate {
  const { certificate, ...sig } = row;
  return { ...toSignatureRecord(sig), certificate: certificate ? toCertificateRecord(certificate) : null };
}

function toRunRecord(row: RunRow): RunRecord {
  const ref = (column: string) => ({ table: 'VerificationRun', column, id: row.id });
  return {
    ...row,
    status: parseEnumColumn(StoredRunStatusSchema, row.status, ref('status')),
    source: parseEnumColumn(RunSourceSchema, row.source, ref('source')),
    policy: parseJsonColumn(PolicyJsonSchema, row.policy, ref('policy')),
    summary: parseJsonColumn(SummarySchema, row.summary, ref('summary')),
  };
}

function toResultRecord(row: SignatureResultRow): SignatureResultRecord {
  const ref = (column: string) => ({ table: 'SignatureResult', column, id: row.id });
  return {
    ...row,
    verdict: parseEnumColumn(VerdictSchema, row.verdict, ref('verdict')),
    checks: parseJsonColumn(ChecksSchema, row.checks, ref('checks')),
  };
}

function imageSummary(row: Pick<ImageRow, 'id' | 'registry' | 'repository' | 'digest'>): ImageSummary {
  return { id: row.id, registry: row.registry, repository: row.repository, digest: row.digest };
}

// ---------------------------------------------------------------------------
// Images, tags, certificates, signatures

/** Validated column values of an Image row, and its unique key. */
export function imageRowData(input: ImageInput) {
  const key = {
    registry: requireText(input.registry, 'image registry'),
    repository: requireText(input.repository, 'image repository'),
    digest: requireText(input.digest, 'image digest'),
  };
  return { key, data: { ...key, mediaType: requireText(input.mediaType, 'image mediaType'), platforms: toJsonColumn(PlatformsSchema, input.platforms, 'image platforms') } };
}

export function upsertImage(db: Db, input: ImageInput): Promise<ImageRecord> {
  return dbCall('Storing the image', async () => {
    const { key, data } = imageRowData(input);
    const row = await findOrCreate(
      () => db.image.findUnique({ where: { registry_repository_digest: key } }),
      () => db.image.create({ data }),
    );
    return toImageRecord(row);
  });
}

/** One new row per call: "tag pointed at digest at observedAt". */
export function recordTagObservation(db: Db, imageId: string, tag: string, digest: string, observedAt?: Date): Promise<TagObservation> {
  return dbCall('Recording the tag', () =>
    db.tagObservation.create({
      data: {
        imageId,
        tag: requireText(tag, 'tag'),
        digest: requireText(digest, 'tag digest'),
        ...(observedAt ? { observedAt } : {}),
      },
    }),
  );
}

/** Validated column values of a Certificate row (keyed by its fingerprint). */
export function certificateRowData(decoded: CertificateInput) {
  const fingerprintSha256 = normalizeFingerprint(decoded.fingerprintSha256);
  const extra =
    decoded.extensions ??
    Object.fromEntries(Object.entries(decoded).filter(([k, v]) => !CERTIFICATE_COLUMNS.has(k) && v !== undefined));
  return {
    fingerprintSha256,
    pem: requireText(decoded.pem, 'certificate pem'),
    subject: typeof decoded.subject === 'string' ? decoded.subject : '',
    issuer: typeof decoded.issuer === 'string' ? decoded.issuer : '',
    identity: decoded.identity ?? null,
    oidcIssuer: decoded.oidcIssuer ?? null,
    notBefore: toDate(decoded.notBefore, 'certificate notBefore'),
    notAfter: toDate(decoded.notAfter, 'certificate notAfter'),
    extensions: toJsonColumn(CertificateExtensionsSchema, extra, 'certificate extensions'),
  };
}

/** By fingerprint; an already known certificate is returned as stored, never updated. */
export function upsertCertificate(db: Db, decoded: CertificateInput): Promise<CertificateRecord> {
  return dbCall('Storing the certificate', async () => {
    const data = certificateRowData(decoded);
    const row = await findOrCreate(
      () => db.certificate.findUnique({ where: { fingerprintSha256: data.fingerprintSha256 } }),
      () => db.certificate.create({ data }),
    );
    return toCertificateRecord(row);
  });
}

/** Validated column values of a Signature row, and its unique key. */
export function signatureRowData(input: SignatureInput) {
  const kind = SignatureKindSchema.safeParse(input.kind);
  if (!kind.success) throw new SigscopeError('INVALID_INPUT', `Cannot store signature: unknown kind ${JSON.stringify(input.kind)}.`);
  const key = {
    imageId: requireText(input.imageId, 'signature imageId'),
    layerDigest: requireText(input.layerDigest, 'signature layerDigest'),
    payloadDigest: requireText(input.payloadDigest, 'signature payloadDigest'),
    materialDigest: requireText(input.materialDigest, 'signature materialDigest'),
  };
  const data = {
    ...key,
    kind: kind.data,
    source: requireText(input.source, 'signature source'),
    signatureB64: typeof input.signatureB64 === 'string' ? input.signatureB64 : '',
    format: input.format ?? 'cosign-sig',
    artifactType: input.artifactType ?? null,
    predicateType: input.predicateType ?? null,
    statement: input.statement != null && input.statement.length <= MAX_STATEMENT_CHARS ? input.statement : null,
    certificateId: input.certificateId ?? null,
    publicKeyFingerprint: input.publicKeyFingerprint ?? null,
    identity: input.identity ?? null,
    oidcIssuer: input.oidcIssuer ?? null,
    rekorLogIndex: input.rekorLogIndex == null ? null : toLogIndex(input.rekorLogIndex),
    rekorLogId: input.rekorLogId ?? null,
    rekorIntegratedTime: input.rekorIntegratedTime == null ? null : toDate(input.rekorIntegratedTime, 'rekorIntegratedTime'),
  };
  return { key, data };
}

/** By (image, layer digest, payload digest); a re-discovered signature reuses its row unchanged. */
export function upsertSignature(db: Db, input: SignatureInput): Promise<SignatureRecord> {
  return dbCall('Storing the signature', async () => {
    const { key, data } = signatureRowData(input);
    const row = await findOrCreate(
      () => db.signature.findUnique({ where: { imageId_layerDigest_payloadDigest_materialDigest: key } }),
      () => db.signature.create({ data }),
    );
    return toSignatureRecord(row);
  });
}

// ---------------------------------------------------------------------------
// Runs

/** Validated column values of a new VerificationRun row ('running', summary {}). */
export function runRowData(input: CreateRunInput) {
  const source = RunSourceSchema.safeParse(input.source);
  if (!source.success) throw new SigscopeError('INVALID_INPUT', `Cannot create run: unknown source ${JSON.stringify(input.source)}.`);
  return {
    ...(input.id ? { id: requireText(input.id, 'run id') } : {}),
    input: typeof input.input === 'string' ? input.input : '',
    source: source.data,
    status: 'running',
    policy: toJsonColumn(PolicyJsonSchema, input.policy, 'run policy'),
    policyHash: requireText(input.policyHash, 'run policyHash'),
    trustRootName: requireText(input.trustRootName, 'run trustRootName'),
    trustRootHash: requireText(input.trustRootHash, 'run trustRootHash'),
    imageId: input.imageId ?? null,
    tag: input.tag ?? null,
    policyVersionId: input.policyVersionId ?? null,
    scanId: input.scanId ?? null,
    summary: '{}',
  };
}

/** A new run, status 'running', summary {} until finishRun. */
export function createRun(db: Db, input: CreateRunInput): Promise<RunRecord> {
  return dbCall('Creating the run', async () => {
    const row = await db.verificationRun.create({ data: runRowData(input) });
    return toRunRecord(row);
  }, db);
}

/** Validated values a finished run writes: its summary column and its SignatureResult rows. */
export function finishRowData(runId: string, outcome: FinishRunInput) {
  if (!(RUN_STATUSES as readonly string[]).includes(outcome.status)) {
    throw new SigscopeError('INVALID_INPUT', `Cannot finish run: unknown status ${JSON.stringify(outcome.status)}.`);
  }
  const summary = toJsonColumn(SummarySchema, outcome.summary, 'run summary');
  const results = outcome.results.map((r, i) => {
    const verdict = VerdictSchema.safeParse(r.verdict);
    if (!verdict.success) {
      throw new SigscopeError('INVALID_INPUT', `Cannot store result ${i}: unknown verdict ${JSON.stringify(r.verdict)}.`);
    }
    return {
      runId,
      signatureId: r.signatureId ?? null,
      verdict: verdict.data,
      reasonCode: r.reasonCode ?? null,
      reason: r.reason ?? null,
      checks: toJsonColumn(ChecksSchema, r.checks, `result ${i} checks`),
      identity: r.identity ?? null,
      oidcIssuer: r.oidcIssuer ?? null,
      platform: r.platform ?? null,
    };
  });
  return { summary, results };
}

/**
 * Finish a run once: status, error, summary and its SignatureResults, in one
 * transaction (all or nothing). A finished run cannot be finished again.
 */
export function finishRun(db: Db, runId: string, outcome: FinishRunInput): Promise<RunRecord> {
  return dbCall('Finishing the run', async () => {
    const { summary, results } = finishRowData(runId, outcome);

    // The first statement writes, so the SQLite write lock is taken (waiting up to the
    // busy timeout) before anything is read: no read-then-upgrade deadlock between
    // the CLI and the web app finishing runs at the same moment.
    const row = await db.$transaction(
      async (tx) => {
        const updated = await tx.verificationRun.updateMany({
          where: { id: runId, finishedAt: null },
          data: {
            status: outcome.status,
            errorCode: outcome.errorCode ?? null,
            errorMessage: outcome.errorMessage ?? null,
            summary,
            finishedAt: new Date(),
          },
        });
        if (updated.count !== 1) {
          const current = await tx.verificationRun.findUnique({ where: { id: runId }, select: { finishedAt: true } });
          if (!current) throw new SigscopeError('INVALID_INPUT', `Cannot finish run ${runId}: no such run.`);
          throw new SigscopeError(
            'INVALID_INPUT',
            `Cannot finish run ${runId}: it already finished at ${current.finishedAt?.toISOString() ?? '?'} (history is append-only).`,
          );
        }
        if (outcome.imageId) {
          await tx.verificationRun.updateMany({ where: { id: runId, imageId: null }, data: { imageId: outcome.imageId } });
        }
        if (outcome.tag) {
          await tx.verificationRun.updateMany({ where: { id: runId, tag: null }, data: { tag: outcome.tag } });
        }
        if (results.length > 0) await tx.signatureResult.createMany({ data: results });
        return tx.verificationRun.findUniqueOrThrow({ where: { id: runId } });
      },
      { maxWait: 20_000, timeout: 30_000 },
    );
    return toRunRecord(row);
  }, db);
}

export interface ListRunsOptions {
  /** 1..200, default 50. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
  imageId?: string;
}

/** Newest first; `nextCursor` is null on the last page. */
export function listRuns(db: Db, options: ListRunsOptions = {}): Promise<{ runs: RunListItem[]; nextCursor: string | null }> {
  return dbCall('Listing runs', async () => {
    const limit = Math.min(200, Math.max(1, Math.trunc(options.limit ?? 50)));
    const rows = await db.verificationRun.findMany({
      where: options.imageId ? { imageId: options.imageId } : undefined,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
      include: {
        image: { select: { id: true, registry: true, repository: true, digest: true } },
        _count: { select: { results: true } },
      },
    });
    const page = rows.slice(0, limit);
    return {
      runs: page.map(({ image, _count, ...run }) => ({
        ...toRunRecord(run),
        image: image ? imageSummary(image) : null,
        resultCount: _count.results,
      })),
      nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
    };
  });
}

/** A run with its image, and its results with their signatures and certificates; null if unknown. */
export function getRun(db: Db, id: string): Promise<RunDetail | null> {
  return dbCall('Reading the run', async () => {
    const row = await db.verificationRun.findUnique({
      where: { id },
      include: {
        image: true,
        results: { orderBy: { id: 'asc' }, include: { signature: { include: { certificate: true } } } },
      },
    });
    if (!row) return null;
    const { image, results, ...run } = row;
    return {
      ...toRunRecord(run),
      image: image ? toImageRecord(image) : null,
      results: results.map(({ signature, ...result }) => ({
        ...toResultRecord(result),
        signature: signature ? toSignatureWithCertificate(signature) : null,
      })),
    };
  });
}

/** An image with its tag observations, signatures and runs, newest first; null if unknown. */
export function getImage(db: Db, id: string, options: { runsLimit?: number } = {}): Promise<ImageDetail | null> {
  return dbCall('Reading the image', async () => {
    const row = await db.image.findUnique({
      where: { id },
      include: {
        tagObservations: { orderBy: [{ observedAt: 'desc' }, { id: 'desc' }] },
        signatures: { orderBy: [{ firstSeenAt: 'desc' }, { id: 'desc' }], include: { certificate: true } },
        runs: {
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: Math.min(1000, Math.max(1, options.runsLimit ?? 100)),
          include: { _count: { select: { results: true } } },
        },
      },
    });
    if (!row) return null;
    const { tagObservations, signatures, runs, ...image } = row;
    return {
      ...toImageRecord(image),
      tagObservations,
      signatures: signatures.map(toSignatureWithCertificate),
      runs: runs.map(({ _count, ...run }) => ({ ...toRunRecord(run), resultCount: _count.results })),
    };
  });
}

/** Every image, by repository, with its latest run and tag. */
export function listImages(db: Db): Promise<ImageListItem[]> {
  return dbCall('Listing images', async () => {
    const rows = await db.image.findMany({
      orderBy: [{ registry: 'asc' }, { repository: 'asc' }, { firstSeenAt: 'desc' }, { id: 'asc' }],
      include: {
        runs: {
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: 1,
          select: { id: true, status: true, createdAt: true, finishedAt: true },
        },
        tagObservations: { orderBy: [{ observedAt: 'desc' }, { id: 'desc' }], take: 1, select: { tag: true, observedAt: true } },
        _count: { select: { runs: true, signatures: true } },
      },
    });
    return rows.map(({ runs, tagObservations, _count, ...image }) => {
      const latest = runs[0];
      return {
        ...toImageRecord(image),
        latestRun: latest
          ? {
              id: latest.id,
              status: parseEnumColumn(StoredRunStatusSchema, latest.status, { table: 'VerificationRun', column: 'status', id: latest.id }),
              createdAt: latest.createdAt,
              finishedAt: latest.finishedAt,
            }
          : null,
        latestTag: tagObservations[0] ?? null,
        runCount: _count.runs,
        signatureCount: _count.signatures,
      };
    });
  });
}

export type SignatureDetail = SignatureWithCertificate & {
  image: ImageRecord;
  /** Verdicts on this signature, newest run first. */
  results: Array<SignatureResultRecord & { run: Pick<RunRecord, 'id' | 'createdAt' | 'status' | 'trustRootName'> }>;
};

/** One signature or attestation with its image and every verdict it received. */
export function getSignature(db: Db, id: string, options: { resultsLimit?: number } = {}): Promise<SignatureDetail | null> {
  return dbCall('Reading the signature', async () => {
    const row = await db.signature.findUnique({
      where: { id },
      include: {
        certificate: true,
        image: true,
        results: {
          orderBy: { run: { createdAt: 'desc' } },
          take: Math.min(500, Math.max(1, options.resultsLimit ?? 50)),
          include: { run: { select: { id: true, createdAt: true, status: true, trustRootName: true } } },
        },
      },
    });
    if (!row) return null;
    const { image, results, certificate, ...sig } = row;
    return {
      ...toSignatureWithCertificate({ ...sig, certificate }),
      image: toImageRecord(image),
      results: results.map(({ run, ...r }) => ({
        ...toResultRecord(r),
        run: { id: run.id, createdAt: run.createdAt, trustRootName: run.trustRootName, status: parseEnumColumn(StoredRunStatusSchema, run.status, { table: 'VerificationRun', column: 'status', id: run.id }) },
      })),
    };
  });
}
