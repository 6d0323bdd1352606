// Identities, repositories and certificates over crafted history in a temp database (SQLite or PostgreSQL):
// two keyless identities (one verified, one only "signed, signer not checked"), a key signer,
// and an identity whose signatures never verified.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../tests/support/database';
import { openDb, type Db } from './client';
import {
  claimsFromExtensions,
  decodeIdentityKey,
  encodeIdentityKey,
  getCertificateDetail,
  getIdentity,
  identityHref,
  identityKeyOf,
  likePattern,
  listIdentities,
  listIdentityIssuers,
  listRepositoryIdentities,
  listRepositoryImages,
  repositoryHref,
  type IdentitySummary,
} from './identities';
import { createRun, finishRun, recordTagObservation, upsertCertificate, upsertImage, upsertSignature, type SignatureResultInput } from './runs';

const GH = 'https://token.actions.githubusercontent.com';
const GOOGLE = 'https://accounts.google.com';
const RELEASE = 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main';
const FEATURE = 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/feature-x';
const EMAIL = 'dev@example.com';
const KEY_FP = 'cd'.repeat(32);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigscope-identities-'));
let db: Db;

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const t = (iso: string) => new Date(iso);

function ghExtensions(ref: string, extra: Record<string, unknown> = {}) {
  return {
    issuer: GH,
    issuerV2: GH,
    githubWorkflowRepository: 'acme/app',
    githubWorkflowRef: ref,
    githubWorkflowTrigger: 'push',
    githubWorkflowName: 'release',
    sourceRepositoryUri: 'https://github.com/acme/app',
    sourceRepositoryRef: ref,
    buildTrigger: 'push',
    runnerEnvironment: 'github-hosted',
    buildConfigUri: `https://github.com/acme/app/.github/workflows/release.yml@${ref}`,
    sctCount: 1,
    ...extra,
  };
}

let n = 0;
async function cert(identity: string, issuer: string, notBefore: string, extensions: Record<string, unknown>) {
  n += 1;
  return upsertCertificate(db, {
    fingerprintSha256: n.toString(16).padStart(64, '0'),
    pem: `-----BEGIN CERTIFICATE-----\nMA${n}=\n-----END CERTIFICATE-----\n`,
    subject: '',
    issuer: 'O=sigstore.dev, CN=sigstore-intermediate',
    identity,
    oidcIssuer: issuer,
    notBefore,
    notAfter: new Date(Date.parse(notBefore) + 600_000),
    extensions,
  });
}

async function sig(imageId: string, signer: { identity?: string; issuer?: string; fp?: string; certificateId?: string }, opts: { kind?: 'cosign-sig' | 'attestation'; rekor?: [number, string]; seen?: string } = {}) {
  n += 1;
  const s = await upsertSignature(db, {
    imageId,
    kind: opts.kind ?? 'cosign-sig',
    source: `sha256-x.sig@${digest('e')}`,
    layerDigest: digest(String(n % 10)),
    payloadDigest: digest('f'),
    materialDigest: `m${n}`,
    signatureB64: 'c2ln',
    certificateId: signer.certificateId ?? null,
    identity: signer.identity ?? null,
    oidcIssuer: signer.issuer ?? null,
    publicKeyFingerprint: signer.fp ?? null,
    ...(opts.rekor ? { rekorLogIndex: opts.rekor[0], rekorLogId: 'ab'.repeat(32), rekorIntegratedTime: opts.rekor[1] } : {}),
  });
  if (opts.seen) await db.signature.update({ where: { id: s.id }, data: { firstSeenAt: t(opts.seen) } });
  return s;
}

async function run(imageId: string, results: SignatureResultInput[], trustRootName = 'public-good') {
  const r = await createRun(db, { input: 'x', source: 'cli', policy: {}, policyHash: 'h', trustRootName, trustRootHash: 'a'.repeat(64), imageId });
  await finishRun(db, r.id, { status: results.some((x) => x.verdict === 'verified') ? 'verified' : 'failed', summary: {}, results });
  return r.id;
}

