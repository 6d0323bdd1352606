/**
 * Who signs what: signing identities, the repositories they sign, their certificates.
 *
 * An identity is what a stored Signature names: keyless (certificate subject + OIDC issuer)
 * or a public key (fingerprint). Identities exist only through signatures; nothing here
 * invents one. A signature's identity is a *claim* until a verification run says
 * otherwise: every summary carries verdict counts and a status, and an identity whose
 * signatures never verified is 'unverified' (show it as an unverified claim, never as a
 * signer).
 *
 * Counting happens in SQL (one pass over the matching signatures, grouped by identity and
 * repository); the per-signature "best verdict" is an indexed subquery on SignatureResult.
 * Every list is bounded. JSON columns come back validated (./types.ts).
 *
 * SQL dialect: plain SQL that SQLite and PostgreSQL share (quoted model names, positional
 * GROUP BY, window functions), except JSON field access, case-insensitive LIKE and the
 * "time|id" sort key, which come from ./dialect.ts.
 */
import 'server-only';
import { SigscopeError, isSigscopeError } from '../errors';
import type { Db } from './client';
import { dialectOf, rawDate, rawNumber, type Dialect } from './dialect';
import { Prisma } from './generated/client';
import { decodeIdentityKey, encodeIdentityKey, type IdentityRef } from './identity-key';
import {
  CertificateExtensionsSchema,
  ChecksSchema,
  StoredRunStatusSchema,
  VerdictSchema,
  parseEnumColumn,
  parseJsonColumn,
  type CertificateExtensions,
  type Check,
  type StoredRunStatus,
  type Verdict,
} from './types';

export * from './identity-key';

// ---------------------------------------------------------------------------
// Types

/**
 * - 'verified': at least one signature passed every check and matched a policy;
 * - 'valid': signatures passed the cryptographic checks (the certificate authority vouches
 *   for the subject) but no policy ever named this signer;
 * - 'unverified': no signature ever passed: the identity is only a claim.
 */
export type IdentityStatus = 'verified' | 'valid' | 'unverified';

/** Build claims a certificate carries (Fulcio extensions, current name first, legacy GitHub one as fallback). */
export interface BuildClaims {
  /** Source repository: sourceRepositoryUri, else the legacy owner/name. */
  repository?: string;
  ref?: string;
  trigger?: string;
  runnerEnvironment?: string;
  /** The top-level workflow / build config (buildConfigUri). */
  workflow?: string;
  workflowName?: string;
  commit?: string;
  buildSigner?: string;
  runInvocation?: string;
  visibility?: string;
}

export interface RepositoryRef {
  registry: string;
  repository: string;
}

export interface IdentityCounts {
  /** Signatures and attestations made by this identity. */
  signatures: number;
  attestations: number;
  /** Signatures whose best verdict, over every run, is this one ('unevaluated': never in a run). */
  verified: number;
  signedUnchecked: number;
  failed: number;
  unevaluated: number;
}

export interface IdentitySummary {
  key: string;
  ref: IdentityRef;
  status: IdentityStatus;
  counts: IdentityCounts;
  /** When Sigscope first / last saw a signature of it. */
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** Earliest / latest Rekor integrated time of its signatures (only verified entries have one). */
  firstSignedAt: Date | null;
  lastSignedAt: Date | null;
  repositoryCount: number;
  /** Repositories signed, most signatures first (at most MAX_REPOSITORIES_PER_IDENTITY). */
  repositories: Array<RepositoryRef & { signatures: number; firstSeenAt: Date; lastSeenAt: Date }>;
  /**
   * Claims of the certificate of its most recently signed matching signature (Rekor time, else
   * first seen); null for keys and for certificates without any.
   */
  claims: BuildClaims | null;
  latestCertificateId: string | null;
}

export interface IdentityFilter {
  /** Exact OIDC issuer. */
  issuer?: string;
  /** Image repository, `registry/repository` or a part of it (`*` is a wildcard). */
  repository?: string;
  /** Workflow: part of the certificate identity, build config URI or workflow name (`*` wildcard). */
  workflow?: string;
  /** Source ref, exact or with `*` (refs/tags/v*), from the certificate claims or the identity's @ref. */
  ref?: string;
  /** Free text: part of the identity, issuer or key fingerprint. */
  q?: string;
  /** Identities returned, 1..1000 (default 200). */
  limit?: number;
}

export interface IdentityList {
  identities: IdentitySummary[];
  /** More identities matched than returned, or the grouping hit its row bound. */
  truncated: boolean;
}

export const MAX_REPOSITORIES_PER_IDENTITY = 50;
/** (identity, repository) groups read by one listing. */
const MAX_GROUP_ROWS = 20_000;
const MAX_FILTER_CHARS = 512;

