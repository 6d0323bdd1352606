/**
 * Page-query benchmark: seeds a temp SQLite database with a large signing history (100k
 * signatures across 500 repositories and 50 identities, with certificates, tag observations,
 * runs and results), then times the queries behind the timeline, findings and identities
 * pages, 20 times each, and prints p50 / p95 in milliseconds.
 *
 *   node --conditions=react-server --import tsx bench/pages.ts [--signatures N]
 * (`npm run bench` runs it after bench/run.ts.)
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClient, type InStatement } from '@libsql/client';
import { openDb, type Db } from '../lib/db/client';
import { forgetDerivedFindings, getFinding, listFindings } from '../lib/db/findings';
import { loadTimeline } from '../lib/db/timeline';

const REPOS = 500;
const ORGS = 20;
const IDENTITIES = 50; // 45 keyless workflow identities, 5 keys
const KEYS = 5;
const ISSUER = 'https://token.actions.githubusercontent.com';
const T0 = Date.parse('2024-01-01T00:00:00Z');
const RUNS = 20;

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
/** Prisma's SQLite DateTime text. */
const dt = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
const FAKE_PEM = `-----BEGIN CERTIFICATE-----\n${'MIIC1zCCAl2gAwIBAgIU'.repeat(45).match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
const identityOf = (i: number) => `https://github.com/acme-platform/workflows/.github/workflows/build-${i}.yml@refs/heads/main`;
const keyOf = (i: number) => hex(`key${i}`);
const repoName = (r: number) => `org${r % ORGS}/app${r}`;

interface Seeded {
  repository: string;
  imageId: string;
  findingKey: string | null;
  identity: string;
}

