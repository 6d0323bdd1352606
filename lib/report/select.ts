/**
 * Which stored runs a report covers, and their rows, read from the database only: a report
 * never verifies again and never reaches a registry.
 *
 * Selection: the finished runs matching the scope (and the policy, when one is named: runs
 * recorded with that policy version, or with its content hash), newest first; the first one
 * seen per image digest is that image's row. Runs that could not resolve an image (registry
 * errors) are kept once per input, when the input falls in the scope.
 *
 * Rows are then read in pages (`loadRows` is an async generator), so a 10k-row export never
 * holds every run, result and certificate in memory at once.
 */
import 'server-only';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SigscopeError } from '../errors';
import type { Db } from '../db/client';
import { projectRoot } from '../db/paths';
import { claimsFromExtensions } from '../db/identities';
import { listFindings } from '../db/findings';
import { parseReference } from '../oci/reference';
import type { Prisma } from '../db/generated/client';
import { inOrganization, scopeLabel } from './scope';
import {
  REPORT_SCHEMA_ID,
  type GithubClaims,
  type ReportFinding,
  type ReportHeader,
  type ReportPolicy,
  type ReportRow,
  type ReportSummary,
  type RowVerdict,
  type Scope,
} from './types';

export interface SelectedRun {
  runId: string;
  imageId: string | null;
  status: RowVerdict;
  registry: string;
  repository: string;
  digest: string | null;
  input: string;
  trustRootName: string;
  trustRootHash: string;
}

export interface Selection {
  scope: Scope;
  policy: (ReportPolicy & { versionId: string }) | null;
  runs: SelectedRun[];
  summary: ReportSummary;
  trustRoots: Array<{ name: string; hash: string }>;
}

const VERDICTS: readonly RowVerdict[] = ['verified', 'signed-unchecked', 'failed', 'unsigned', 'error'];

