/**
 * Named signing policies and their versions.
 *
 * A policy is a name; its content lives in versions. `savePolicy` parses and validates the
 * YAML, and adds version N+1 only when the parsed policy's hash differs from the latest
 * version's (re-importing the same policy, even reformatted, is a no-op). Versions are never
 * updated or deleted: a run records the version it used (VerificationRun.policyVersionId), so
 * changing a policy never rewrites what earlier runs said.
 */
import 'server-only';
import { SigscopeError, isSigscopeError } from '../errors';
import { parsePolicyYaml } from '../policy/parse';
import { canonicalJson, policyHash, ParsedPolicySchema, type ParsedPolicy } from '../policy/types';
import type { StoredEvidence } from '../policy/reevaluate';
import type { Db } from './client';
import type { PolicyVersion as PolicyVersionRow } from './generated/client';
import { ChecksSchema, PolicyJsonSchema, StoredRunStatusSchema, SummarySchema, parseEnumColumn, parseJsonColumn, type StoredRunStatus } from './types';

export const POLICY_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const POLICY_NAME_RULE = 'a policy name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit';

export type PolicyVersionRecord = Omit<PolicyVersionRow, 'parsed'> & { parsed: ParsedPolicy };
export type PolicyVersionSummary = Pick<PolicyVersionRow, 'id' | 'version' | 'createdAt' | 'hash'> & { runCount: number };

export interface PolicyListItem {
  id: string;
  name: string;
  createdAt: Date;
  latest: PolicyVersionRecord;
  versions: PolicyVersionSummary[];
  runCount: number;
}

export interface PolicyDetail {
  id: string;
  name: string;
  createdAt: Date;
  /** Newest first. */
  versions: Array<PolicyVersionRecord & { runCount: number }>;
}

export interface SavePolicyResult {
  policy: { id: string; name: string };
  version: PolicyVersionRecord;
  /** False when the latest version already had this content. */
  created: boolean;
}

async function dbCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isSigscopeError(e)) throw e;
    const message = e instanceof Error ? (e.message.trim().split('\n').filter(Boolean).slice(-1)[0] ?? e.message) : String(e);
    throw new SigscopeError('DATABASE', `${what} failed: ${message}`, { cause: e });
  }
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'P2002';
}

function toVersionRecord(row: PolicyVersionRow): PolicyVersionRecord {
  return { ...row, parsed: parseJsonColumn(ParsedPolicySchema, row.parsed, { table: 'PolicyVersion', column: 'parsed', id: row.id }) };
}

export function assertPolicyName(name: string): void {
  if (typeof name !== 'string' || !POLICY_NAME_RE.test(name)) throw new SigscopeError('INVALID_INPUT', `Invalid policy name ${JSON.stringify(String(name).slice(0, 80))}: ${POLICY_NAME_RULE}.`);
}

/**
 * Stores `yaml` as the policy `name`: a new policy (version 1), a new version (latest + 1) when
 * the parsed content changed, or nothing when it did not. Throws PolicyParseError (INVALID_POLICY,
 * with line-numbered issues) for a bad document, before touching the database.
 */
export async function savePolicy(db: Db, name: string, yaml: string): Promise<SavePolicyResult> {
  assertPolicyName(name);
  const parsed = parsePolicyYaml(yaml);
  const parsedJson = canonicalJson(parsed);
  const hash = policyHash(parsed);
  return dbCall('Saving the policy', async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.$transaction(
          async (tx) => {
            const policy = (await tx.policy.findUnique({ where: { name } })) ?? (await tx.policy.create({ data: { name } }));
            const latest = await tx.policyVersion.findFirst({ where: { policyId: policy.id }, orderBy: { version: 'desc' } });
            if (latest && latest.hash === hash) return { policy: { id: policy.id, name: policy.name }, version: toVersionRecord(latest), created: false };
            const row = await tx.policyVersion.create({ data: { policyId: policy.id, version: (latest?.version ?? 0) + 1, yaml, parsed: parsedJson, hash } });
            return { policy: { id: policy.id, name: policy.name }, version: toVersionRecord(row), created: true };
          },
          { maxWait: 20_000, timeout: 30_000 },
        );
      } catch (e) {
        // Two writers saving the same policy at once: the loser retries and sees the winner's row.
        if (isUniqueViolation(e) && attempt < 3) continue;
        throw e;
      }
    }
  });
}