// ---------------------------------------------------------------------------
// Helpers

async function dbCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isSigscopeError(e)) throw e;
    const message = e instanceof Error ? e.message.trim().split('\n').filter(Boolean).slice(-1)[0] ?? e.message : String(e);
    throw new SigscopeError('DATABASE', `${what} failed: ${message}`, { cause: e });
  }
}

const toDate = rawDate;
const toNumber = rawNumber;

function minDate(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a <= b ? a : b;
}

function maxDate(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a >= b ? a : b;
}

/** Runs `fn` over `items` in slices (SQL parameter limits), concatenating the results. */
async function inChunks<T, R>(items: T[], size: number, fn: (slice: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let at = 0; at < items.length; at += size) out.push(...(await fn(items.slice(at, at + size))));
  return out;
}

const IN_CHUNK = 500;

function cleanFilter(v: string | undefined, field: string): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (t === '') return undefined;
  if (t.length > MAX_FILTER_CHARS) throw new SigscopeError('INVALID_INPUT', `The ${field} filter is longer than ${MAX_FILTER_CHARS} characters.`);
  return t;
}

/** A LIKE pattern (ESCAPE '\'): the text literally, `*` as a wildcard; `contains` wraps it in %. */
export function likePattern(text: string, contains: boolean): string {
  const body = text.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
  return contains ? `%${body}%` : body;
}

type ExtensionKey = 'buildConfigUri' | 'githubWorkflowName' | 'sourceRepositoryRef' | 'githubWorkflowRef';

/** A string field of Certificate.extensions (null on invalid JSON rather than an error). Keys are constants, never input. */
function jsonText(d: Dialect, key: ExtensionKey): Prisma.Sql {
  return d.jsonText('c."extensions"', key);
}

const S_IDENTITY = Prisma.raw('s."identity"');
const S_ISSUER = Prisma.raw('s."oidcIssuer"');
const S_FINGERPRINT = Prisma.raw('s."publicKeyFingerprint"');
const I_NAME = Prisma.raw(`(i."registry" || '/' || i."repository")`);

/** Conditions on (s Signature, i Image, c Certificate) for an identity. */
function identityCondition(ref: IdentityRef): Prisma.Sql {
  if (ref.kind === 'key') return Prisma.sql`s."identity" IS NULL AND s."publicKeyFingerprint" = ${ref.fingerprint}`;
  if (ref.issuer === '') return Prisma.sql`s."identity" = ${ref.subject} AND (s."oidcIssuer" IS NULL OR s."oidcIssuer" = '')`;
  return Prisma.sql`s."identity" = ${ref.subject} AND s."oidcIssuer" = ${ref.issuer}`;
}

function filterConditions(d: Dialect, f: IdentityFilter): Prisma.Sql[] {
  const like = d.like;
  const out: Prisma.Sql[] = [Prisma.sql`(s."identity" IS NOT NULL OR s."publicKeyFingerprint" IS NOT NULL)`];
  const issuer = cleanFilter(f.issuer, 'issuer');
  const repository = cleanFilter(f.repository, 'repository');
  const workflow = cleanFilter(f.workflow, 'workflow');
  const ref = cleanFilter(f.ref, 'ref');
  const q = cleanFilter(f.q, 'search');
  if (issuer) out.push(Prisma.sql`s."oidcIssuer" = ${issuer}`);
  if (repository) out.push(like(I_NAME, likePattern(repository, true)));
  if (workflow) {
    const p = likePattern(workflow, true);
    out.push(Prisma.sql`(${like(S_IDENTITY, p)} OR ${like(jsonText(d, 'buildConfigUri'), p)} OR ${like(jsonText(d, 'githubWorkflowName'), p)})`);
  }
  if (ref) {
    const p = likePattern(ref, false);
    out.push(Prisma.sql`(${like(jsonText(d, 'sourceRepositoryRef'), p)} OR ${like(jsonText(d, 'githubWorkflowRef'), p)} OR ${like(S_IDENTITY, `%@${p}`)})`);
  }
  if (q) {
    const p = likePattern(q, true);
    out.push(Prisma.sql`(${like(S_IDENTITY, p)} OR ${like(S_ISSUER, p)} OR ${like(S_FINGERPRINT, p)})`);
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The build claims in a certificate's stored extensions; null when it carries none. */
export function claimsFromExtensions(ext: CertificateExtensions): BuildClaims | null {
  const legacyRepo = str(ext.githubWorkflowRepository);
  const claims: BuildClaims = {
    repository: str(ext.sourceRepositoryUri) ?? legacyRepo,
    ref: str(ext.sourceRepositoryRef) ?? str(ext.githubWorkflowRef),
    trigger: str(ext.buildTrigger) ?? str(ext.githubWorkflowTrigger),
    runnerEnvironment: str(ext.runnerEnvironment),
    workflow: str(ext.buildConfigUri),
    workflowName: str(ext.githubWorkflowName),
    commit: str(ext.sourceRepositoryDigest) ?? str(ext.githubWorkflowSha),
    buildSigner: str(ext.buildSignerUri),
    runInvocation: str(ext.runInvocationUri),
    visibility: str(ext.sourceRepositoryVisibilityAtSigning),
  };
  const present = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined)) as BuildClaims;
  return Object.keys(present).length > 0 ? present : null;
}

