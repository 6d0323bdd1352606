/**
 * Registry faults during a scan, on real sockets: the real registry behind the fault proxy
 * (sandbox/fault-proxy.ts). A 429 with Retry-After is waited out; a 500, a connection
 * reset, a truncated body and a manifest whose digest does not match become recorded
 * per-item errors while the rest of the scan goes on; an earlier scan's results are left
 * exactly as they were; once the fault clears, a rescan verifies what had failed.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../lib/db/client';
import { listScanItems } from '../../lib/db/scans';
import { createScanJob } from '../../lib/audit/scan/create';
import { runScan } from '../../lib/audit/scan/runner';
import { corpusPolicy, generateCorpus, type CorpusImage } from '../../sandbox/corpus';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../../sandbox/fault-proxy';
import { signatureTag } from '../../sandbox/push';
import { pushAttachmentTag, pushReferrer } from '../../sandbox/attach';
import { startSandboxWorld, type SandboxWorld } from '../../sandbox/world';
import { testDatabaseUrl } from '../support/database';

let world: SandboxWorld;
let proxy: FaultProxy;
let db: Db;
let corpus: CorpusImage[];

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-scan-faults-'));
  world = await startSandboxWorld({ dataDir: path.join(dir, 'sandbox') });
  corpus = await generateCorpus(world, { prefix: 'flaky', repos: 2, tags: 3, signingOf: (i) => (i % 2 ? 'key' : 'keyless') });
  proxy = await startFaultProxy(world.registry.host);
  db = await openDb(await testDatabaseUrl(path.join(dir, 'faults.db')));
}, 120_000);
afterAll(async () => {
  await db?.$disconnect();
  await proxy?.stop();
  await world?.stop();
});

/** Scans one repository through the proxy (so the registry name is the proxy's host). */
async function scan(repository: string, full = true) {
  const { id } = await createScanJob(db, {
    targets: [`${proxy.host}/${repository}`],
    policy: corpusPolicy(world),
    trustRoot: world.trustedRootPath,
    allowHttpRegistries: [proxy.host],
    concurrency: 2,
    full,
    source: 'cli',
  });
  const progress = await runScan(db, id);
  const { items } = await listScanItems(db, id, { limit: 50 });
  return { id, progress, items };
}