async function runCounts(db: Db, versionIds: string[]): Promise<Map<string, number>> {
  if (versionIds.length === 0) return new Map();
  const groups = await db.verificationRun.groupBy({ by: ['policyVersionId'], where: { policyVersionId: { in: versionIds } }, _count: { _all: true } });
  return new Map(groups.map((g) => [g.policyVersionId ?? '', g._count._all]));
}

/** Every policy, by name, with its latest version (parsed) and its version list. */
export function listPolicies(db: Db): Promise<PolicyListItem[]> {
  return dbCall('Listing policies', async () => {
    const rows = await db.policy.findMany({ orderBy: { name: 'asc' }, include: { versions: { orderBy: { version: 'desc' } } } });
    const counts = await runCounts(db, rows.flatMap((r) => r.versions.map((v) => v.id)));
    return rows
      .filter((r) => r.versions.length > 0)
      .map((r) => {
        const versions = r.versions.map((v) => ({ id: v.id, version: v.version, createdAt: v.createdAt, hash: v.hash, runCount: counts.get(v.id) ?? 0 }));
        return {
          id: r.id,
          name: r.name,
          createdAt: r.createdAt,
          latest: toVersionRecord(r.versions[0]!),
          versions,
          runCount: versions.reduce((n, v) => n + v.runCount, 0),
        };
      });
  });
}

/** A policy by id or by name, with every version (newest first); null if unknown. */
export function getPolicy(db: Db, idOrName: string): Promise<PolicyDetail | null> {
  return dbCall('Reading the policy', async () => {
    if (typeof idOrName !== 'string' || idOrName.length === 0 || idOrName.length > 128) return null;
    const include = { versions: { orderBy: { version: 'desc' as const } } };
    const row = (await db.policy.findUnique({ where: { id: idOrName }, include })) ?? (await db.policy.findUnique({ where: { name: idOrName }, include }));
    if (!row) return null;
    const counts = await runCounts(db, row.versions.map((v) => v.id));
    return { id: row.id, name: row.name, createdAt: row.createdAt, versions: row.versions.map((v) => ({ ...toVersionRecord(v), runCount: counts.get(v.id) ?? 0 })) };
  });
}

export type PolicyVersionWithPolicy = PolicyVersionRecord & { policy: { id: string; name: string } };

/** One version by its id; null if unknown. */
export function getPolicyVersion(db: Db, id: string): Promise<PolicyVersionWithPolicy | null> {
  return dbCall('Reading the policy version', async () => {
    if (typeof id !== 'string' || id.length === 0 || id.length > 128) return null;
    const row = await db.policyVersion.findUnique({ where: { id }, include: { policy: { select: { id: true, name: true } } } });
    if (!row) return null;
    const { policy, ...version } = row;
    return { ...toVersionRecord(version), policy };
  });
}

/** The latest version of a policy named (or with id) `idOrName`; null if unknown. */
export async function latestPolicyVersion(db: Db, idOrName: string): Promise<PolicyVersionWithPolicy | null> {
  const p = await getPolicy(db, idOrName);
  const v = p?.versions[0];
  if (!p || !v) return null;
  const { runCount: _runCount, ...version } = v;
  return { ...version, policy: { id: p.id, name: p.name } };
}

export interface PolicyRunItem {
  id: string;
  createdAt: Date;
  input: string;
  status: StoredRunStatus;
  summary: string;
  /** The policy verdict the run recorded (pass, fail, warn, no-match, error). */
  verdict: string | null;
  policyVersionId: string;
  version: number;
  image: { id: string; registry: string; repository: string; digest: string } | null;
}