async function seed(url: string, signatures: number): Promise<Seeded> {
  const c = createClient({ url });
  const perRepo = Math.max(2, Math.round(signatures / REPOS));
  const imagesPerRepo = Math.max(1, Math.floor(perRepo / 2)); // a signature and an attestation per image
  let pending: InStatement[] = [];
  const flush = async (force = false) => {
    if (pending.length >= 2000 || (force && pending.length)) {
      await c.batch(pending, 'write');
      pending = [];
    }
  };
  let n = 0;
  const id = (p: string) => `${p}${(++n).toString(36).padStart(8, '0')}`;
  let firstImage = '';
  for (let r = 0; r < REPOS; r++) {
    const repository = repoName(r);
    const signer = r % (IDENTITIES - KEYS); // keyless identity of this repository
    const keySigned = r % 10 === 0; // one in ten repositories also signs with a key…
    const drift = r % 25 === 0; // …one in 25 has drift near the end
    for (let i = 0; i < imagesPerRepo; i++) {
      const t = T0 + (r * imagesPerRepo + i) * 60_000;
      const digest = `sha256:${hex(`${repository}/${i}`)}`;
      const imageId = id('img');
      if (!firstImage) firstImage = imageId;
      pending.push({ sql: 'INSERT INTO "Image" (id, registry, repository, digest, mediaType, platforms, firstSeenAt) VALUES (?,?,?,?,?,?,?)', args: [imageId, 'ghcr.io', repository, digest, 'application/vnd.oci.image.manifest.v1+json', '[]', dt(t)] });
      pending.push({ sql: 'INSERT INTO "TagObservation" (id, imageId, tag, digest, observedAt) VALUES (?,?,?,?,?)', args: [id('tag'), imageId, `1.${i}`, digest, dt(t + 5_000)] });
      pending.push({ sql: 'INSERT INTO "TagObservation" (id, imageId, tag, digest, observedAt) VALUES (?,?,?,?,?)', args: [id('tag'), imageId, 'latest', digest, dt(t + 5_000)] });
      const late = drift && i >= imagesPerRepo - 3;
      const unsignedLatest = drift && i === imagesPerRepo - 1;
      const runId = id('run');
      pending.push({
        sql: 'INSERT INTO "VerificationRun" (id, createdAt, finishedAt, input, imageId, tag, status, policy, policyHash, trustRootName, trustRootHash, source, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)',
        args: [runId, dt(t + 5_000), dt(t + 6_000), `ghcr.io/${repository}:1.${i}`, imageId, `1.${i}`, unsignedLatest ? 'unsigned' : 'verified', '{}', 'h', 'public-good', 'h', 'cli', JSON.stringify({ text: unsignedLatest ? 'No signature found.' : 'Verified: 1 of 1 signatures.' })],
      });
      if (unsignedLatest) continue;
      for (const kind of ['cosign-sig', 'attestation']) {
        const sigId = id('sig');
        const useKey = keySigned && kind === 'cosign-sig' && i < imagesPerRepo - 5;
        const who = late && kind === 'cosign-sig' ? identityOf((signer + 1) % (IDENTITIES - KEYS)) : identityOf(signer);
        let certId: string | null = null;
        if (!useKey) {
          certId = id('crt');
          const ext = {
            issuerV2: ISSUER,
            sourceRepositoryRef: late && i === imagesPerRepo - 2 ? 'refs/heads/feature' : 'refs/heads/main',
            runnerEnvironment: late && i === imagesPerRepo - 3 ? 'self-hosted' : 'github-hosted',
            buildSignerUri: who,
            sourceRepositoryUri: `https://github.com/${repository}`,
            sctCount: 1,
          };
          pending.push({
            sql: 'INSERT INTO "Certificate" (id, fingerprintSha256, pem, subject, issuer, identity, oidcIssuer, notBefore, notAfter, extensions, firstSeenAt) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
            args: [certId, hex(certId), FAKE_PEM, '', 'O=sigstore.dev, CN=sigstore-intermediate', who, ISSUER, dt(t - 1_000), dt(t + 599_000), JSON.stringify(ext), dt(t + 5_000)],
          });
        }
        pending.push({
          sql: 'INSERT INTO "Signature" (id, imageId, kind, source, layerDigest, payloadDigest, materialDigest, signatureB64, format, predicateType, certificateId, publicKeyFingerprint, identity, oidcIssuer, rekorLogIndex, rekorLogId, rekorIntegratedTime, firstSeenAt) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
          args: [
            sigId, imageId, kind, `${kind}@${sigId}`, `sha256:${hex(`l${sigId}`)}`, `sha256:${hex(`p${sigId}`)}`, `sha256:${hex(`m${sigId}`)}`, 'MEUCIQ==',
            kind === 'attestation' ? 'cosign-att' : 'cosign-sig', kind === 'attestation' ? 'https://slsa.dev/provenance/v1' : null,
            certId, useKey ? keyOf(r % KEYS) : null, useKey ? null : who, useKey ? null : ISSUER, n, 'c0d23d6ad406973f', dt(t), dt(t + 5_000),
          ],
        });
        pending.push({ sql: 'INSERT INTO "SignatureResult" (id, runId, signatureId, verdict, checks) VALUES (?,?,?,?,?)', args: [id('res'), runId, sigId, 'verified', '[]'] });
      }
      await flush();
    }
  }
  await flush(true);
  await c.execute('ANALYZE');
  const counts = await c.execute('SELECT (SELECT count(*) FROM "Signature") s, (SELECT count(*) FROM "Certificate") c, (SELECT count(*) FROM "Image") i, (SELECT count(*) FROM "TagObservation") t, (SELECT count(*) FROM "VerificationRun") r');
  console.log(`seeded: ${JSON.stringify(counts.rows[0])} over ${REPOS} repositories, ${IDENTITIES} identities (${KEYS} keys)`);
  c.close();
  return { repository: repoName(25), imageId: firstImage, findingKey: null, identity: identityOf(0) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(name: string, fn: () => Promise<unknown>): Promise<void> {
  await fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(`${name.padEnd(52)} p50 ${percentile(ms, 50).toFixed(1).padStart(8)} ms   p95 ${percentile(ms, 95).toFixed(1).padStart(8)} ms`);
}

async function main() {
  const arg = process.argv.indexOf('--signatures');
  const signatures = arg > 0 ? Number(process.argv[arg + 1]) : 100_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-bench-pages-'));
  const url = `file:${path.join(dir, 'bench.db')}`;
  let db: Db | undefined;
  try {
    db = await openDb(url);
    const t0 = performance.now();
    const s = await seed(url, signatures);
    console.log(`seeding took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const d = db;
    const all = await listFindings(d);
    console.log(`findings: ${all.findings.length} (${all.open} open) in ${all.repositories.length} repositories`);
    const key = all.findings[0]?.key;
    if (process.env.BENCH_SEED_ONLY) return;
    await time('timeline: repository (all time)', () => loadTimeline(d, { kind: 'repository', registry: 'ghcr.io', repository: s.repository }));
    await time('timeline: image', () => loadTimeline(d, { kind: 'image', imageId: s.imageId }));
    await time('timeline: organization (25 repos, newest 2000)', () => loadTimeline(d, { kind: 'org', registry: 'ghcr.io', org: 'org5' }));
    await time('timeline: identity (newest 2000)', () => loadTimeline(d, { kind: 'identity', issuer: ISSUER, subject: s.identity }));
    await time('timeline: key (newest 2000)', () => loadTimeline(d, { kind: 'key', fingerprint: keyOf(0) }));
    await time('findings: all repositories, cold (first request)', () => {
      forgetDerivedFindings(d);
      return listFindings(d);
    });
    await time('findings: all repositories, nothing new (home, /findings)', () => listFindings(d));
    let k = 0;
    await time('findings: all repositories, after a new signature', async () => {
      // One more signed image in one repository, as a verification run would store it.
      const img = await d.image.create({ data: { registry: 'ghcr.io', repository: repoName(k % REPOS), digest: `sha256:${hex(`new${k}`)}`, mediaType: 'x', platforms: '[]' } });
      await d.signature.create({
        data: { imageId: img.id, kind: 'cosign-sig', source: 's', layerDigest: `l${k}`, payloadDigest: `p${k}`, materialDigest: `m${k}`, signatureB64: 'x', identity: identityOf(k % 45), oidcIssuer: ISSUER, rekorIntegratedTime: new Date() },
      });
      k++;
      return listFindings(d);
    });
    if (key) await time('findings: one finding (/findings/[key])', () => getFinding(d, key));
    const identities = await import('../lib/db/identities').catch(() => null);
    if (identities && typeof identities.listIdentities === 'function') {
      await time('identities: listIdentities (/identities)', () => identities.listIdentities(d));
    } else {
      console.log('identities: lib/db/identities.ts has no listIdentities yet; skipped');
    }
  } finally {
    await db?.$disconnect();
    if (process.env.BENCH_KEEP_DB) console.log(`kept ${url}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