const pass = [{ name: 'certificate-chain', passed: true, detail: 'chains to Fulcio' }, { name: 'identity', passed: true, detail: 'matches' }];
const failId = [{ name: 'certificate-chain', passed: true, detail: 'chains to Fulcio' }, { name: 'identity', passed: false, detail: 'feature-x is not main' }];

const ids: Record<string, string> = {};

beforeAll(async () => {
  db = await openDb(await testDatabaseUrl(path.join(tmp, 'identities.db')));
  const app1 = await upsertImage(db, { registry: 'reg.example', repository: 'acme/app', digest: digest('a'), mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: [] });
  const app2 = await upsertImage(db, { registry: 'reg.example', repository: 'acme/app', digest: digest('b'), mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: [] });
  const lib = await upsertImage(db, { registry: 'reg.example', repository: 'acme/lib', digest: digest('c'), mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: [] });
  const other = await upsertImage(db, { registry: 'other.example:5000', repository: 'team/tool', digest: digest('d'), mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: [] });
  Object.assign(ids, { app1: app1.id, app2: app2.id, lib: lib.id, other: other.id });
  await recordTagObservation(db, app1.id, 'v1', app1.digest, t('2025-01-01T00:00:00Z'));
  await recordTagObservation(db, app1.id, 'latest', app1.digest, t('2025-01-02T00:00:00Z'));
  await recordTagObservation(db, app1.id, 'latest', app1.digest, t('2025-01-03T00:00:00Z'));
  await recordTagObservation(db, app2.id, 'v2', app2.digest, t('2025-02-01T00:00:00Z'));

  // The release identity: two certificates over time, the later one from a tag build.
  const c1 = await cert(RELEASE, GH, '2025-01-01T00:00:00Z', ghExtensions('refs/heads/main'));
  const c2 = await cert(RELEASE, GH, '2025-02-01T00:00:00Z', ghExtensions('refs/tags/v2', { runnerEnvironment: 'self-hosted' }));
  ids.c1 = c1.id;
  ids.c2 = c2.id;
  const s1 = await sig(app1.id, { identity: RELEASE, issuer: GH, certificateId: c1.id }, { rekor: [101, '2025-01-01T00:00:05Z'], seen: '2025-01-01T00:01:00Z' });
  const s2 = await sig(app2.id, { identity: RELEASE, issuer: GH, certificateId: c2.id }, { rekor: [202, '2025-02-01T00:00:05Z'], seen: '2025-02-01T00:01:00Z' });
  const s3 = await sig(lib.id, { identity: RELEASE, issuer: GH, certificateId: c2.id }, { kind: 'attestation', rekor: [203, '2025-02-01T00:00:06Z'], seen: '2025-02-01T00:02:00Z' });
  // A branch build whose signatures never verified.
  const c3 = await cert(FEATURE, GH, '2025-01-15T00:00:00Z', ghExtensions('refs/heads/feature-x'));
  ids.c3 = c3.id;
  const s4 = await sig(app1.id, { identity: FEATURE, issuer: GH, certificateId: c3.id }, { seen: '2025-01-15T00:01:00Z' });
  // A Google account: valid signature, never matched to a policy; and one never evaluated.
  const c4 = await cert(EMAIL, GOOGLE, '2025-03-01T00:00:00Z', { issuer: GOOGLE, sctCount: 1 });
  const s5 = await sig(other.id, { identity: EMAIL, issuer: GOOGLE, certificateId: c4.id }, { rekor: [301, '2025-03-01T00:00:05Z'], seen: '2025-03-01T00:01:00Z' });
  await sig(other.id, { identity: EMAIL, issuer: GOOGLE, certificateId: c4.id }, { seen: '2025-03-02T00:01:00Z' });
  // A key signer.
  const s7 = await sig(app1.id, { fp: KEY_FP }, { seen: '2025-01-20T00:00:00Z' });

  ids.run1 = await run(app1.id, [
    { signatureId: s1.id, verdict: 'verified', checks: pass, identity: RELEASE, oidcIssuer: GH },
    { signatureId: s4.id, verdict: 'failed', reasonCode: 'IDENTITY_MISMATCH', reason: 'wrong ref', checks: failId, identity: FEATURE, oidcIssuer: GH },
    { signatureId: s7.id, verdict: 'verified', checks: pass },
  ]);
  ids.run2 = await run(app2.id, [{ signatureId: s2.id, verdict: 'verified', checks: pass, identity: RELEASE, oidcIssuer: GH }], 'sandbox');
  ids.run3 = await run(lib.id, [{ signatureId: s3.id, verdict: 'failed', reasonCode: 'TLOG_MISSING', checks: failId }]);
  ids.run4 = await run(other.id, [{ signatureId: s5.id, verdict: 'signed-unchecked', checks: pass, identity: EMAIL, oidcIssuer: GOOGLE }]);
  // A later run where the first release signature fails (history keeps both verdicts).
  ids.run5 = await run(app1.id, [{ signatureId: s1.id, verdict: 'failed', reasonCode: 'IDENTITY_MISMATCH', checks: failId }]);
});

