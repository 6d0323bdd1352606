/**
 * Drift findings from stored history (rules: lib/audit/drift.ts) and their
 * acknowledgements (FindingAck rows, append-only: acknowledge / reopen, each with a note).
 *
 * Findings are not stored: they are derived from signatures, certificates and tag
 * observations each time, so they follow the history; their keys are stable, so an
 * acknowledgement keeps applying.
 */
import 'server-only';
import { z } from 'zod';
import { SigscopeError, isSigscopeError } from '../errors';
import {
  ACK_ACTIONS,
  detectDrift,
  findingStatus,
  parseFindingKey,
  sortAcks,
  withStatus,
  compareFindings,
  type AckAction,
  type AckRecord,
  type DriftHistory,
  type DriftOptions,
  type Finding,
  type FindingKind,
  type FindingStatus,
  type FindingWithStatus,
  type SignatureFact,
} from '../audit/drift';
import type { Db } from './client';
import { Prisma } from './generated/client';

export interface RepositoryScope {
  registry: string;
  repository: string;
}

async function dbCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isSigscopeError(e)) throw e;
    const message = e instanceof Error ? e.message.trim().split('\n').filter(Boolean).slice(-1)[0] ?? e.message : String(e);
    throw new SigscopeError('DATABASE', `${what} failed: ${message}`, { cause: e });
  }
}

/** `registry/repository` → its parts (the registry is everything before the first slash). */
export function parseRepositoryName(name: string): RepositoryScope | null {
  const i = name.indexOf('/');
  if (i <= 0 || i === name.length - 1) return null;
  return { registry: name.slice(0, i), repository: name.slice(i + 1) };
}


