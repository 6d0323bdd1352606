/**
 * A generated organization on the sandbox registry, for scan tests, the demo and the
 * benchmark: `repos` repositories under a prefix, `tags` tagged images each, signed the
 * way real organizations are — keyless from the release workflow, with a cosign key
 * (logged in Rekor), a few from the wrong branch, a few unsigned — and optionally one
 * multi-arch index per repository. Every image is distinct (own digest) and really signed.
 */
import type { KeyObject } from 'node:crypto';
import type { RepositoryLocator } from '../lib/oci/reference';
import { buildImage, buildMultiArchIndex } from './oci-images';
import { pushCosignSignatures, pushImage, pushIndex } from './push';
import { GITHUB_ACTIONS_ISSUER, githubWorkflowIdentity, signKeyless, signWithKey, simpleSigningPayload } from './cosign-sign';
import { readCosignPrivateKey } from './cosign-key';
import type { SandboxWorld } from './world';
import { KEY_PASSWORD } from './world';

export type CorpusSigning = 'keyless' | 'key' | 'wrong-branch' | 'unsigned';

export interface CorpusImage {
  repository: string;
  tag: string;
  digest: string;
  signing: CorpusSigning;
  /** What a scan under corpusPolicy() must conclude. */
  expected: 'verified' | 'failed' | 'unsigned';
}

export interface CorpusOptions {
  prefix?: string;
  repos: number;
  tags: number;
  /** Push a multi-arch index (signed at the index) as tag "multi" in every n-th repository (0 = never). */
  indexEvery?: number;
  /** Which signing the i-th image gets; default mixes 60 % keyless, 30 % key, 5 % wrong branch, 5 % unsigned. */
  signingOf?: (i: number) => CorpusSigning;
  /** Parallel pushes (the registry and the signing servers are local). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export const CORPUS_ORG_REPO = 'acme/platform';
export const CORPUS_WORKFLOW = '.github/workflows/release.yml@refs/heads/main';

export function defaultSigning(i: number): CorpusSigning {
  const r = i % 20;
  if (r === 19) return 'unsigned';
  if (r === 18) return 'wrong-branch';
  return r % 3 === 2 ? 'key' : 'keyless';
}

/** The policy a corpus is meant to be scanned with: the release workflow, or the cosign key. */
export function corpusPolicy(world: Pick<SandboxWorld, 'key'>): { identity: string; issuer: string; keys: string[] } {
  return { identity: githubWorkflowIdentity(CORPUS_ORG_REPO, CORPUS_WORKFLOW), issuer: GITHUB_ACTIONS_ISSUER, keys: [world.key.publicKeyPem] };
}

function claims(workflowRef: string) {
  return { repository: CORPUS_ORG_REPO, workflowRef, ref: workflowRef.split('@')[1] ?? 'refs/heads/main', sha: 'c'.repeat(40) };
}

/** The local signing servers are real sockets: retry a request the machine's load broke. */
async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export async function generateCorpus(world: SandboxWorld, opts: CorpusOptions): Promise<CorpusImage[]> {
  const prefix = opts.prefix ?? 'corpus';
  const signingOf = opts.signingOf ?? defaultSigning;
  const privateKey: KeyObject = readCosignPrivateKey(world.key.privateKeyPem, KEY_PASSWORD);
  const jobs: Array<{ repo: RepositoryLocator; tag: string; i: number; multi: boolean }> = [];
  let i = 0;
  for (let r = 0; r < opts.repos; r++) {
    const repo = { registry: world.registry.host, repository: `${prefix}/service-${String(r).padStart(3, '0')}` };
    for (let t = 0; t < opts.tags; t++) jobs.push({ repo, tag: `v1.${t}.0`, i: i++, multi: false });
    if (opts.indexEvery && r % opts.indexEvery === 0) jobs.push({ repo, tag: 'multi', i: i++, multi: true });
  }
  const out: CorpusImage[] = [];
  let done = 0;
  await pool(jobs, opts.concurrency ?? 8, async (job) => {
    const signing = job.multi ? 'keyless' : signingOf(job.i);
    const digest = job.multi
      ? await pushIndex(world.client, job.repo, job.tag, buildMultiArchIndex(`${job.repo.repository}-${job.tag}`))
      : await pushImage(world.client, job.repo, job.tag, buildImage({ files: { 'release.txt': `${job.repo.repository}:${job.tag}\n` } }));
    const dockerRef = `${job.repo.registry}/${job.repo.repository}`;
    const payload = simpleSigningPayload(dockerRef, digest);
    if (signing === 'keyless') await pushCosignSignatures(world.client, job.repo, digest, [await withRetry(() => signKeyless(payload, world.sigstore, claims(CORPUS_WORKFLOW)))]);
    else if (signing === 'key') await pushCosignSignatures(world.client, job.repo, digest, [await withRetry(() => signWithKey(payload, privateKey, { rekor: world.sigstore }))]);
    else if (signing === 'wrong-branch') {
      await pushCosignSignatures(world.client, job.repo, digest, [await withRetry(() => signKeyless(payload, world.sigstore, claims('.github/workflows/release.yml@refs/heads/experiment')))]);
    }
    out.push({
      repository: job.repo.repository,
      tag: job.tag,
      digest,
      signing,
      expected: signing === 'unsigned' ? 'unsigned' : signing === 'wrong-branch' ? 'failed' : 'verified',
    });
    opts.onProgress?.(++done, jobs.length);
  });
  return out.sort((a, b) => `${a.repository}:${a.tag}`.localeCompare(`${b.repository}:${b.tag}`));
}