function statusOf(c: IdentityCounts): IdentityStatus {
  if (c.verified > 0) return 'verified';
  if (c.signedUnchecked > 0) return 'valid';
  return 'unverified';
}

// ---------------------------------------------------------------------------
// The grouping query

interface GroupRow {
  subject: string | null;
  issuer: string | null;
  fingerprint: string | null;
  registry: string;
  repository: string;
  signatures: unknown;
  attestations: unknown;
  verified: unknown;
  unchecked: unknown;
  failed: unknown;
  firstSeenAt: unknown;
  lastSeenAt: unknown;
  firstSignedAt: unknown;
  lastSignedAt: unknown;
  latest: string | null;
}

/**
 * Signatures matching `conditions`, counted per (identity, repository).
 *
 * The best verdict of each signature comes from SignatureResult: through its signatureId
 * index, one lookup per signature, when the conditions select few signatures (`selective`);
 * otherwise from one grouped pass over the results, which is cheaper than 100k lookups.
 * `latest` is "<signing time>|<certificate id>" of the group's most recently signed signature
 * with a certificate (Rekor time, else first seen): the certificate whose claims are shown.
 */
async function groupSignatures(
  db: Db,
  conditions: Prisma.Sql[],
  opts: { needsCertificate: boolean; selective: boolean },
): Promise<{ rows: GroupRow[]; truncated: boolean }> {
  const certJoin = opts.needsCertificate ? Prisma.sql`LEFT JOIN "Certificate" c ON c."id" = s."certificateId"` : Prisma.empty;
  const rank = Prisma.raw(`MAX(CASE r."verdict" WHEN 'verified' THEN 3 WHEN 'signed-unchecked' THEN 2 WHEN 'failed' THEN 1 ELSE 0 END)`);
  const best = opts.selective
    ? { with: Prisma.empty, column: Prisma.sql`(SELECT ${rank} FROM "SignatureResult" r WHERE r."signatureId" = s."id")`, join: Prisma.empty }
    : {
        with: Prisma.sql`best AS (SELECT r."signatureId" AS "signatureId", ${rank} AS best FROM "SignatureResult" r GROUP BY r."signatureId"),`,
        column: Prisma.sql`b.best`,
        join: Prisma.sql`LEFT JOIN best b ON b."signatureId" = s."id"`,
      };
  const rows = await db.$queryRaw<GroupRow[]>`
    WITH ${best.with}
    sig AS (
      SELECT
        s."identity" AS subject,
        CASE WHEN s."identity" IS NULL THEN NULL ELSE COALESCE(s."oidcIssuer", '') END AS issuer,
        CASE WHEN s."identity" IS NULL THEN s."publicKeyFingerprint" END AS fingerprint,
        i."registry" AS registry,
        i."repository" AS repository,
        s."kind" AS kind,
        s."firstSeenAt" AS "firstSeenAt",
        s."rekorIntegratedTime" AS "signedAt",
        CASE WHEN s."certificateId" IS NOT NULL THEN ${dialectOf(db).sortableTime(Prisma.sql`COALESCE(s."rekorIntegratedTime", s."firstSeenAt")`)} || '|' || s."certificateId" END AS latest,
        ${best.column} AS best
      FROM "Signature" s
      JOIN "Image" i ON i."id" = s."imageId"
      ${best.join}
      ${certJoin}
      WHERE ${Prisma.join(conditions, ' AND ')}
    )
    SELECT subject, issuer, fingerprint, registry, repository,
      COUNT(*) AS signatures,
      SUM(CASE WHEN kind = 'attestation' THEN 1 ELSE 0 END) AS attestations,
      SUM(CASE WHEN best = 3 THEN 1 ELSE 0 END) AS verified,
      SUM(CASE WHEN best = 2 THEN 1 ELSE 0 END) AS unchecked,
      SUM(CASE WHEN best = 1 THEN 1 ELSE 0 END) AS failed,
      MIN("firstSeenAt") AS "firstSeenAt",
      MAX("firstSeenAt") AS "lastSeenAt",
      MIN("signedAt") AS "firstSignedAt",
      MAX("signedAt") AS "lastSignedAt",
      MAX(latest) AS latest
    FROM sig
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY MAX("firstSeenAt") DESC
    LIMIT ${MAX_GROUP_ROWS + 1}`;
  return { rows: rows.slice(0, MAX_GROUP_ROWS), truncated: rows.length > MAX_GROUP_ROWS };
}