afterAll(async () => {
  await db?.$disconnect();
  rmSync(tmp, { recursive: true, force: true });
});

const byKind = (list: IdentitySummary[]) => ({
  release: list.find((i) => i.ref.kind === 'keyless' && i.ref.subject === RELEASE),
  feature: list.find((i) => i.ref.kind === 'keyless' && i.ref.subject === FEATURE),
  email: list.find((i) => i.ref.kind === 'keyless' && i.ref.subject === EMAIL),
  key: list.find((i) => i.ref.kind === 'key'),
});

describe('identity keys', () => {
  it('round-trips keyless and key identities', () => {
    const ref = { kind: 'keyless' as const, issuer: GH, subject: RELEASE };
    const key = encodeIdentityKey(ref);
    expect(key).toMatch(/^kl\.[A-Za-z0-9_-]+$/);
    expect(decodeIdentityKey(key)).toEqual(ref);
    expect(encodeIdentityKey({ kind: 'key', fingerprint: KEY_FP.toUpperCase().replace(/(..)/g, '$1:').slice(0, -1) })).toBe(`key.${KEY_FP}`);
    expect(decodeIdentityKey(`key.${KEY_FP}`)).toEqual({ kind: 'key', fingerprint: KEY_FP });
    // No issuer, non-ASCII subject.
    const odd = { kind: 'keyless' as const, issuer: '', subject: 'dévé@exämple.org' };
    expect(decodeIdentityKey(encodeIdentityKey(odd))).toEqual(odd);
  });

  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['unknown prefix', `kx.${b64(`${GH}\n${RELEASE}`)}`],
    ['no body', 'kl.'],
    ['standard base64 characters', `kl.${Buffer.from(`${GH}\n${RELEASE}?>`).toString('base64')}`],
    ['padding', `kl.${b64(`${GH}\nab`)}==`],
    ['an impossible base64 length', 'kl.abcde'],
    ['non-canonical trailing bits', `kl.${b64('a\nbc').slice(0, -1)}x`],
    ['no newline', `kl.${b64(RELEASE)}`],
    ['an empty subject', `kl.${b64(`${GH}\n`)}`],
    ['a control character in the subject', `kl.${b64(`${GH}\nevil\u0000x`)}`],
    ['a second newline', `kl.${b64(`${GH}\na\nb`)}`],
    ['an escape sequence', `kl.${b64(`${GH}\n\u001b[31mred`)}`],
    ['invalid UTF-8', `kl.${Buffer.from([0x61, 0x0a, 0xff, 0xfe]).toString('base64url')}`],
    ['an overlong key', `kl.${'A'.repeat(5000)}`],
    ['a short fingerprint', `key.${'a'.repeat(63)}`],
    ['an uppercase fingerprint', `key.${'A'.repeat(64)}`],
    ['a fingerprint with a suffix', `key.${'a'.repeat(64)}/../x`],
    ['path traversal', '../../etc/passwd'],
  ])('rejects %s', (_what, key) => {
    expect(decodeIdentityKey(key)).toBeNull();
  });

  it('refuses to encode what it would refuse to decode', () => {
    expect(() => encodeIdentityKey({ kind: 'keyless', issuer: GH, subject: '' })).toThrow();
    expect(() => encodeIdentityKey({ kind: 'keyless', issuer: 'a\nb', subject: 'x' })).toThrow();
    expect(() => encodeIdentityKey({ kind: 'key', fingerprint: 'nothex' })).toThrow();
    expect(identityKeyOf({ identity: 'bad\u0007', oidcIssuer: GH })).toBeNull();
    expect(identityKeyOf({ identity: null, publicKeyFingerprint: null })).toBeNull();
    expect(identityHref({ identity: RELEASE, oidcIssuer: GH })).toBe(`/identities/${encodeIdentityKey({ kind: 'keyless', issuer: GH, subject: RELEASE })}`);
    expect(identityHref({ publicKeyFingerprint: KEY_FP })).toBe(`/identities/key.${KEY_FP}`);
  });

  it('builds repository links with each segment encoded', () => {
    expect(repositoryHref({ registry: '127.0.0.1:5000', repository: 'demo/widget' })).toBe('/repositories/127.0.0.1:5000/demo/widget');
    expect(repositoryHref({ registry: 'r', repository: 'a b/c?d' })).toBe('/repositories/r/a%20b/c%3Fd');
  });

  it('escapes LIKE metacharacters and turns * into a wildcard', () => {
    expect(likePattern('100%_a\\b', true)).toBe('%100\\%\\_a\\\\b%');
    expect(likePattern('refs/tags/v*', false)).toBe('refs/tags/v%');
  });
});