async function snapshot(scanId: string) {
  const items = await db.scanItem.findMany({ where: { scanId }, orderBy: { id: 'asc' } });
  const runs = await db.verificationRun.findMany({ where: { scanId }, orderBy: { id: 'asc' }, include: { results: { orderBy: { id: 'asc' } } } });
  return JSON.stringify({ items, runs }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

const repo = 'flaky/service-001';
const image = (tag: string) => corpus.find((c) => c.repository === repo && c.tag === tag)!;

describe('registry faults during a scan', () => {
  let baseline: { id: string; before: string };

  beforeAll(async () => {
    const first = await scan('flaky/service-000');
    expect(first.progress.outcomes.verified).toBe(3);
    baseline = { id: first.id, before: await snapshot(first.id) };
  }, 60_000);

  it('waits out a 429 with Retry-After and verifies everything', async () => {
    proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': '1' }, times: 1, path: /\/manifests\/v1\.1\.0$/ });
    const t0 = Date.now();
    const r = await scan(repo);
    proxy.clear();
    expect(r.progress.status).toBe('finished');
    expect(r.progress.outcomes.verified).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(proxy.log.some((l) => l.endsWith('/manifests/v1.1.0'))).toBe(true);
  }, 60_000);

  const faults: Array<[string, (c: CorpusImage) => FaultRule, RegExp]> = [
    ['a 500 on the tag', () => ({ kind: 'status', status: 500, body: 'internal error', path: /\/manifests\/v1\.2\.0$/ }), /500/],
    ['a connection reset on the signature manifest', (c) => ({ kind: 'reset', path: new RegExp(`/manifests/${signatureTag(c.digest).replace('.', '\\.')}$`) }), /reset|socket|connection|closed|hang up|unreachable/i],
    ['a truncated signature layer', () => ({ kind: 'truncate', path: /\/blobs\/sha256:/ }), /truncat|ended|incomplete|closed|terminated/i],
    [
      'a manifest whose digest does not match',
      // Another manifest served for the tag, claiming (Docker-Content-Digest) to be the real one.
      (c) => ({ kind: 'status', status: 200, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': c.digest }, body: JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 2 }, layers: [] }), path: new RegExp(`/manifests/(${c.tag}|${c.digest})$`) }),
      /sha256:[0-9a-f]{64}.*sha256:[0-9a-f]{64}/,
    ],
  ];

  for (const [name, rule, message] of faults) {
    it(`records ${name} as that image's error; the other images verify`, async () => {
      const target = name.includes('layer') ? image('v1.0.0') : name.includes('signature') ? image('v1.0.0') : name.includes('500') ? image('v1.2.0') : image('v1.1.0');
      proxy.inject(rule(target));
      const r = await scan(repo);
      proxy.clear();
      expect(r.progress.status).toBe('finished');
      const broken = r.items.filter((i) => i.state === 'error');
      // A truncated layer hits every signed image's blob; other faults hit only their target.
      if (!name.includes('layer')) expect(broken.map((i) => i.tag)).toEqual([target.tag]);
      expect(broken.length).toBeGreaterThan(0);
      for (const b of broken) {
        expect(b.outcome).toBe('error');
        expect(b.errorMessage).toMatch(message);
        const run = await db.verificationRun.findUniqueOrThrow({ where: { id: b.runId! } });
        expect(run.status).toBe('error');
      }
      expect(r.progress.outcomes.verified).toBe(3 - broken.length);
    }, 120_000);
  }

  it('left the earlier scan exactly as it was, and a rescan after the faults verifies everything', async () => {
    expect(await snapshot(baseline.id)).toBe(baseline.before);
    const r = await scan(repo, false);
    expect(r.progress.outcomes.verified).toBe(3);
  }, 60_000);

  it('rescans an unchanged repository with one HEAD per tag: no manifest body, signature, blob or referrer', async () => {
    const seen = proxy.log.length;
    const r = await scan(repo, false);
    expect(r.progress.reused).toBe(3);
    const requests = proxy.log.slice(seen);
    expect(requests.filter((l) => /\/blobs\/|\.sig$|\.att$|\.sbom$|\/referrers\/|^GET .*\/manifests\//.test(l))).toEqual([]);
    expect(requests.filter((l) => /^HEAD .*\/manifests\/v1\.\d\.0$/.test(l))).toHaveLength(3);
  }, 60_000);
});

describe('attachment lookups', () => {
  it('asks the registry only for attachment tags its tag list names (no .att, .sbom or referrers-tag 404s)', async () => {
    const repository = 'flaky/service-000';
    const withSbom = corpus.find((c) => c.repository === repository && c.tag === 'v1.1.0')!;
    const locator = { registry: world.registry.host, repository, apiHost: world.registry.host };
    const sbom = Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'service-000' }));
    await pushAttachmentTag(world.client, locator, withSbom.digest, 'sbom', [{ payload: sbom, mediaType: 'text/spdx+json', annotations: {} }]);
    await pushReferrer(world.client, locator, withSbom.digest, { artifactType: 'application/spdx+json', layers: [{ mediaType: 'application/spdx+json', bytes: sbom }] });

    const seen = proxy.log.length;
    const r = await scan(repository, true);
    const requests = proxy.log.slice(seen);
    expect(r.progress.outcomes.verified).toBe(3);
    // The attachments that exist are found: the .sbom tag and the referrers fallback tag of v1.1.0.
    const item = r.items.find((i) => i.tag === withSbom.tag)!;
    const run = await db.verificationRun.findUniqueOrThrow({ where: { id: item.runId! } });
    const documents = (JSON.parse(run.summary) as { documents: Array<{ source: string }> }).documents.map((d) => d.source).sort();
    expect(documents).toEqual(['referrers-tag', 'sbom-tag']);
    const hex = (d: string) => d.slice('sha256:'.length);
    expect(requests.filter((l) => /\.sbom$/.test(l)).map((l) => l.includes(hex(withSbom.digest)))).toEqual([true]);
    expect(requests.filter((l) => /\/manifests\/sha256-[0-9a-f]{64}$/.test(l)).map((l) => l.includes(hex(withSbom.digest)))).toEqual([true]);
    expect(requests.filter((l) => /\.att$/.test(l))).toEqual([]);
    // Per image: its manifest and its .sig manifest, nothing else by tag.
    expect(requests.filter((l) => /^GET .*\/manifests\/(v1\.\d\.0|sha256-[0-9a-f]{64}\.sig)$/.test(l))).toHaveLength(6);
  }, 120_000);
});