/** (identity, repository) rows folded into one summary per identity, newest activity first. */
function foldGroups(rows: GroupRow[]): IdentitySummary[] {
  const byKey = new Map<string, IdentitySummary>();
  const latest = new Map<string, string>();
  for (const row of rows) {
    let ref: IdentityRef;
    if (row.subject != null) ref = { kind: 'keyless', issuer: row.issuer ?? '', subject: row.subject };
    else if (row.fingerprint != null) ref = { kind: 'key', fingerprint: row.fingerprint.toLowerCase() };
    else continue;
    let key: string;
    try {
      key = encodeIdentityKey(ref);
    } catch {
      continue; // control characters or an odd fingerprint: not an identity we can name or link
    }
    const signatures = toNumber(row.signatures);
    const verified = toNumber(row.verified);
    const unchecked = toNumber(row.unchecked);
    const failed = toNumber(row.failed);
    const firstSeenAt = toDate(row.firstSeenAt) ?? new Date(0);
    const lastSeenAt = toDate(row.lastSeenAt) ?? firstSeenAt;
    let s = byKey.get(key);
    if (!s) {
      s = {
        key,
        ref,
        status: 'unverified',
        counts: { signatures: 0, attestations: 0, verified: 0, signedUnchecked: 0, failed: 0, unevaluated: 0 },
        firstSeenAt,
        lastSeenAt,
        firstSignedAt: null,
        lastSignedAt: null,
        repositoryCount: 0,
        repositories: [],
        claims: null,
        latestCertificateId: null,
      };
      byKey.set(key, s);
    }
    s.counts.signatures += signatures;
    s.counts.attestations += toNumber(row.attestations);
    s.counts.verified += verified;
    s.counts.signedUnchecked += unchecked;
    s.counts.failed += failed;
    s.counts.unevaluated += Math.max(0, signatures - verified - unchecked - failed);
    s.firstSeenAt = minDate(s.firstSeenAt, firstSeenAt)!;
    s.lastSeenAt = maxDate(s.lastSeenAt, lastSeenAt)!;
    s.firstSignedAt = minDate(s.firstSignedAt, toDate(row.firstSignedAt));
    s.lastSignedAt = maxDate(s.lastSignedAt, toDate(row.lastSignedAt));
    if (typeof row.latest === 'string' && row.latest > (latest.get(key) ?? '')) latest.set(key, row.latest);
    s.repositoryCount += 1;
    s.repositories.push({ registry: row.registry, repository: row.repository, signatures, firstSeenAt, lastSeenAt });
  }
  const out = [...byKey.values()];
  for (const s of out) {
    const l = latest.get(s.key);
    s.latestCertificateId = l ? l.slice(l.lastIndexOf('|') + 1) || null : null;
    s.status = statusOf(s.counts);
    s.repositories.sort((a, b) => b.signatures - a.signatures || a.registry.localeCompare(b.registry) || a.repository.localeCompare(b.repository));
    s.repositories = s.repositories.slice(0, MAX_REPOSITORIES_PER_IDENTITY);
  }
  return out.sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime() || a.key.localeCompare(b.key));
}

/** The claims of the certificate each identity last signed with (see groupSignatures' `latest`). */
async function attachLatestClaims(db: Db, identities: IdentitySummary[]): Promise<void> {
  const ids = [...new Set(identities.flatMap((i) => (i.latestCertificateId ? [i.latestCertificateId] : [])))];
  const certs = await inChunks(ids, IN_CHUNK, (slice) => db.certificate.findMany({ where: { id: { in: slice } }, select: { id: true, extensions: true } }));
  const byId = new Map(certs.map((c) => [c.id, c]));
  for (const i of identities) {
    const cert = i.latestCertificateId ? byId.get(i.latestCertificateId) : undefined;
    if (!cert) {
      i.latestCertificateId = null;
      continue;
    }
    i.claims = claimsFromExtensions(parseJsonColumn(CertificateExtensionsSchema, cert.extensions, { table: 'Certificate', column: 'extensions', id: cert.id }));
  }
}

// ---------------------------------------------------------------------------
// Listing