let versionCache: string | undefined;
/** Sigscope's version, from package.json. */
export function sigscopeVersion(): string {
  if (versionCache) return versionCache;
  try {
    const pkg = JSON.parse(readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    versionCache = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    versionCache = '0.0.0';
  }
  return versionCache;
}

/** The policy a report is made under: a stored policy's latest version, or version N of it. */
export async function resolvePolicy(db: Db, name: string, version?: number): Promise<ReportPolicy & { versionId: string }> {
  const p = await db.policy.findFirst({
    where: { OR: [{ name }, { id: name }] },
    select: { name: true, versions: { orderBy: { version: 'desc' }, select: { id: true, version: true, hash: true } } },
  });
  if (!p) throw new SigscopeError('INVALID_INPUT', `There is no stored policy named ${JSON.stringify(name.slice(0, 80))} (see /policies or \`sigscope policy import\`).`);
  const v = version === undefined ? p.versions[0] : p.versions.find((x) => x.version === version);
  if (!v) throw new SigscopeError('INVALID_INPUT', `Policy ${p.name} has no version ${version ?? '(none stored)'}.`);
  return { name: p.name, version: v.version, hash: v.hash, versionId: v.id };
}

/** The digest a tag was last seen pointing at (stored tag observations only). */
async function digestOfTag(db: Db, registry: string, repository: string, tag: string): Promise<string | null> {
  const obs = await db.tagObservation.findFirst({
    where: { tag, image: { is: { registry, repository } } },
    orderBy: [{ observedAt: 'desc' }, { id: 'desc' }],
    select: { digest: true },
  });
  return obs?.digest ?? null;
}

interface ScopeFilter {
  /** Runs with an image. */
  imageRuns: Prisma.VerificationRunWhereInput | null;
  /** Runs without an image (null: none belong to the scope). */
  imagelessRuns: Prisma.VerificationRunWhereInput | null;
  /** Post-filter of an image row (exact matching where the query is approximate). */
  keepImage: (registry: string, repository: string) => boolean;
  /** Post-filter of an imageless run by its input. */
  keepInput: (input: string) => boolean;
}

function refOf(input: string): { registry: string; repository: string } | null {
  try {
    const r = parseReference(input);
    return { registry: r.registry, repository: r.repository };
  } catch {
    return null;
  }
}

async function scopeFilter(db: Db, scope: Scope): Promise<ScopeFilter> {
  const all = () => true;
  switch (scope.kind) {
    case 'image': {
      let ref;
      try {
        ref = parseReference(scope.reference);
      } catch (e) {
        throw new SigscopeError('INVALID_INPUT', `scope image: ${(e as Error).message}`);
      }
      const digest = ref.digest ?? (ref.tag ? await digestOfTag(db, ref.registry, ref.repository, ref.tag) : null);
      return {
        imageRuns: digest ? { image: { is: { registry: ref.registry, repository: ref.repository, digest } } } : null,
        imagelessRuns: { imageId: null, input: scope.reference },
        keepImage: all,
        keepInput: all,
      };
    }
    case 'repository':
      return {
        imageRuns: { image: { is: { registry: scope.registry, repository: scope.repository } } },
        imagelessRuns: { imageId: null, input: { startsWith: `${scope.registry}/${scope.repository}` } },
        keepImage: (reg, repo) => reg === scope.registry && repo === scope.repository,
        keepInput: (input) => {
          const r = refOf(input);
          return r !== null && r.registry === scope.registry && r.repository === scope.repository;
        },
      };
    case 'organization':
      return {
        imageRuns: { image: { is: { registry: scope.registry, ...(scope.prefix ? { repository: { startsWith: scope.prefix } } : {}) } } },
        imagelessRuns: { imageId: null, input: { startsWith: `${scope.registry}/${scope.prefix}` } },
        keepImage: (reg, repo) => inOrganization(scope, reg, repo),
        keepInput: (input) => {
          const r = refOf(input);
          return r !== null && inOrganization(scope, r.registry, r.repository);
        },
      };
    case 'scan':
      return { imageRuns: { scanId: scope.scanId, imageId: { not: null } }, imagelessRuns: { scanId: scope.scanId, imageId: null }, keepImage: all, keepInput: all };
    case 'identity': {
      const signed: Prisma.SignatureWhereInput = scope.fingerprint
        ? { publicKeyFingerprint: scope.fingerprint }
        : { identity: scope.subject, ...(scope.issuer ? { oidcIssuer: scope.issuer } : {}) };
      return { imageRuns: { image: { is: { signatures: { some: signed } } } }, imagelessRuns: null, keepImage: all, keepInput: all };
    }
    case 'window': {
      const createdAt = { gte: new Date(scope.from), lt: new Date(scope.to) };
      return { imageRuns: { createdAt, imageId: { not: null } }, imagelessRuns: { createdAt, imageId: null }, keepImage: all, keepInput: all };
    }
  }
}

function compareRuns(a: SelectedRun, b: SelectedRun): number {
  // Image rows first, by registry / repository / digest; then unresolved inputs.
  if ((a.digest === null) !== (b.digest === null)) return a.digest === null ? 1 : -1;
  return a.registry.localeCompare(b.registry, 'en') || a.repository.localeCompare(b.repository, 'en') || (a.digest ?? '').localeCompare(b.digest ?? '', 'en') || a.input.localeCompare(b.input, 'en');
}

export function summarize(statuses: Iterable<RowVerdict>): ReportSummary {
  const s: ReportSummary = { total: 0, verified: 0, signedUnchecked: 0, failed: 0, unsigned: 0, errors: 0, coveragePercent: 0 };
  for (const v of statuses) {
    s.total++;
    if (v === 'verified') s.verified++;
    else if (v === 'signed-unchecked') s.signedUnchecked++;
    else if (v === 'failed') s.failed++;
    else if (v === 'unsigned') s.unsigned++;
    else s.errors++;
  }
  s.coveragePercent = s.total === 0 ? 0 : Math.round((s.verified / s.total) * 1000) / 10;
  return s;
}

/** The runs a report covers (one per image digest), with the counts. */
export async function selectRuns(db: Db, scope: Scope, policyName?: string | null, policyVersion?: number): Promise<Selection> {
  const policy = policyName ? await resolvePolicy(db, policyName, policyVersion) : null;
  const filter = await scopeFilter(db, scope);
  const underPolicy: Prisma.VerificationRunWhereInput = policy ? { OR: [{ policyVersionId: policy.versionId }, { policyHash: policy.hash }] } : {};
  const finished: Prisma.VerificationRunWhereInput = { status: { not: 'running' } };
  const select = {
    id: true,
    imageId: true,
    input: true,
    status: true,
    trustRootName: true,
    trustRootHash: true,
    image: { select: { registry: true, repository: true, digest: true } },
  } as const;
  const orderBy = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
  const [withImage, without] = await Promise.all([
    filter.imageRuns ? db.verificationRun.findMany({ where: { AND: [filter.imageRuns, underPolicy, finished] }, select, orderBy }) : Promise.resolve([]),
    filter.imagelessRuns ? db.verificationRun.findMany({ where: { AND: [filter.imagelessRuns, underPolicy, finished] }, select, orderBy }) : Promise.resolve([]),
  ]);
  const byKey = new Map<string, SelectedRun>();
  for (const r of [...withImage, ...without]) {
    const status = (VERDICTS as readonly string[]).includes(r.status) ? (r.status as RowVerdict) : 'error';
    if (r.image) {
      if (!filter.keepImage(r.image.registry, r.image.repository)) continue;
      const key = `i:${r.imageId}`;
      if (!byKey.has(key)) byKey.set(key, { runId: r.id, imageId: r.imageId, status, ...r.image, input: r.input, trustRootName: r.trustRootName, trustRootHash: r.trustRootHash });
    } else {
      if (!filter.keepInput(r.input)) continue;
      const key = `u:${r.input}`;
      const ref = refOf(r.input);
      if (!byKey.has(key)) byKey.set(key, { runId: r.id, imageId: null, status, registry: ref?.registry ?? '', repository: ref?.repository ?? '', digest: null, input: r.input, trustRootName: r.trustRootName, trustRootHash: r.trustRootHash });
    }
  }
  const runs = [...byKey.values()].sort(compareRuns);
  const roots = new Map<string, { name: string; hash: string }>();
  for (const r of runs) roots.set(`${r.trustRootName}\u0000${r.trustRootHash}`, { name: r.trustRootName, hash: r.trustRootHash });
  const trustRoots = [...roots.values()].sort((a, b) => a.name.localeCompare(b.name, 'en') || a.hash.localeCompare(b.hash, 'en'));
  return { scope, policy, runs, summary: summarize(runs.map((r) => r.status)), trustRoots };
}

export function reportHeader(selection: Selection, generatedAt: Date): ReportHeader {
  const policy = selection.policy ? { name: selection.policy.name, version: selection.policy.version, hash: selection.policy.hash } : null;
  return {
    reportFormat: REPORT_SCHEMA_ID,
    generatedAt: generatedAt.toISOString(),
    sigscopeVersion: sigscopeVersion(),
    scope: { ...selection.scope, label: scopeLabel(selection.scope) },
    policy,
    trustRoots: selection.trustRoots,
    summary: selection.summary,
  };
}

// ---------------------------------------------------------------------------
// Rows

/** A stored signature behind a row, as the evidence archive needs it. */
export interface RowSignature {
  signatureId: string;
  kind: string;
  format: string;
  source: string;
  signatureB64: string;
  payloadDigest: string;
  predicateType: string | null;
  statement: string | null;
  certificatePem: string | null;
  certificateFingerprint: string | null;
  publicKeyFingerprint: string | null;
  identity: string | null;
  oidcIssuer: string | null;
  rekorLogIndex: string | null;
  rekorLogId: string | null;
  rekorIntegratedTime: string | null;
  verdict: string;
  reasonCode: string | null;
  reason: string | null;
  platform: string | null;
}

export interface LoadedRow {
  row: ReportRow;
  signatures: RowSignature[];
  /** Platform manifest digests of the image (an index), for the evidence check. */
  platformDigests: string[];
  /** The run's policy (JSON text), with its stored policy version's when it has one: public keys of key signers live there. */
  runPolicy: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function githubClaims(extensions: string | null): GithubClaims | null {
  if (!extensions) return null;
  let ext: Record<string, unknown>;
  try {
    const parsed = JSON.parse(extensions) as unknown;
    if (!parsed || typeof parsed !== 'object') return null;
    ext = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const c = claimsFromExtensions(ext);
  if (!c) return null;
  const out: GithubClaims = {
    ...(c.repository ? { repository: c.repository } : {}),
    ...(c.ref ? { ref: c.ref } : {}),
    ...(c.trigger ? { trigger: c.trigger } : {}),
    ...(c.workflow ? { workflow: c.workflow } : {}),
    ...(c.workflowName ? { workflowName: c.workflowName } : {}),
    ...(c.commit ? { commit: c.commit } : {}),
    ...(c.runnerEnvironment ? { runnerEnvironment: c.runnerEnvironment } : {}),
    ...(c.runInvocation ? { runInvocation: c.runInvocation } : {}),
  };
  return Object.keys(out).length ? out : null;
}

function platformLabel(p: unknown): string | null {
  if (!p || typeof p !== 'object') return null;
  const o = p as Record<string, unknown>;
  const os = str(o.os);
  const arch = str(o.architecture);
  if (!os || !arch) return null;
  return [os, arch, str(o.variant)].filter(Boolean).join('/');
}

type RunWithEverything = Prisma.VerificationRunGetPayload<{
  include: {
    image: { include: { tagObservations: { select: { tag: true; digest: true } } } };
    results: { include: { signature: { include: { certificate: true } } } };
  };
}>;

const RANK: Record<string, number> = { verified: 0, 'signed-unchecked': 1, failed: 2 };

function toLoadedRow(sel: SelectedRun, run: RunWithEverything): LoadedRow {
  const image = run.image;
  let platforms: unknown[] = [];
  if (image) {
    try {
      const parsed = JSON.parse(image.platforms) as unknown;
      platforms = Array.isArray(parsed) ? parsed : [];
    } catch {
      throw new SigscopeError('DATABASE', `Corrupt database row: Image ${image.id} column "platforms" is not valid JSON.`);
    }
  }
  const tags = image ? [...new Set(image.tagObservations.filter((t) => t.digest === image.digest).map((t) => t.tag))].sort() : run.tag ? [run.tag] : [];
  const results = [...run.results].sort((a, b) => {
    const att = Number(a.signature?.kind === 'attestation') - Number(b.signature?.kind === 'attestation');
    return att || (RANK[a.verdict] ?? 3) - (RANK[b.verdict] ?? 3) || (a.signature?.id ?? a.id).localeCompare(b.signature?.id ?? b.id, 'en');
  });
  const best = results[0];
  const bestSig = best?.signature ?? null;
  let reasonCode: string | null = null;
  let reason: string | null = null;
  if (sel.status === 'error') {
    reasonCode = run.errorCode;
    reason = run.errorMessage;
  } else if (sel.status !== 'verified') {
    const failing = results.find((r) => r.verdict !== 'verified');
    reasonCode = failing?.reasonCode ?? null;
    reason = failing?.reason ?? null;
    if (!reason) {
      try {
        const summary = JSON.parse(run.summary) as { text?: unknown };
        reason = str(summary.text) ?? null;
      } catch {
        reason = null;
      }
    }
  }
  const signatures: RowSignature[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    const s = r.signature;
    if (!s || seen.has(s.id)) continue;
    seen.add(s.id);
    signatures.push({
      signatureId: s.id,
      kind: s.kind,
      format: s.format,
      source: s.source,
      signatureB64: s.signatureB64,
      payloadDigest: s.payloadDigest,
      predicateType: s.predicateType,
      statement: s.statement,
      certificatePem: s.certificate?.pem ?? null,
      certificateFingerprint: s.certificate?.fingerprintSha256 ?? null,
      publicKeyFingerprint: s.publicKeyFingerprint,
      identity: s.identity,
      oidcIssuer: s.oidcIssuer,
      rekorLogIndex: s.rekorLogIndex === null ? null : s.rekorLogIndex.toString(),
      rekorLogId: s.rekorLogId,
      rekorIntegratedTime: s.rekorIntegratedTime?.toISOString() ?? null,
      verdict: r.verdict,
      reasonCode: r.reasonCode,
      reason: r.reason,
      platform: r.platform,
    });
  }
  const attestations = [...new Set(signatures.filter((s) => s.kind === 'attestation' && s.predicateType).map((s) => s.predicateType!))].sort();
  const row: ReportRow = {
    registry: sel.registry,
    repository: sel.repository,
    digest: image?.digest ?? null,
    input: run.input,
    tags,
    platforms: platforms.map(platformLabel).filter((p): p is string => p !== null),
    verdict: sel.status,
    reasonCode,
    reason,
    runId: run.id,
    runAt: run.createdAt.toISOString(),
    policyHash: run.policyHash,
    trustRoot: run.trustRootName,
    signer: bestSig && (bestSig.identity || bestSig.publicKeyFingerprint) ? { identity: bestSig.identity, issuer: bestSig.oidcIssuer, keyFingerprint: bestSig.publicKeyFingerprint } : null,
    github: githubClaims(bestSig?.certificate?.extensions ?? null),
    certificateFingerprint: bestSig?.certificate?.fingerprintSha256 ?? null,
    rekor: bestSig?.rekorLogIndex != null ? { logIndex: bestSig.rekorLogIndex.toString(), logId: bestSig.rekorLogId, integratedTime: bestSig.rekorIntegratedTime?.toISOString() ?? null } : null,
    attestations,
    signatureCount: signatures.filter((s) => s.kind !== 'attestation').length,
  };
  const platformDigests = platforms.map((p) => (p && typeof p === 'object' ? str((p as Record<string, unknown>).digest) : undefined)).filter((d): d is string => d !== undefined);
  return { row, signatures, platformDigests, runPolicy: run.policy };
}

/** Rows in selection order, read `pageSize` runs at a time. */
export async function* loadRows(db: Db, selection: Pick<Selection, 'runs'>, pageSize = 200): AsyncGenerator<LoadedRow> {
  for (let i = 0; i < selection.runs.length; i += pageSize) {
    const page = selection.runs.slice(i, i + pageSize);
    const rows = await db.verificationRun.findMany({
      where: { id: { in: page.map((r) => r.runId) } },
      include: {
        image: { include: { tagObservations: { select: { tag: true, digest: true } } } },
        results: { include: { signature: { include: { certificate: true } } } },
      },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    // Stored policies hold key signers' public keys (ad hoc runs keep only fingerprints).
    const versionIds = [...new Set(rows.map((r) => r.policyVersionId).filter((v): v is string => v !== null))];
    const versions = versionIds.length ? new Map((await db.policyVersion.findMany({ where: { id: { in: versionIds } }, select: { id: true, parsed: true } })).map((v) => [v.id, v.parsed])) : new Map<string, string>();
    for (const sel of page) {
      const run = byId.get(sel.runId);
      if (!run) throw new SigscopeError('DATABASE', `Run ${sel.runId} disappeared while the report was being written.`);
      const loaded = toLoadedRow(sel, run);
      const parsed = run.policyVersionId ? versions.get(run.policyVersionId) : undefined;
      yield parsed ? { ...loaded, runPolicy: `[${run.policy},${parsed}]` } : loaded;
    }
  }
}

/** Drift findings of the repositories in the report (and, for a window, detected within it), with their latest acknowledgement. */
export async function loadFindings(db: Db, selection: Pick<Selection, 'runs' | 'scope'>): Promise<ReportFinding[]> {
  const repos = new Set(selection.runs.filter((r) => r.digest !== null).map((r) => `${r.registry}/${r.repository}`));
  if (repos.size === 0) return [];
  const { findings } = await listFindings(db);
  const scope = selection.scope;
  const inWindow = (d: Date) => scope.kind !== 'window' || (d >= new Date(scope.from) && d < new Date(scope.to));
  return findings
    .filter((f) => repos.has(`${f.registry}/${f.repository}`) && inWindow(f.detectedAt))
    .map((f) => ({
      key: f.key,
      kind: f.kind,
      severity: f.severity,
      registry: f.registry,
      repository: f.repository,
      title: f.title,
      detail: f.detail,
      detectedAt: f.detectedAt.toISOString(),
      status: f.status,
      acknowledgement: f.lastAck ? { action: f.lastAck.action, note: f.lastAck.note, actor: f.lastAck.actor, at: f.lastAck.createdAt.toISOString() } : null,
    }));
}