/** Runs that used a version of this policy, newest first. */
export function listPolicyRuns(db: Db, policyId: string, options: { limit?: number } = {}): Promise<PolicyRunItem[]> {
  return dbCall('Listing the runs of a policy', async () => {
    const versions = await db.policyVersion.findMany({ where: { policyId }, select: { id: true, version: true } });
    if (versions.length === 0) return [];
    const byId = new Map(versions.map((v) => [v.id, v.version]));
    const rows = await db.verificationRun.findMany({
      where: { policyVersionId: { in: [...byId.keys()] } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: Math.min(500, Math.max(1, options.limit ?? 50)),
      include: { image: { select: { id: true, registry: true, repository: true, digest: true } } },
    });
    return rows.map((r) => {
      const summary = parseJsonColumn(SummarySchema, r.summary, { table: 'VerificationRun', column: 'summary', id: r.id });
      return {
        id: r.id,
        createdAt: r.createdAt,
        input: r.input,
        status: parseEnumColumn(StoredRunStatusSchema, r.status, { table: 'VerificationRun', column: 'status', id: r.id }),
        summary: typeof summary.text === 'string' ? summary.text : '',
        verdict: summary.policy && typeof summary.policy === 'object' && typeof (summary.policy as { verdict?: unknown }).verdict === 'string' ? (summary.policy as { verdict: string }).verdict : null,
        policyVersionId: r.policyVersionId!,
        version: byId.get(r.policyVersionId!) ?? 0,
        image: r.image,
      };
    });
  });
}

/**
 * The latest finished run of each image whose `registry/repository` passes `filter` (at most
 * `limit` images, by repository), with its per-signature results, signatures and certificates:
 * what a re-evaluation works from. Read-only.
 */
export function latestEvidence(db: Db, filter: (name: string) => boolean, options: { limit?: number } = {}): Promise<{ evidence: StoredEvidence[]; truncated: boolean }> {
  return dbCall('Reading stored evidence', async () => {
    const limit = Math.min(500, Math.max(1, options.limit ?? 200));
    const images = (await db.image.findMany({ select: { id: true, registry: true, repository: true, digest: true }, orderBy: [{ registry: 'asc' }, { repository: 'asc' }, { firstSeenAt: 'desc' }, { id: 'asc' }] })).filter((i) =>
      filter(`${i.registry}/${i.repository}`),
    );
    const chosen = images.slice(0, limit);
    const versionNames = new Map<string, { name: string; version: number }>();
    const evidence: StoredEvidence[] = [];
    for (const image of chosen) {
      const run = await db.verificationRun.findFirst({
        where: { imageId: image.id, finishedAt: { not: null }, status: { not: 'error' } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        include: { results: { orderBy: { id: 'asc' }, include: { signature: { include: { certificate: { select: { pem: true } } } } } } },
      });
      if (!run) continue;
      const ref = (column: string) => ({ table: 'VerificationRun', column, id: run.id });
      let usedPolicy: StoredEvidence['run']['usedPolicy'] = null;
      if (run.policyVersionId) {
        let v = versionNames.get(run.policyVersionId);
        if (!v) {
          const row = await db.policyVersion.findUnique({ where: { id: run.policyVersionId }, select: { version: true, policy: { select: { name: true } } } });
          v = row ? { name: row.policy.name, version: row.version } : { name: '(deleted)', version: 0 };
          versionNames.set(run.policyVersionId, v);
        }
        usedPolicy = { versionId: run.policyVersionId, ...v };
      }
      evidence.push({
        image: { ...image, tag: run.tag },
        run: {
          id: run.id,
          createdAt: run.createdAt,
          status: parseEnumColumn(StoredRunStatusSchema, run.status, ref('status')),
          policy: parseJsonColumn(PolicyJsonSchema, run.policy, ref('policy')),
          summary: parseJsonColumn(SummarySchema, run.summary, ref('summary')),
          usedPolicy,
        },
        signatures: run.results.map((r) => {
          const sig = r.signature;
          return {
            resultId: r.id,
            kind: (sig?.kind ?? 'cosign-sig') as StoredEvidence['signatures'][number]['kind'],
            platform: r.platform,
            verdict: r.verdict as StoredEvidence['signatures'][number]['verdict'],
            reasonCode: r.reasonCode,
            reason: r.reason,
            checks: parseJsonColumn(ChecksSchema, r.checks, { table: 'SignatureResult', column: 'checks', id: r.id }),
            certificatePem: sig?.certificate?.pem ?? null,
            publicKeyFingerprint: sig?.publicKeyFingerprint ?? null,
            predicateType: sig?.predicateType ?? null,
            statement: sig?.statement ?? null,
            identity: r.identity ?? sig?.identity ?? null,
          };
        }),
      });
    }
    return { evidence, truncated: images.length > chosen.length };
  });
}