/** Every identity seen on a signature, filtered; counts cover the signatures that match the filter. */
export function listIdentities(db: Db, filter: IdentityFilter = {}): Promise<IdentityList> {
  return dbCall('Listing identities', async () => {
    const limit = Math.min(1000, Math.max(1, Math.trunc(filter.limit ?? 200)));
    const needsCertificate = Boolean(cleanFilter(filter.workflow, 'workflow') || cleanFilter(filter.ref, 'ref'));
    const { rows, truncated } = await groupSignatures(db, filterConditions(dialectOf(db), filter), { needsCertificate, selective: false });
    const all = foldGroups(rows);
    const identities = all.slice(0, limit);
    await attachLatestClaims(db, identities);
    return { identities, truncated: truncated || all.length > limit };
  });
}

/** The OIDC issuers seen on signatures (for a filter's choices), most used first. */
export function listIdentityIssuers(db: Db): Promise<string[]> {
  return dbCall('Listing issuers', async () => {
    const rows = await db.signature.groupBy({
      by: ['oidcIssuer'],
      where: { identity: { not: null }, oidcIssuer: { not: null } },
      _count: { _all: true },
      orderBy: { _count: { oidcIssuer: 'desc' } },
      take: 100,
    });
    return rows.flatMap((r) => (r.oidcIssuer ? [r.oidcIssuer] : []));
  });
}

/** Which identities sign one repository, since when; counts cover that repository only. */
export function listRepositoryIdentities(db: Db, registry: string, repository: string): Promise<IdentitySummary[]> {
  return dbCall('Listing the identities of a repository', async () => {
    const conditions = [
      Prisma.sql`(s."identity" IS NOT NULL OR s."publicKeyFingerprint" IS NOT NULL)`,
      Prisma.sql`i."registry" = ${registry} AND i."repository" = ${repository}`,
    ];
    const { rows } = await groupSignatures(db, conditions, { needsCertificate: false, selective: true });
    const identities = foldGroups(rows).sort((a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime());
    await attachLatestClaims(db, identities);
    return identities;
  });
}

export interface RepositoryImage {
  id: string;
  digest: string;
  mediaType: string;
  firstSeenAt: Date;
  tags: string[];
  signatureCount: number;
  latestRun: { id: string; status: StoredRunStatus; createdAt: Date } | null;
}

/** The images of one repository, newest first, with their tags and latest verdict (at most `limit`, default 200). */
export function listRepositoryImages(db: Db, registry: string, repository: string, limit = 200): Promise<RepositoryImage[]> {
  return dbCall('Listing the images of a repository', async () => {
    const rows = await db.image.findMany({
      where: { registry, repository },
      orderBy: [{ firstSeenAt: 'desc' }, { id: 'asc' }],
      take: Math.min(1000, Math.max(1, limit)),
      select: {
        id: true,
        digest: true,
        mediaType: true,
        firstSeenAt: true,
        runs: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 1, select: { id: true, status: true, createdAt: true } },
        _count: { select: { signatures: true } },
      },
    });
    const tags = await inChunks(rows.map((r) => r.id), IN_CHUNK, (ids) =>
      db.tagObservation.groupBy({ by: ['imageId', 'tag'], where: { imageId: { in: ids } }, _max: { observedAt: true } }),
    );
    return rows.map((r) => {
      const run = r.runs[0];
      return {
        id: r.id,
        digest: r.digest,
        mediaType: r.mediaType,
        firstSeenAt: r.firstSeenAt,
        tags: tags
          .filter((t) => t.imageId === r.id)
          .sort((a, b) => (b._max.observedAt?.getTime() ?? 0) - (a._max.observedAt?.getTime() ?? 0))
          .map((t) => t.tag),
        signatureCount: r._count.signatures,
        latestRun: run
          ? { id: run.id, createdAt: run.createdAt, status: parseEnumColumn(StoredRunStatusSchema, run.status, { table: 'VerificationRun', column: 'status', id: run.id }) }
          : null,
      };
    });
  });
}

// ---------------------------------------------------------------------------
// One identity

export interface IdentityImage {
  image: { id: string; registry: string; repository: string; digest: string };
  /** Tags observed pointing at this digest, most recent first. */
  tags: Array<{ tag: string; firstObservedAt: Date; lastObservedAt: Date }>;
  signatures: number;
  attestations: number;
  /** Best verdict of this identity's signatures on this image; null when never evaluated. */
  bestVerdict: Verdict | null;
  /** The latest run that judged one of them, with its verdict on it. */
  latestResult: { runId: string; runStatus: StoredRunStatus; createdAt: Date; verdict: Verdict } | null;
  firstSeenAt: Date;
  signedAt: Date | null;
}

export interface IdentityCertificate {
  id: string;
  fingerprintSha256: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  sctCount: number | null;
  claims: BuildClaims | null;
  signatures: number;
  /** Images signed with it (at most 10). */
  images: Array<{ id: string; registry: string; repository: string; digest: string }>;
}