/** The Fulcio claims the rules read, from Certificate.extensions (JSON text); missing or odd values are null. */
function certificateClaims(extensions: string): { sourceRef: string | null; runnerEnvironment: string | null } {
  let ext: unknown;
  try {
    ext = JSON.parse(extensions);
  } catch {
    return { sourceRef: null, runnerEnvironment: null };
  }
  const e = (ext && typeof ext === 'object' ? ext : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return { sourceRef: str(e.sourceRepositoryRef) ?? str(e.githubWorkflowRef), runnerEnvironment: str(e.runnerEnvironment) };
}

interface SignatureJoinRow {
  id: string;
  imageId: string;
  kind: string;
  certificateId: string | null;
  identity: string | null;
  oidcIssuer: string | null;
  publicKeyFingerprint: string | null;
  rekorIntegratedTime: Date | string | null;
  firstSeenAt: Date | string;
  registry: string;
  repository: string;
  digest: string;
  fingerprintSha256: string | null;
  notBefore: Date | string | null;
  notAfter: Date | string | null;
  extensions: string | null;
}
interface TagJoinRow {
  id: string;
  imageId: string;
  tag: string;
  digest: string;
  observedAt: Date | string;
  registry: string;
  repository: string;
}

const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const toDateOrNull = (v: Date | string | null): Date | null => (v === null ? null : toDate(v));

/**
 * Signatures (with their certificates' claims), tag observations and optionally runs,
 * of one repository or of all. A signature is authentic when its Rekor entry verified
 * (the time is stored only then) or a run gave it a verified / signed-unchecked verdict.
 *
 * Plain joins in raw SQL (portable: quoted identifiers, no engine functions): reading the
 * whole history through nested relation loads was several times slower.
 */
export function loadDriftHistory(db: Db, scope?: RepositoryScope, options: { runs?: boolean } = {}): Promise<DriftHistory> {
  return dbCall('Reading the signing history', async () => {
    const where = scope ? Prisma.sql`WHERE i."registry" = ${scope.registry} AND i."repository" = ${scope.repository}` : Prisma.empty;
    const and = scope ? Prisma.sql`AND i."registry" = ${scope.registry} AND i."repository" = ${scope.repository}` : Prisma.empty;
    const [sigs, verifiedWithoutTlog, tags, runs] = await Promise.all([
      db.$queryRaw<SignatureJoinRow[]>`
        SELECT s."id", s."imageId", s."kind", s."certificateId", s."identity", s."oidcIssuer", s."publicKeyFingerprint",
               s."rekorIntegratedTime", s."firstSeenAt", i."registry", i."repository", i."digest",
               c."fingerprintSha256", c."notBefore", c."notAfter", c."extensions"
        FROM "Signature" s
        JOIN "Image" i ON i."id" = s."imageId"
        LEFT JOIN "Certificate" c ON c."id" = s."certificateId"
        ${where}`,
      db.$queryRaw<Array<{ signatureId: string }>>`
        SELECT DISTINCT r."signatureId"
        FROM "SignatureResult" r
        JOIN "Signature" s ON s."id" = r."signatureId"
        JOIN "Image" i ON i."id" = s."imageId"
        WHERE s."rekorIntegratedTime" IS NULL AND r."verdict" IN ('verified', 'signed-unchecked') ${and}`,
      db.$queryRaw<TagJoinRow[]>`
        SELECT t."id", t."imageId", t."tag", t."digest", t."observedAt", i."registry", i."repository"
        FROM "TagObservation" t
        JOIN "Image" i ON i."id" = t."imageId"
        ${where}`,
      options.runs
        ? db.verificationRun.findMany({
            where: scope ? { image: { is: { registry: scope.registry, repository: scope.repository } } } : { imageId: { not: null } },
            select: { id: true, imageId: true, createdAt: true, status: true },
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            take: 5000,
          })
        : Promise.resolve([]),
    ]);
    const verified = new Set(verifiedWithoutTlog.map((r) => r.signatureId));
    const signatures: SignatureFact[] = sigs.map((s) => {
      const claims = s.extensions !== null ? certificateClaims(s.extensions) : { sourceRef: null, runnerEnvironment: null };
      const signedAt = toDateOrNull(s.rekorIntegratedTime);
      return {
        id: s.id,
        imageId: s.imageId,
        registry: s.registry,
        repository: s.repository,
        digest: s.digest,
        kind: s.kind,
        certificateId: s.certificateId,
        certificateFingerprint: s.fingerprintSha256,
        identity: s.identity,
        issuer: s.oidcIssuer,
        keyFingerprint: s.publicKeyFingerprint,
        sourceRef: claims.sourceRef,
        runnerEnvironment: claims.runnerEnvironment,
        signedAt,
        firstSeenAt: toDate(s.firstSeenAt),
        notBefore: toDateOrNull(s.notBefore),
        notAfter: toDateOrNull(s.notAfter),
        authentic: signedAt !== null || verified.has(s.id),
      };
    });
    return {
      signatures,
      tags: tags.map((t) => ({ id: t.id, imageId: t.imageId, registry: t.registry, repository: t.repository, tag: t.tag, digest: t.digest, observedAt: toDate(t.observedAt) })),
      runs: runs.map((r) => ({ id: r.id, imageId: r.imageId!, createdAt: r.createdAt, status: r.status })),
    };
  });
}

// ---------------------------------------------------------------------------
// Derived findings, cached per database client and repository

/**
 * Deriving every repository's findings reads the whole history (100k signatures: seconds).
 * History is append-only, so the result is kept per client and recomputed only for the
 * repositories that gained rows: row counts say whether anything was added; rows newer
 * than the last pass (with a margin for writers that committed late) say where. When counts
 * grew but no recent row explains it (rows written with old timestamps), everything is
 * recomputed.
 */
interface FindingsCache {
  counts: string;
  /** Wall-clock start of the pass that produced `byRepo`. */
  computedAt: number;
  byRepo: Map<string, Finding[]>;
  pending: Promise<Finding[]> | null;
}
const CACHE_MARGIN_MS = 5 * 60_000;
/** Above this many changed repositories, one full pass is cheaper than per-repository reads. */
const MAX_INCREMENTAL_REPOSITORIES = 25;
const caches = ((globalThis as { __sigscopeFindings?: WeakMap<Db, FindingsCache> }).__sigscopeFindings ??= new WeakMap<Db, FindingsCache>());

async function historyCounts(db: Db): Promise<string> {
  const [s, t, r] = await Promise.all([db.signature.count(), db.tagObservation.count(), db.signatureResult.count()]);
  return `${s}/${t}/${r}`;
}

/** Repositories with rows added since `since` (signatures, tag observations, runs). */
async function repositoriesChangedSince(db: Db, since: Date): Promise<RepositoryScope[]> {
  const rows = await db.$queryRaw<Array<{ registry: string; repository: string }>>`
    SELECT DISTINCT i."registry", i."repository" FROM "Image" i
    WHERE i."id" IN (SELECT s."imageId" FROM "Signature" s WHERE s."firstSeenAt" >= ${since})
       OR i."id" IN (SELECT t."imageId" FROM "TagObservation" t WHERE t."observedAt" >= ${since})
       OR i."id" IN (SELECT v."imageId" FROM "VerificationRun" v WHERE v."createdAt" >= ${since} AND v."imageId" IS NOT NULL)`;
  return rows;
}

function groupByRepo(findings: Finding[], repos: Iterable<string> = []): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>([...repos].map((r) => [r, []]));
  for (const f of findings) {
    const name = `${f.registry}/${f.repository}`;
    const list = out.get(name);
    if (list) list.push(f);
    else out.set(name, [f]);
  }
  return out;
}

