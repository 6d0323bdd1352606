/**
 * Creating a scan: validate the spec, resolve the policy (a named policy is pinned to
 * its latest version now, so every item of the scan uses the same one) and the trust
 * root, then store the job with one item per target. Nothing is fetched here.
 */
import 'server-only';
import { SigscopeError } from '../../errors';
import { compilePolicy } from '../../verify/policy';
import { PUBLIC_GOOD } from '../../verify/trust-root';
import type { Db } from '../../db';
import { latestPolicyVersion } from '../../db/policies';
import { createScan, type NewItem } from '../../db/scans';
import { resolveTrustRoot } from '../run-verification';
import type { ScanPolicy } from './context';
import { ScanSpecSchema, parseTargets, type ScanSpecInput } from './targets';
import { compileTagFilter } from './tag-filter';

export interface CreateScanRequest extends ScanSpecInput {
  /** An ad hoc policy (as `verify` takes), or… */
  policy?: unknown;
  /** …a stored policy by name (its latest version). */
  policyName?: string;
  /** 'public-good', a configured root's name, or (CLI) a file path. */
  trustRoot?: string;
  source: 'cli' | 'web' | 'demo' | 'bench';
  actor?: string;
  runner?: 'in-process' | 'queue';
}

export async function createScanJob(db: Db, request: CreateScanRequest): Promise<{ id: string; itemIds: string[] }> {
  const { policy, policyName, trustRoot, source, actor, runner, ...specInput } = request;
  const parsed = ScanSpecSchema.safeParse(specInput);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new SigscopeError('INVALID_INPUT', `scan: ${first ? `${first.path.join('.') || 'input'}: ${first.message}` : 'invalid input'}`);
  }
  const spec = parsed.data;
  compileTagFilter(spec.tags); // a bad glob or range is refused before anything is stored
  const targets = parseTargets(spec.targets);

  let scanPolicy: ScanPolicy;
  let policyHash: string;
  let policyVersionId: string | null = null;
  if (policyName) {
    if (policy !== undefined) throw new SigscopeError('INVALID_INPUT', 'give either a policy or a policy name, not both');
    const v = await latestPolicyVersion(db, policyName);
    if (!v) throw new SigscopeError('INVALID_POLICY', `no stored policy named ${JSON.stringify(policyName)} (import it first)`);
    scanPolicy = { kind: 'named', policyName: v.policy.name, policyVersionId: v.id, version: v.version };
    policyHash = v.hash;
    policyVersionId = v.id;
  } else {
    const compiled = compilePolicy(policy);
    // The policy as given (validated above): each run compiles it again to the same hash.
    scanPolicy = { kind: 'adhoc', policy: (policy ?? {}) as Record<string, unknown> };
    policyHash = compiled.hash;
  }
  const trustChoice = trustRoot ?? PUBLIC_GOOD;
  const trust = resolveTrustRoot(trustChoice, source === 'cli' || source === 'bench');

  const items: NewItem[] = targets.map((t) =>
    t.kind === 'catalog'
      ? { kind: 'catalog', registry: t.registry, repository: t.prefix }
      : t.kind === 'repository'
        ? { kind: 'repository', registry: t.registry, repository: t.repository }
        : { kind: 'image', registry: t.registry, repository: t.repository, tag: t.tag ?? '', digest: t.digest ?? null },
  );
  return createScan(db, {
    spec: { ...spec, trustRoot: trustChoice },
    policy: scanPolicy,
    policyVersionId,
    policyHash,
    trustRootName: trust.name,
    trustRootHash: trust.hash,
    source,
    actor,
    runner: runner ?? 'in-process',
    items,
  });
}