export interface RekorEntry {
  signatureId: string;
  kind: string;
  logIndex: string;
  logId: string | null;
  integratedTime: Date | null;
  image: { id: string; registry: string; repository: string; digest: string };
}

export interface IdentityDetail {
  summary: IdentitySummary;
  images: IdentityImage[];
  /** Oldest first (notBefore). */
  certificates: IdentityCertificate[];
  /** Newest first. */
  rekorEntries: RekorEntry[];
  /** Verdicts over every run (one per signature per run). */
  verdictCounts: Record<Verdict, number>;
  /** Only the newest MAX_DETAIL_SIGNATURES signatures are detailed. */
  truncated: boolean;
}

export const MAX_DETAIL_SIGNATURES = 2000;
export const MAX_DETAIL_CERTIFICATES = 500;
const MAX_DETAIL_RESULTS = 10_000;

function verdictRank(v: Verdict | null): number {
  return v === 'verified' ? 3 : v === 'signed-unchecked' ? 2 : v === 'failed' ? 1 : 0;
}

/** Everything about one identity; null when the key is malformed or no signature names it. */
export function getIdentity(db: Db, key: string): Promise<IdentityDetail | null> {
  return dbCall('Reading the identity', async () => {
    const ref = decodeIdentityKey(key);
    if (!ref) return null;
    const condition = identityCondition(ref);
    const { rows } = await groupSignatures(db, [condition], { needsCertificate: false, selective: true });
    const summary = foldGroups(rows)[0];
    if (!summary) return null;
    await attachLatestClaims(db, [summary]);

    const where: Prisma.SignatureWhereInput =
      ref.kind === 'key'
        ? { identity: null, publicKeyFingerprint: ref.fingerprint }
        : { identity: ref.subject, ...(ref.issuer === '' ? { OR: [{ oidcIssuer: null }, { oidcIssuer: '' }] } : { oidcIssuer: ref.issuer }) };
    const signatures = await db.signature.findMany({
      where,
      orderBy: [{ firstSeenAt: 'desc' }, { id: 'desc' }],
      take: MAX_DETAIL_SIGNATURES + 1,
      select: {
        id: true,
        kind: true,
        imageId: true,
        certificateId: true,
        firstSeenAt: true,
        rekorLogIndex: true,
        rekorLogId: true,
        rekorIntegratedTime: true,
        image: { select: { id: true, registry: true, repository: true, digest: true } },
      },
    });
    const truncated = signatures.length > MAX_DETAIL_SIGNATURES;
    const sigs = signatures.slice(0, MAX_DETAIL_SIGNATURES);

    // Verdicts: exact counts, and the latest results per signature (bounded).
    const verdictRows = await db.$queryRaw<Array<{ verdict: string; n: unknown }>>`
      SELECT r."verdict" AS verdict, COUNT(*) AS n
      FROM "SignatureResult" r JOIN "Signature" s ON s."id" = r."signatureId"
      WHERE ${condition}
      GROUP BY r."verdict"`;
    const verdictCounts: Record<Verdict, number> = { verified: 0, 'signed-unchecked': 0, failed: 0 };
    for (const v of verdictRows) {
      const parsed = VerdictSchema.safeParse(v.verdict);
      if (parsed.success) verdictCounts[parsed.data] += toNumber(v.n);
    }
    const resultRows = await db.$queryRaw<Array<{ signatureId: string; verdict: string; runId: string; runStatus: string; createdAt: unknown }>>`
      SELECT r."signatureId" AS "signatureId", r."verdict" AS verdict, r."runId" AS "runId", v."status" AS "runStatus", v."createdAt" AS "createdAt"
      FROM "SignatureResult" r
      JOIN "Signature" s ON s."id" = r."signatureId"
      JOIN "VerificationRun" v ON v."id" = r."runId"
      WHERE ${condition}
      ORDER BY v."createdAt" DESC, v."id" DESC
      LIMIT ${MAX_DETAIL_RESULTS}`;
    const bestBySig = new Map<string, Verdict>();
    const latestBySig = new Map<string, IdentityImage['latestResult']>();
    for (const r of resultRows) {
      const verdict = parseEnumColumn(VerdictSchema, r.verdict, { table: 'SignatureResult', column: 'verdict', id: r.runId });
      if (verdictRank(verdict) > verdictRank(bestBySig.get(r.signatureId) ?? null)) bestBySig.set(r.signatureId, verdict);
      if (!latestBySig.has(r.signatureId)) {
        latestBySig.set(r.signatureId, {
          runId: r.runId,
          runStatus: parseEnumColumn(StoredRunStatusSchema, r.runStatus, { table: 'VerificationRun', column: 'status', id: r.runId }),
          createdAt: toDate(r.createdAt) ?? new Date(0),
          verdict,
        });
      }
    }

    // Images, with the tags seen pointing at them.
    const imageIds = [...new Set(sigs.map((s) => s.imageId))];
    const tagRows = await inChunks(imageIds, IN_CHUNK, (ids) =>
      db.tagObservation.groupBy({ by: ['imageId', 'tag'], where: { imageId: { in: ids } }, _min: { observedAt: true }, _max: { observedAt: true } }),
    );
    const images = new Map<string, IdentityImage>();
    for (const s of sigs) {
      let img = images.get(s.imageId);
      if (!img) {
        img = {
          image: s.image,
          tags: tagRows
            .filter((t) => t.imageId === s.imageId)
            .map((t) => ({ tag: t.tag, firstObservedAt: t._min.observedAt ?? new Date(0), lastObservedAt: t._max.observedAt ?? new Date(0) }))
            .sort((a, b) => b.lastObservedAt.getTime() - a.lastObservedAt.getTime()),
          signatures: 0,
          attestations: 0,
          bestVerdict: null,
          latestResult: null,
          firstSeenAt: s.firstSeenAt,
          signedAt: null,
        };
        images.set(s.imageId, img);
      }
      if (s.kind === 'attestation') img.attestations += 1;
      else img.signatures += 1;
      const best = bestBySig.get(s.id) ?? null;
      if (verdictRank(best) > verdictRank(img.bestVerdict)) img.bestVerdict = best;
      const latest = latestBySig.get(s.id) ?? null;
      if (latest && (!img.latestResult || latest.createdAt > img.latestResult.createdAt)) img.latestResult = latest;
      img.firstSeenAt = minDate(img.firstSeenAt, s.firstSeenAt)!;
      img.signedAt = maxDate(img.signedAt, s.rekorIntegratedTime);
    }

    // Certificates over time.
    const certCounts = new Map<string, number>();
    const certImages = new Map<string, Map<string, IdentityCertificate['images'][number]>>();
    for (const s of sigs) {
      if (!s.certificateId) continue;
      certCounts.set(s.certificateId, (certCounts.get(s.certificateId) ?? 0) + 1);
      const imgs = certImages.get(s.certificateId) ?? new Map<string, IdentityCertificate['images'][number]>();
      if (imgs.size < 10) imgs.set(s.image.id, s.image);
      certImages.set(s.certificateId, imgs);
    }
    // The newest MAX_DETAIL_CERTIFICATES certificates (by notBefore), shown oldest first.
    const certIds = [...certCounts.keys()];
    const certRows = (
      await inChunks(certIds, IN_CHUNK, (ids) =>
        db.certificate.findMany({
          where: { id: { in: ids } },
          select: { id: true, fingerprintSha256: true, issuer: true, notBefore: true, notAfter: true, extensions: true },
        }),
      )
    )
      .sort((a, b) => b.notBefore.getTime() - a.notBefore.getTime() || b.id.localeCompare(a.id))
      .slice(0, MAX_DETAIL_CERTIFICATES)
      .reverse();
    const certificates: IdentityCertificate[] = certRows.map((c) => {
      const ext = parseJsonColumn(CertificateExtensionsSchema, c.extensions, { table: 'Certificate', column: 'extensions', id: c.id });
      return {
        id: c.id,
        fingerprintSha256: c.fingerprintSha256,
        issuer: c.issuer,
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        sctCount: typeof ext.sctCount === 'number' ? ext.sctCount : null,
        claims: claimsFromExtensions(ext),
        signatures: certCounts.get(c.id) ?? 0,
        images: [...(certImages.get(c.id)?.values() ?? [])],
      };
    });

    const rekorEntries: RekorEntry[] = sigs
      .filter((s) => s.rekorLogIndex != null)
      .map((s) => ({
        signatureId: s.id,
        kind: s.kind,
        logIndex: String(s.rekorLogIndex),
        logId: s.rekorLogId,
        integratedTime: s.rekorIntegratedTime,
        image: s.image,
      }))
      .sort((a, b) => (b.integratedTime?.getTime() ?? 0) - (a.integratedTime?.getTime() ?? 0));

    return {
      summary,
      images: [...images.values()].sort((a, b) => (b.signedAt ?? b.firstSeenAt).getTime() - (a.signedAt ?? a.firstSeenAt).getTime()),
      certificates,
      rekorEntries,
      verdictCounts,
      truncated,
    };
  });
}