/** Drops the cached findings of a client (benchmarks and tests measure the cold path with it). */
export function forgetDerivedFindings(db: Db): void {
  caches.delete(db);
}

/** Every repository's findings (not yet joined with acknowledgements), most severe and newest first. */
export async function deriveFindings(db: Db, drift?: DriftOptions): Promise<Finding[]> {
  if (drift) return detectDrift(await loadDriftHistory(db), drift);
  const current = caches.get(db);
  if (current?.pending) return current.pending;
  const previous = current && current.computedAt > 0 ? current : null;
  const run = async (): Promise<Finding[]> => {
    const started = Date.now();
    const counts = await historyCounts(db);
    if (previous && previous.counts === counts) return flatten(previous.byRepo);
    let byRepo: Map<string, Finding[]> | null = null;
    if (previous) {
      const changed = await repositoriesChangedSince(db, new Date(previous.computedAt - CACHE_MARGIN_MS));
      if (changed.length > 0 && changed.length <= MAX_INCREMENTAL_REPOSITORIES) {
        byRepo = new Map(previous.byRepo);
        for (const repo of changed) byRepo.set(`${repo.registry}/${repo.repository}`, detectDrift(await loadDriftHistory(db, repo)));
      }
    }
    byRepo ??= groupByRepo(detectDrift(await loadDriftHistory(db)));
    // Counts were read before the pass: anything written during it changes them, so the next call looks again.
    caches.set(db, { counts, computedAt: started, byRepo, pending: null });
    return flatten(byRepo);
  };
  const pending = run();
  caches.set(db, { ...(previous ?? { counts: '', computedAt: 0, byRepo: new Map<string, Finding[]>() }), pending });
  try {
    return await pending;
  } finally {
    const entry = caches.get(db);
    if (entry?.pending === pending) entry.pending = null;
  }
}

function flatten(byRepo: Map<string, Finding[]>): Finding[] {
  return [...byRepo.values()].flat().sort(compareFindings);
}

export type AckRow = AckRecord & { action: AckAction };

function toAck(row: { id: string; findingKey: string; action: string; note: string; actor: string; createdAt: Date }): AckRow {
  const action = (ACK_ACTIONS as readonly string[]).includes(row.action) ? (row.action as AckAction) : 'reopened';
  return { ...row, action };
}

