/**
 * Identity, repository and certificate queries over a large history: seeds a temp SQLite
 * database with N signatures (default 100 000; `-- 20000` for another size), then prints
 * p50/p95 per query. Run: node --conditions=react-server --import tsx bench/identities.ts [N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClient, type InStatement } from '@libsql/client';
import { openDb } from '../lib/db/client';
import { encodeIdentityKey, getCertificateDetail, getIdentity, listIdentities, listRepositoryIdentities, listRepositoryImages } from '../lib/db/identities';

const N = Number(process.argv[2] ?? 100_000);
const IDENTITIES = 60;
const REPOSITORIES = 300;
const IMAGES = 5_000;
const GH = 'https://token.actions.githubusercontent.com';

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

async function seed(url: string): Promise<{ certId: string; key: string; repo: [string, string] }> {
  const c = createClient({ url });
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const chunks: InStatement[][] = [[]];
  const push = (s: InStatement) => {
    let last = chunks[chunks.length - 1]!;
    if (last.length >= 5000) chunks.push((last = []));
    last.push(s);
  };
  for (let i = 0; i < IMAGES; i++) {
    push({
      sql: 'INSERT INTO "Image" (id, registry, repository, digest, mediaType, platforms, firstSeenAt) VALUES (?, ?, ?, ?, ?, ?, ?)',
      args: [`img${i}`, 'ghcr.example', `org/repo${i % REPOSITORIES}`, `sha256:${i.toString(16).padStart(64, '0')}`, 'application/vnd.oci.image.manifest.v1+json', '[]', iso(t0 + i * 60_000)],
    });
    push({ sql: 'INSERT INTO "TagObservation" (id, imageId, tag, digest, observedAt) VALUES (?, ?, ?, ?, ?)', args: [`tag${i}`, `img${i}`, `v${i}`, `sha256:${i.toString(16).padStart(64, '0')}`, iso(t0 + i * 60_000)] });
  }
  const runs = Math.ceil(N / 5);
  for (let r = 0; r < runs; r++) {
    push({
      sql: 'INSERT INTO "VerificationRun" (id, createdAt, finishedAt, input, imageId, status, policy, policyHash, trustRootName, trustRootHash, source, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      args: [`run${r}`, iso(t0 + r * 1000), iso(t0 + r * 1000 + 500), 'x', `img${r % IMAGES}`, 'verified', '{}', 'h', 'public-good', 'x', 'cli', '{}'],
    });
  }
  for (let i = 0; i < N; i++) {
    const who = i % IDENTITIES;
    const key = who === 0;
    const subject = `https://github.com/org/repo${who}/.github/workflows/release.yml@refs/${who % 7 === 0 ? 'heads/main' : `tags/v${who}`}`;
    const at = t0 + i * 30_000;
    const ext = JSON.stringify({ sourceRepositoryUri: `https://github.com/org/repo${who}`, sourceRepositoryRef: who % 7 === 0 ? 'refs/heads/main' : `refs/tags/v${who}`, buildTrigger: 'push', runnerEnvironment: who % 11 === 0 ? 'self-hosted' : 'github-hosted', buildConfigUri: subject, sctCount: 1 });
    if (!key) {
      push({
        sql: 'INSERT INTO "Certificate" (id, fingerprintSha256, pem, subject, issuer, identity, oidcIssuer, notBefore, notAfter, extensions, firstSeenAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        args: [`cert${i}`, i.toString(16).padStart(64, '0'), '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n', '', 'O=sigstore.dev, CN=sigstore-intermediate', subject, GH, iso(at), iso(at + 600_000), ext, iso(at)],
      });
    }
    push({
      sql: 'INSERT INTO "Signature" (id, imageId, kind, source, layerDigest, payloadDigest, materialDigest, signatureB64, format, certificateId, identity, oidcIssuer, publicKeyFingerprint, rekorLogIndex, rekorLogId, rekorIntegratedTime, firstSeenAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      args: [
        `sig${i}`, `img${i % IMAGES}`, i % 10 === 0 ? 'attestation' : 'cosign-sig', 's', `sha256:${i}`, 'sha256:p', `m${i}`, 'c2ln', 'cosign-sig',
        key ? null : `cert${i}`, key ? null : subject, key ? null : GH, key ? 'ab'.repeat(32) : null, key ? null : i, key ? null : 'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d', key ? null : iso(at + 5_000), iso(at + 60_000),
      ],
    });
    for (let k = 0; k < 2; k++) {
      push({
        sql: 'INSERT INTO "SignatureResult" (id, runId, signatureId, verdict, checks) VALUES (?, ?, ?, ?, ?)',
        args: [`res${i}_${k}`, `run${(i + k * 7) % runs}`, `sig${i}`, who % 13 === 5 ? 'failed' : 'verified', '[{"name":"signature","passed":true,"detail":"ok"}]'],
      });
    }
  }
  for (const batch of chunks) await c.batch(batch, 'write');
  c.close();
  return {
    certId: 'cert1',
    key: encodeIdentityKey({ kind: 'keyless', issuer: GH, subject: 'https://github.com/org/repo1/.github/workflows/release.yml@refs/tags/v1' }),
    repo: ['ghcr.example', 'org/repo1'],
  };
}

async function time(name: string, runs: number, fn: () => Promise<unknown>): Promise<void> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const p = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(1);
  console.log(`${name.padEnd(46)} p50 ${p(0.5).padStart(7)} ms   p95 ${p(0.95).padStart(7)} ms`);
}

async function main() {
  // BENCH_KEEP_DIR=/some/dir keeps the seeded database there (to inspect query plans).
  const keep = process.env.BENCH_KEEP_DIR;
  const dir = keep ?? mkdtempSync(path.join(os.tmpdir(), 'sigscope-bench-identities-'));
  try {
    const url = `file:${path.join(dir, 'bench.db')}`;
    const db = await openDb(url);
    const t = performance.now();
    const { certId, key, repo } = await seed(url);
    console.log(`seeded ${N} signatures, ${IDENTITIES} identities, ${IMAGES} images, ${2 * N} results in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await time('listIdentities (no filter)', 20, () => listIdentities(db));
    await time('listIdentities (ref refs/tags/v*)', 20, () => listIdentities(db, { ref: 'refs/tags/v*' }));
    await time('listIdentities (repository org/repo1)', 20, () => listIdentities(db, { repository: 'org/repo1' }));
    await time(`getIdentity (${Math.round(N / IDENTITIES)} signatures)`, 20, () => getIdentity(db, key));
    await time('listRepositoryIdentities', 20, () => listRepositoryIdentities(db, ...repo));
    await time('listRepositoryImages', 20, () => listRepositoryImages(db, ...repo));
    await time('getCertificateDetail', 20, () => getCertificateDetail(db, certId));
    await db.$disconnect();
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