// ---------------------------------------------------------------------------
// One certificate

export interface CertificateDetailRecord {
  id: string;
  fingerprintSha256: string;
  pem: string;
  subject: string;
  issuer: string;
  identity: string | null;
  oidcIssuer: string | null;
  notBefore: Date;
  notAfter: Date;
  extensions: CertificateExtensions;
  firstSeenAt: Date;
}

export interface CertificateSignature {
  id: string;
  kind: string;
  format: string;
  predicateType: string | null;
  identity: string | null;
  oidcIssuer: string | null;
  firstSeenAt: Date;
  rekorLogIndex: string | null;
  rekorLogId: string | null;
  rekorIntegratedTime: Date | null;
  image: { id: string; registry: string; repository: string; digest: string };
  /** Newest run first. */
  results: Array<{
    id: string;
    verdict: Verdict;
    reasonCode: string | null;
    reason: string | null;
    platform: string | null;
    checks: Check[];
    run: { id: string; createdAt: Date; status: StoredRunStatus; trustRootName: string };
  }>;
}

export interface CertificateDetail {
  certificate: CertificateDetailRecord;
  signatureCount: number;
  signatures: CertificateSignature[];
  /** Distinct images signed with it. */
  images: Array<{ id: string; registry: string; repository: string; digest: string }>;
  /** The newest run that judged a signature made with it (its trusted root resolves the chain). */
  latestRun: { id: string; createdAt: Date; trustRootName: string; trustRootHash: string } | null;
}