export interface ListFindingsOptions {
  /** `registry/repository` */
  repository?: string;
  kind?: FindingKind;
  status?: FindingStatus;
  drift?: DriftOptions;
}

export interface FindingsList {
  findings: FindingWithStatus[];
  open: number;
  acknowledged: number;
  /** Repositories with at least one finding (before the kind / status filters), sorted. */
  repositories: string[];
}

/** Findings of every repository (or one), open first, then acknowledged. */
export function listFindings(db: Db, options: ListFindingsOptions = {}): Promise<FindingsList> {
  return dbCall('Listing findings', async () => {
    let scope: RepositoryScope | undefined;
    if (options.repository) {
      const parsed = parseRepositoryName(options.repository);
      if (!parsed) return { findings: [], open: 0, acknowledged: 0, repositories: [] };
      scope = parsed;
    }
    const [derived, acks] = await Promise.all([deriveFindings(db, options.drift), db.findingAck.findMany({ select: { id: true, findingKey: true, action: true, note: true, actor: true, createdAt: true } })]);
    const all = withStatus(derived, acks.map(toAck));
    const repositories = [...new Set(all.map((f) => `${f.registry}/${f.repository}`))].sort();
    const findings = all.filter(
      (f) => (!scope || (f.registry === scope.registry && f.repository === scope.repository)) && (!options.kind || f.kind === options.kind) && (!options.status || f.status === options.status),
    );
    return {
      findings,
      open: findings.filter((f) => f.status === 'open').length,
      acknowledged: findings.filter((f) => f.status === 'acknowledged').length,
      repositories,
    };
  });
}

export interface FindingDetail {
  finding: Finding;
  status: FindingStatus;
  /** Newest first. */
  acks: AckRow[];
}

/** One finding by key, with runs as evidence and its acknowledgement history; null when history has no such finding. */
export function getFinding(db: Db, key: string, options: { drift?: DriftOptions } = {}): Promise<FindingDetail | null> {
  return dbCall('Reading the finding', async () => {
    const parsed = parseFindingKey(key);
    if (!parsed) return null;
    const history = await loadDriftHistory(db, parsed, { runs: true });
    const finding = detectDrift(history, options.drift).find((f) => f.key === key);
    if (!finding) return null;
    const acks = sortAcks((await db.findingAck.findMany({ where: { findingKey: key } })).map(toAck));
    return { finding, status: findingStatus(acks), acks };
  });
}

export const AckInputSchema = z.object({
  key: z.string().min(1).max(4096),
  action: z.enum(ACK_ACTIONS),
  note: z.string().trim().min(1, 'a note is required: say why').max(2000),
});
export type AckInput = z.input<typeof AckInputSchema>;

/**
 * Appends an acknowledgement (or a reopening). Refuses a finding the history does not have
 * (INVALID_INPUT) and a no-op (acknowledging an acknowledged finding, reopening an open one).
 */
export function recordFindingAck(db: Db, input: AckInput, actor = 'local'): Promise<{ ack: AckRow; status: FindingStatus }> {
  return dbCall('Recording the acknowledgement', async () => {
    const parsed = AckInputSchema.safeParse(input);
    if (!parsed.success) throw new SigscopeError('INVALID_INPUT', z.prettifyError(parsed.error));
    const { key, action, note } = parsed.data;
    const detail = await getFinding(db, key);
    if (!detail) throw new SigscopeError('INVALID_INPUT', `There is no finding ${JSON.stringify(key.slice(0, 200))} in the stored history.`);
    if (action === 'acknowledged' && detail.status === 'acknowledged') throw new SigscopeError('INVALID_INPUT', 'This finding is already acknowledged; reopen it first.');
    if (action === 'reopened' && detail.status === 'open') throw new SigscopeError('INVALID_INPUT', 'This finding is already open.');
    const row = await db.findingAck.create({ data: { findingKey: key, action, note, actor } });
    return { ack: toAck(row), status: action === 'acknowledged' ? 'acknowledged' : 'open' };
  });
}
