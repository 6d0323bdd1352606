/**
 * What every item of one scan shares: the stored job, its spec, the policy (as a
 * run request's policy fields), the tag filter and one registry client. Built from
 * the job row alone, so any worker on any machine can rebuild it.
 */
import 'server-only';
import { z } from 'zod';
import { SigscopeError } from '../../errors';
import { RegistryClient } from '../../oci/client';
import { registryCredentials } from '../../secrets/registry-credentials';
import { readSettings } from '../../settings';
import type { Db } from '../../db';
import { getScanJob, type RepositoryHistory } from '../../db/scans';
import { parseTargets, ScanSpecSchema, type ScanSpec } from './targets';
import { compileTagFilter } from './tag-filter';
import { compilePolicy } from '../../verify/policy';
import { VerifyThreads } from '../../verify/verify-thread';
import type { LoadedTrustRoot } from '../../verify/trust-root';
import { resolveTrustRoot } from '../run-verification';

/** How a scan stores its policy choice (ScanJob.policy). */
export const ScanPolicySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('adhoc'), policy: z.record(z.string(), z.unknown()) }),
  z.object({ kind: z.literal('named'), policyName: z.string(), policyVersionId: z.string(), version: z.number().int() }),
]);
export type ScanPolicy = z.infer<typeof ScanPolicySchema>;

export interface ScanContext {
  db: Db;
  scanId: string;
  spec: ScanSpec;
  policy: ScanPolicy;
  policyHash: string;
  trustRootChoice: string;
  trustRootHash: string;
  source: 'cli' | 'web' | 'demo';
  filterTags: (tags: readonly string[]) => string[];
  client: RegistryClient;
  /** Per repository, read once: last digest per tag, reusable verdicts per digest (lib/db/scans.ts repositoryHistory). */
  repositoryHistory: Map<string, Promise<RepositoryHistory>>;
  /** Per repository: its tag list has been given to the client (see RegistryClient.useTagSnapshot). */
  tagSnapshots: Map<string, Promise<void>>;
  /** Whether the scan lists whole repositories (then their tag lists are worth reading). */
  expandsRepositories: boolean;
  /** Verification threads (the CLI's scans and workers); without, signatures are verified on the main thread. */
  verifyThreads?: VerifyThreads;
  /** The scan's trusted root, loaded for its images and checked again every few seconds (a failure is left to each run to record). */
  trustRoot: () => LoadedTrustRoot | undefined;
}

export interface ScanContextOptions {
  /** Verify cosign signatures on a worker thread (needs the CLI bundle or tsx: not inside Next.js). */
  verifyOffThread?: boolean;
}

/** The spec as stored: the user's spec plus the trust-root choice. */
export const StoredSpecSchema = ScanSpecSchema.extend({ trustRoot: z.string().max(4096) });

export async function loadScanContext(db: Db, scanId: string, options: ScanContextOptions = {}): Promise<ScanContext> {
  const job = await getScanJob(db, scanId);
  if (!job) throw new SigscopeError('INVALID_INPUT', `no scan ${JSON.stringify(scanId)}`);
  let spec: z.output<typeof StoredSpecSchema>;
  let policy: ScanPolicy;
  try {
    spec = StoredSpecSchema.parse(JSON.parse(job.spec));
    policy = ScanPolicySchema.parse(JSON.parse(job.policy));
  } catch (e) {
    throw new SigscopeError('DATABASE', `scan ${scanId} has an unreadable spec or policy: ${(e as Error).message}`, { cause: e });
  }
  const source = job.source === 'web' || job.source === 'demo' ? job.source : 'cli';
  const settings = readSettings();
  const client = new RegistryClient({ allowHttp: [...settings.allowHttpRegistries, ...spec.allowHttpRegistries], credentials: await registryCredentials(db), rememberReferrersSupport: true });
  const ctx: ScanContext = {
    db,
    scanId,
    spec,
    policy,
    policyHash: job.policyHash,
    trustRootChoice: spec.trustRoot,
    trustRootHash: job.trustRootHash,
    source,
    filterTags: compileTagFilter(spec.tags),
    client,
    repositoryHistory: new Map(),
    tagSnapshots: new Map(),
    expandsRepositories: parseTargets(spec.targets).some((t) => t.kind !== 'image'),
    ...(options.verifyOffThread ? { verifyThreads: new VerifyThreads() } : {}),
    trustRoot: loadFresh(() => resolveTrustRoot(spec.trustRoot, source === 'cli'), TRUST_ROOT_RECHECK_MS),
  };
  warmVerifyThread(ctx);
  return ctx;
}

/**
 * Starts the scan's verification thread now: it loads its modules (half a second of CPU) on the
 * other core while this one lists repositories and fetches the first manifests, instead of the
 * first signatures waiting for it. Items verify under an ad hoc policy through this same thread
 * (VerifyThreads keys threads by policy and trusted root).
 */
function warmVerifyThread(ctx: ScanContext): void {
  if (!ctx.verifyThreads || ctx.policy.kind !== 'adhoc') return;
  const trust = ctx.trustRoot();
  if (!trust) return; // each item's run records why the trusted root did not load
  try {
    ctx.verifyThreads.verifierFor(compilePolicy(ctx.policy.policy), ctx.policy.policy, trust).warm();
  } catch {
    // An invalid policy is recorded by each item's run, as without the thread.
  }
}

/** How long a scan uses its loaded trusted root before checking the file again (a root edited to drop a key takes effect). */
const TRUST_ROOT_RECHECK_MS = 5_000;

/** The value, recomputed when older than `maxAgeMs`; undefined (tried again next time) when that throws. */
function loadFresh<T>(load: () => T, maxAgeMs: number): () => T | undefined {
  let cached: { value: T; at: number } | undefined;
  return () => {
    if (cached && Date.now() - cached.at < maxAgeMs) return cached.value;
    try {
      cached = { value: load(), at: Date.now() };
      return cached.value;
    } catch {
      cached = undefined;
      return undefined;
    }
  };
}