/** A certificate with the signatures made with it, their images and verdicts; null if unknown. */
export function getCertificateDetail(db: Db, id: string, options: { signaturesLimit?: number; resultsLimit?: number } = {}): Promise<CertificateDetail | null> {
  return dbCall('Reading the certificate', async () => {
    const row = await db.certificate.findUnique({
      where: { id },
      include: {
        _count: { select: { signatures: true } },
        signatures: {
          orderBy: [{ firstSeenAt: 'desc' }, { id: 'desc' }],
          take: Math.min(1000, Math.max(1, options.signaturesLimit ?? 200)),
          select: {
            id: true,
            kind: true,
            format: true,
            predicateType: true,
            identity: true,
            oidcIssuer: true,
            firstSeenAt: true,
            rekorLogIndex: true,
            rekorLogId: true,
            rekorIntegratedTime: true,
            image: { select: { id: true, registry: true, repository: true, digest: true } },
            results: {
              orderBy: [{ run: { createdAt: 'desc' } }, { id: 'desc' }],
              take: Math.min(200, Math.max(1, options.resultsLimit ?? 20)),
              select: {
                id: true,
                verdict: true,
                reasonCode: true,
                reason: true,
                platform: true,
                checks: true,
                run: { select: { id: true, createdAt: true, status: true, trustRootName: true, trustRootHash: true } },
              },
            },
          },
        },
      },
    });
    if (!row) return null;
    const { _count, signatures, extensions, ...cert } = row;
    let latestRun: CertificateDetail['latestRun'] = null;
    const images = new Map<string, CertificateDetail['images'][number]>();
    const out: CertificateSignature[] = signatures.map((s) => {
      images.set(s.image.id, s.image);
      return {
        ...s,
        rekorLogIndex: s.rekorLogIndex == null ? null : String(s.rekorLogIndex),
        results: s.results.map((r) => {
          if (!latestRun || r.run.createdAt > latestRun.createdAt) {
            latestRun = { id: r.run.id, createdAt: r.run.createdAt, trustRootName: r.run.trustRootName, trustRootHash: r.run.trustRootHash };
          }
          const ref = (column: string) => ({ table: 'SignatureResult', column, id: r.id });
          return {
            id: r.id,
            verdict: parseEnumColumn(VerdictSchema, r.verdict, ref('verdict')),
            reasonCode: r.reasonCode,
            reason: r.reason,
            platform: r.platform,
            checks: parseJsonColumn(ChecksSchema, r.checks, ref('checks')),
            run: {
              id: r.run.id,
              createdAt: r.run.createdAt,
              trustRootName: r.run.trustRootName,
              status: parseEnumColumn(StoredRunStatusSchema, r.run.status, { table: 'VerificationRun', column: 'status', id: r.run.id }),
            },
          };
        }),
      };
    });
    return {
      certificate: { ...cert, extensions: parseJsonColumn(CertificateExtensionsSchema, extensions, { table: 'Certificate', column: 'extensions', id: row.id }) },
      signatureCount: _count.signatures,
      signatures: out,
      images: [...images.values()],
      latestRun,
    };
  });
}

/** Just the PEM and fingerprint of a certificate (for a download); null if unknown. */
export function getCertificatePem(db: Db, id: string): Promise<{ fingerprintSha256: string; pem: string } | null> {
  return dbCall('Reading the certificate', () => db.certificate.findUnique({ where: { id }, select: { fingerprintSha256: true, pem: true } }));
}