describe('listIdentities', () => {
  it('lists every identity named by a signature, newest activity first, with counts and status', async () => {
    const { identities, truncated } = await listIdentities(db);
    expect(truncated).toBe(false);
    expect(identities).toHaveLength(4);
    expect(identities[0]!.ref).toEqual({ kind: 'keyless', issuer: GOOGLE, subject: EMAIL });
    const { release, feature, email, key } = byKind(identities);

    expect(release!.status).toBe('verified');
    expect(release!.counts).toEqual({ signatures: 3, attestations: 1, verified: 2, signedUnchecked: 0, failed: 1, unevaluated: 0 });
    expect(release!.repositoryCount).toBe(2);
    expect(release!.repositories.map((r) => `${r.registry}/${r.repository}:${r.signatures}`)).toEqual(['reg.example/acme/app:2', 'reg.example/acme/lib:1']);
    expect(release!.firstSeenAt.toISOString()).toBe('2025-01-01T00:01:00.000Z');
    expect(release!.lastSeenAt.toISOString()).toBe('2025-02-01T00:02:00.000Z');
    expect(release!.firstSignedAt?.toISOString()).toBe('2025-01-01T00:00:05.000Z');
    expect(release!.lastSignedAt?.toISOString()).toBe('2025-02-01T00:00:06.000Z');
    // Claims of the latest certificate (notBefore), not of the first one.
    expect(release!.latestCertificateId).toBe(ids.c2);
    expect(release!.claims).toMatchObject({ repository: 'https://github.com/acme/app', ref: 'refs/tags/v2', trigger: 'push', runnerEnvironment: 'self-hosted', workflowName: 'release' });

    expect(feature!.status).toBe('unverified');
    expect(feature!.counts.verified).toBe(0);
    expect(feature!.counts.failed).toBe(1);

    expect(email!.status).toBe('valid');
    expect(email!.counts).toMatchObject({ signatures: 2, signedUnchecked: 1, unevaluated: 1 });
    expect(email!.claims).toBeNull();

    expect(key!.ref).toEqual({ kind: 'key', fingerprint: KEY_FP });
    expect(key!.key).toBe(`key.${KEY_FP}`);
    expect(key!.status).toBe('verified');
    expect(key!.claims).toBeNull();
    expect(key!.firstSignedAt).toBeNull();
  });

  it('filters by issuer, repository, workflow, ref and free text; counts cover the matching signatures', async () => {
    const subjects = async (f: Parameters<typeof listIdentities>[1]) =>
      (await listIdentities(db, f)).identities.map((i) => (i.ref.kind === 'key' ? 'key' : i.ref.subject)).sort();
    expect(await subjects({ issuer: GOOGLE })).toEqual([EMAIL]);
    expect(await subjects({ issuer: GH })).toEqual([FEATURE, RELEASE]);
    expect(await subjects({ repository: 'acme/lib' })).toEqual([RELEASE]);
    expect(await subjects({ repository: 'other.example:5000/team/tool' })).toEqual([EMAIL]);
    expect(await subjects({ repository: 'reg.example/acme/*' })).toEqual([FEATURE, RELEASE, 'key'].sort());
    expect(await subjects({ workflow: 'release.yml' })).toEqual([FEATURE, RELEASE]);
    expect(await subjects({ ref: 'refs/tags/v*' })).toEqual([RELEASE]);
    expect(await subjects({ ref: 'refs/heads/feature-x' })).toEqual([FEATURE]);
    expect(await subjects({ ref: 'refs/heads/*' })).toEqual([FEATURE, RELEASE]);
    expect(await subjects({ q: 'example.com' })).toEqual([EMAIL]);
    expect(await subjects({ q: KEY_FP.slice(0, 10) })).toEqual(['key']);
    expect(await subjects({ q: '%' })).toEqual([]);
    expect(await subjects({ q: '_' })).toEqual([]);
    expect(await subjects({ q: "'; DROP TABLE \"Signature\"; --" })).toEqual([]);
    expect(await subjects({ issuer: GH, ref: 'refs/heads/main' })).toEqual([RELEASE]);
    expect(await subjects({ issuer: '  ', q: '' })).toHaveLength(4);

    const onlyLib = (await listIdentities(db, { repository: 'acme/lib' })).identities[0]!;
    expect(onlyLib.counts.signatures).toBe(1);
    expect(onlyLib.repositories).toHaveLength(1);
  });

  it('bounds the list and says so', async () => {
    const r = await listIdentities(db, { limit: 2 });
    expect(r.identities).toHaveLength(2);
    expect(r.truncated).toBe(true);
  });

  it('refuses an oversized filter', async () => {
    await expect(listIdentities(db, { q: 'x'.repeat(600) })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('lists issuers, most used first', async () => {
    expect(await listIdentityIssuers(db)).toEqual([GH, GOOGLE]);
  });
});

describe('getIdentity', () => {
  it('details a keyless identity: images with tags, certificates over time, Rekor entries, verdicts', async () => {
    const d = await getIdentity(db, encodeIdentityKey({ kind: 'keyless', issuer: GH, subject: RELEASE }));
    expect(d).not.toBeNull();
    expect(d!.summary.status).toBe('verified');
    expect(d!.truncated).toBe(false);
    // Results over every run: s1 verified then failed, s2 verified, s3 failed.
    expect(d!.verdictCounts).toEqual({ verified: 2, 'signed-unchecked': 0, failed: 2 });

    expect(d!.images.map((i) => i.image.digest)).toEqual([digest('c'), digest('b'), digest('a')]);
    const app1 = d!.images.find((i) => i.image.id === ids.app1)!;
    expect(app1.tags.map((t) => t.tag)).toEqual(['latest', 'v1']);
    expect(app1.tags[0]!.firstObservedAt.toISOString()).toBe('2025-01-02T00:00:00.000Z');
    expect(app1.bestVerdict).toBe('verified');
    expect(app1.latestResult).toMatchObject({ runId: ids.run5, verdict: 'failed' });
    const lib = d!.images.find((i) => i.image.id === ids.lib)!;
    expect(lib).toMatchObject({ signatures: 0, attestations: 1, bestVerdict: 'failed' });

    expect(d!.certificates.map((c) => c.id)).toEqual([ids.c1, ids.c2]);
    expect(d!.certificates[1]).toMatchObject({ signatures: 2, sctCount: 1, claims: { ref: 'refs/tags/v2' } });

    expect(d!.rekorEntries.map((e) => e.logIndex)).toEqual(['203', '202', '101']);
    expect(d!.rekorEntries[0]!.image.id).toBe(ids.lib);
  });

  it('details an identity that only ever failed, as such', async () => {
    const d = await getIdentity(db, encodeIdentityKey({ kind: 'keyless', issuer: GH, subject: FEATURE }));
    expect(d!.summary.status).toBe('unverified');
    expect(d!.verdictCounts).toEqual({ verified: 0, 'signed-unchecked': 0, failed: 1 });
    expect(d!.images).toHaveLength(1);
    expect(d!.rekorEntries).toEqual([]);
  });

  it('details a key signer', async () => {
    const d = await getIdentity(db, `key.${KEY_FP}`);
    expect(d!.summary.ref).toEqual({ kind: 'key', fingerprint: KEY_FP });
    expect(d!.certificates).toEqual([]);
    expect(d!.images.map((i) => i.image.id)).toEqual([ids.app1]);
    expect(d!.verdictCounts.verified).toBe(1);
  });

  it('returns null for malformed keys and for identities no signature names', async () => {
    expect(await getIdentity(db, 'kl.%%%')).toBeNull();
    expect(await getIdentity(db, `key.${'0'.repeat(64)}`)).toBeNull();
    expect(await getIdentity(db, encodeIdentityKey({ kind: 'keyless', issuer: GOOGLE, subject: RELEASE }))).toBeNull();
    expect(await getIdentity(db, encodeIdentityKey({ kind: 'keyless', issuer: '', subject: RELEASE }))).toBeNull();
  });
});

describe('repositories', () => {
  it('lists the identities signing a repository, first seen first, with counts for that repository', async () => {
    const list = await listRepositoryIdentities(db, 'reg.example', 'acme/app');
    expect(list.map((i) => (i.ref.kind === 'key' ? 'key' : i.ref.subject))).toEqual([RELEASE, FEATURE, 'key']);
    expect(list[0]!.counts.signatures).toBe(2);
    expect(list[0]!.firstSeenAt.toISOString()).toBe('2025-01-01T00:01:00.000Z');
    expect(list[1]!.status).toBe('unverified');
    expect(await listRepositoryIdentities(db, 'reg.example', 'nope')).toEqual([]);
  });

  it('lists the images of a repository with tags and latest verdict', async () => {
    const images = await listRepositoryImages(db, 'reg.example', 'acme/app');
    expect(images.map((i) => i.id).sort()).toEqual([ids.app1, ids.app2].sort());
    const app1 = images.find((i) => i.id === ids.app1)!;
    expect(app1.tags).toEqual(['latest', 'v1']);
    expect(app1.signatureCount).toBe(3);
    expect(app1.latestRun).toMatchObject({ id: ids.run5, status: 'failed' });
  });
});

describe('getCertificateDetail', () => {
  it('returns the certificate, its signatures with images and checks, and the newest run', async () => {
    const d = await getCertificateDetail(db, ids.c2!);
    expect(d!.certificate.identity).toBe(RELEASE);
    expect(d!.certificate.extensions.sourceRepositoryRef).toBe('refs/tags/v2');
    expect(d!.signatureCount).toBe(2);
    expect(d!.images.map((i) => i.id).sort()).toEqual([ids.app2, ids.lib].sort());
    const att = d!.signatures.find((s) => s.kind === 'attestation')!;
    expect(att.rekorLogIndex).toBe('203');
    expect(att.results[0]).toMatchObject({ verdict: 'failed', reasonCode: 'TLOG_MISSING' });
    expect(att.results[0]!.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(['identity']);
    expect(d!.latestRun?.id).toBe(ids.run3);
  });

  it('returns null for an unknown id', async () => {
    expect(await getCertificateDetail(db, 'nope')).toBeNull();
  });

  it('reads claims from legacy-only extensions', () => {
    expect(claimsFromExtensions({ githubWorkflowRepository: 'o/r', githubWorkflowRef: 'refs/heads/x', githubWorkflowTrigger: 'release', githubWorkflowSha: 'abc' })).toEqual({
      repository: 'o/r',
      ref: 'refs/heads/x',
      trigger: 'release',
      commit: 'abc',
    });
    expect(claimsFromExtensions({ sctCount: 0, subjectAlternativeNames: [] })).toBeNull();
  });
});
