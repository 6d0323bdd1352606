/**
 * The local Rekor (./rekor-log.ts) read with lib/rekor's client and proven with
 * lib/rekor's checks, exactly as public Rekor would be: every entry kind the sandbox
 * writes, inclusion against the signed checkpoint, SETs, consistency across growth,
 * the index search, restart from the file, and refusal of bad signatures and of a
 * tampered log file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createPublicKey, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RekorWitness } from '@sigstore/sign';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import {
  decodeV1Entry,
  hashesFromHex,
  keyNameFromBaseUrl,
  logKeysFromTrustedRoot,
  proveConsistency,
  RekorV1Client,
  verifyConsistency,
  verifyLogInfo,
  verifyV1Entry,
  type RekorV1Entry,
  type TransparencyLogKey,
} from '@/lib/rekor';
import { ANNOTATION, type CosignSignatureLayer } from '@/lib/cosign/types';
import * as x509 from '@/lib/x509/peculiar';
import { slsaProvenanceStatement } from './bundles';
import { attestKeyless } from './cosign-attest';
import { signKeyless, signWithKey, simpleSigningPayload, type CosignBundleAnnotation } from './cosign-sign';
import { REKOR_HEAD_FILE, REKOR_KEY_FILE, REKOR_LOG_FILE, RekorLogIntegrityError, startRekorLogServer } from './rekor-log';
import { startSigstoreInstance, type SigstoreInstance } from './sigstore-instance';

const IMAGE = 'sha256:' + 'ab'.repeat(32);
const REPO = 'acme/widget';
const WORKFLOW = '.github/workflows/release.yml@refs/heads/main';
const CLAIMS = { repository: REPO, workflowRef: WORKFLOW, sha: 'f'.repeat(40) };
const SAN = `https://github.com/${REPO}/${WORKFLOW}`;
const EMAIL = 'Release-Bot@Example.test';
const provenance = slsaProvenanceStatement(IMAGE, { repository: REPO, ref: 'refs/heads/main', sha: 'f'.repeat(40), workflowPath: '.github/workflows/release.yml' });

let dataDir: string;
let instance: SigstoreInstance;
let keys: TransparencyLogKey[];
let client: RekorV1Client;
const payload = simpleSigningPayload(`registry.local/${REPO}`, IMAGE);
const keyedPayload = simpleSigningPayload(`registry.local/${REPO}`, 'sha256:' + 'cd'.repeat(32));
const emailPayload = Buffer.from('signed by an email identity');
let signingKey: KeyObject;
/** What each kind appended, by the log index its bundle annotation names. */
const appended: Record<'keyless' | 'keyed' | 'dsse' | 'intoto' | 'email', number> = { keyless: -1, keyed: -1, dsse: -1, intoto: -1, email: -1 };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sigscope-rekor-'));
  instance = await startSigstoreInstance({ dataDir });
  keys = logKeysFromTrustedRoot(instance.trustedRoot);
  client = clientFor(instance);
  signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  // One after the other: the log indexes are then known.
  appended.keyless = indexOf(await signKeyless(payload, instance, CLAIMS));
  appended.keyed = indexOf(await signWithKey(keyedPayload, signingKey, { rekor: instance }));
  appended.dsse = indexOf(await attestKeyless(provenance, instance, CLAIMS));
  appended.intoto = indexOf(await attestKeyless(provenance, instance, CLAIMS, { rekorEntryType: 'intoto' }));
  appended.email = await signWithEmailCertificate(instance.rekorURL, emailPayload);
});
afterAll(async () => {
  await instance?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('appending and reading back', () => {
  it('gives sequential log indexes from 0', () => {
    expect(Object.values(appended).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    expect(instance.rekorLog.size).toBe(5);
  });

  it('every kind reads back by index and by UUID, and proves: inclusion against the signed checkpoint, and the SET', async () => {
    const kinds: Record<keyof typeof appended, [string, string]> = {
      keyless: ['hashedrekord', '0.0.1'],
      keyed: ['hashedrekord', '0.0.1'],
      dsse: ['dsse', '0.0.1'],
      intoto: ['intoto', '0.0.2'],
      email: ['hashedrekord', '0.0.1'],
    };
    for (const [name, index] of Object.entries(appended) as Array<[keyof typeof appended, number]>) {
      const byIndex = await client.getEntryByIndex(index);
      expect(byIndex.uuid).toMatch(/^[0-9a-f]{80}$/);
      const byUuid = await client.getEntryByUuid(byIndex.uuid);
      const byLeaf = await client.getEntryByUuid(byIndex.uuid.slice(-64));
      expect(byUuid.body).toBe(byIndex.body);
      expect(byLeaf.body).toBe(byIndex.body);
      const v = verifyV1Entry(byUuid, keys, { requireInclusionProof: true });
      expect(v.ok, `${name}: ${v.reason}`).toBe(true);
      expect(v.inclusionVerified && v.setVerified).toBe(true);
      expect(v.steps.map((s) => `${s.id}:${s.status}`)).toEqual(['log:passed', 'uuid:passed', 'inclusion:passed', 'checkpoint:passed', 'set:passed']);
      expect(v.log?.logId).toBe(instance.rekorLogIdHex);
      const decoded = decodeV1Entry(byUuid);
      expect(decoded.supported, name).toBe(true);
      if (decoded.supported) expect([decoded.kind, decoded.apiVersion]).toEqual(kinds[name]);
    }
  });

  it('decodes what each entry is about', async () => {
    const keyless = decodeV1Entry(await client.getEntryByIndex(appended.keyless));
    if (!keyless.supported) throw new Error(keyless.reason);
    expect(keyless.artifactHash).toEqual({ algorithm: 'sha256', value: sha256Hex(payload) });
    expect(keyless.signatures[0]?.certificate?.identity).toBe(SAN);
    const dsse = decodeV1Entry(await client.getEntryByIndex(appended.dsse));
    if (!dsse.supported) throw new Error(dsse.reason);
    expect(dsse.payloadHash).toEqual({ algorithm: 'sha256', value: sha256Hex(Buffer.from(JSON.stringify(provenance))) });
    expect(dsse.envelopeHash?.value).toMatch(/^[0-9a-f]{64}$/);
    expect(dsse.signatures[0]?.certificate?.identity).toBe(SAN);
  });

  it('the log info carries a checkpoint signed under the trusted root key name, "<name> - <tree ID>"', async () => {
    const info = await client.getLogInfo();
    expect(info.treeSize).toBe(instance.rekorLog.size);
    const v = verifyLogInfo(info, keys);
    expect(v.ok, v.reason).toBe(true);
    const name = keyNameFromBaseUrl(instance.rekorURL);
    expect(v.checkpoint?.origin).toBe(`${name} - ${info.treeID}`);
    expect(v.verifiedBy?.keyName).toBe(name);
    const foreign = logKeysFromTrustedRoot(await startFreshRoot());
    expect(verifyLogInfo(info, foreign).ok).toBe(false);
  });

  it('an entry proven against another log key, or with its body swapped, fails', async () => {
    const e = await client.getEntryByIndex(appended.keyed);
    const other = await client.getEntryByIndex(appended.keyless);
    expect(verifyV1Entry(e, logKeysFromTrustedRoot(await startFreshRoot())).ok).toBe(false);
    const swapped: RekorV1Entry = { ...e, body: other.body };
    const v = verifyV1Entry(swapped, keys);
    expect(v.ok).toBe(false);
    expect(v.steps.find((s) => s.id === 'uuid')?.status).toBe('failed');
  });

  it('retrieves several entries by UUID and by log index; unknown ones are absent', async () => {
    const a = await client.getEntryByIndex(appended.dsse);
    const b = await client.getEntryByIndex(appended.intoto);
    const byUuid = await client.retrieveEntries({ entryUUIDs: [a.uuid, b.uuid, 'ee'.repeat(32)] });
    expect(byUuid.map((e) => e.logIndex)).toEqual([appended.dsse, appended.intoto]);
    const byIndex = await client.retrieveEntries({ logIndexes: [appended.keyed, 999] });
    expect(byIndex.map((e) => e.uuid)).toEqual([(await client.getEntryByIndex(appended.keyed)).uuid]);
    await expect(client.getEntryByIndex(999)).rejects.toThrow();
  });
});

describe('index search', () => {
  const uuidAt = async (i: number) => (await client.getEntryByIndex(i)).uuid;

  it('by artifact hash (sha256: or bare hex), and by an in-toto statement subject', async () => {
    expect(await client.searchIndex({ hash: `sha256:${sha256Hex(payload)}` })).toEqual([await uuidAt(appended.keyless)]);
    expect(await client.searchIndex({ hash: sha256Hex(keyedPayload).toUpperCase() })).toEqual([await uuidAt(appended.keyed)]);
    expect(await client.searchIndex({ hash: IMAGE })).toEqual([await uuidAt(appended.dsse), await uuidAt(appended.intoto)]);
    expect(await client.searchIndex({ hash: 'sha256:' + '00'.repeat(32) })).toEqual([]);
  });

  it('by email and by subject (SAN), case-insensitively', async () => {
    expect(await client.searchIndex({ email: EMAIL.toLowerCase() })).toEqual([await uuidAt(appended.email)]);
    expect(await client.searchIndex({ subject: EMAIL })).toEqual([await uuidAt(appended.email)]);
    const bySan = await client.searchIndex({ subject: SAN.toUpperCase() });
    expect(bySan).toEqual(await Promise.all([appended.keyless, appended.dsse, appended.intoto].sort((a, b) => a - b).map(uuidAt)));
  });

  it('by public key, and combined with "and" / "or"', async () => {
    const keyed = await uuidAt(appended.keyed);
    const b64Pem = (k: KeyObject) => Buffer.from(createPublicKey(k).export({ format: 'pem', type: 'spki' }).toString()).toString('base64');
    expect(await client.searchIndex({ publicKey: { format: 'x509', content: b64Pem(signingKey) } })).toEqual([keyed]);
    const unrelated = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(await client.searchIndex({ publicKey: { format: 'x509', content: b64Pem(unrelated) } })).toEqual([]);
    const hash = `sha256:${sha256Hex(payload)}`;
    expect(await client.searchIndex({ hash, subject: SAN })).toEqual([await uuidAt(appended.keyless)]);
    expect(await client.searchIndex({ hash, email: EMAIL })).toEqual([]);
    // Results come in log order.
    expect(await client.searchIndex({ hash, email: EMAIL, operator: 'or' })).toEqual([await uuidAt(appended.keyless), await uuidAt(appended.email)]);
  });
});

describe('consistency', () => {
  it('proves that the grown tree extends the earlier one; a rewritten older root fails', async () => {
    const before = await client.getLogInfo();
    expect(verifyLogInfo(before, keys).ok).toBe(true);
    await signKeyless(Buffer.from('growth 1'), instance, CLAIMS);
    await signKeyless(Buffer.from('growth 2'), instance, CLAIMS);
    await signKeyless(Buffer.from('growth 3'), instance, CLAIMS);
    const after = await client.getLogInfo();
    expect(verifyLogInfo(after, keys).ok).toBe(true);
    expect(after.treeSize).toBe(before.treeSize + 3);

    const ok = await proveConsistency(client, before, after);
    expect(ok.ok, ok.reason).toBe(true);
    const forged = await proveConsistency(client, { ...before, rootHash: 'ff'.repeat(32) }, after);
    expect(forged.ok).toBe(false);

    // Every pair of sizes, straight from the API.
    for (let m = 1; m <= after.treeSize; m++) {
      const older = await instance.rekorLog.consistencyProof(m, m);
      const proof = await client.getConsistencyProof(m, after.treeSize);
      const r = verifyConsistency({ oldSize: m, oldRoot: Buffer.from(older.rootHash, 'hex'), newSize: after.treeSize, newRoot: Buffer.from(after.rootHash, 'hex'), proof: hashesFromHex(proof.hashes)! });
      expect(r.ok, `${m} -> ${after.treeSize}: ${r.reason}`).toBe(true);
    }
  });

  it('an old entry proves against the current checkpoint too', async () => {
    const e = await client.getEntryByIndex(appended.keyless);
    expect(e.verification?.inclusionProof?.treeSize).toBe(instance.rekorLog.size);
    expect(verifyV1Entry(e, keys, { requireInclusionProof: true }).ok).toBe(true);
  });

  it('answers 400 for sizes outside the tree', async () => {
    const size = instance.rekorLog.size;
    expect((await get(`/api/v1/log/proof?firstSize=1&lastSize=${size + 1}`)).status).toBe(400);
    expect((await get(`/api/v1/log/proof?firstSize=3&lastSize=2`)).status).toBe(400);
    expect((await get(`/api/v1/log/proof?firstSize=0&lastSize=2`)).status).toBe(400);
  });
});

describe('what the log refuses', () => {
  const hashedrekord = (digest: Buffer, signature: Buffer, publicKeyPem: string) => ({
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: digest.toString('hex') } },
      signature: { content: signature.toString('base64'), publicKey: { content: Buffer.from(publicKeyPem).toString('base64') } },
    },
  });

  it('a signature that does not verify: 400, and nothing is appended', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = Buffer.from('some artifact');
    const sig = nodeSign('sha256', data, privateKey);
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const size = instance.rekorLog.size;
    const wrongDigest = await post('/api/v1/log/entries', hashedrekord(createHash('sha256').update('other').digest(), sig, pem));
    expect(wrongDigest.status).toBe(400);
    expect((await wrongDigest.json()) as { code: number; message: string }).toMatchObject({ code: 400, message: expect.stringMatching(/signature/) });
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect((await post('/api/v1/log/entries', hashedrekord(createHash('sha256').update(data).digest(), sig, otherKey))).status).toBe(400);
    expect(instance.rekorLog.size).toBe(size);

    // The good one goes in, once: the same entry again is a 409 naming the first.
    const good = await post('/api/v1/log/entries', hashedrekord(createHash('sha256').update(data).digest(), sig, pem));
    expect(good.status).toBe(201);
    const uuid = Object.keys((await good.json()) as object)[0]!;
    expect(good.headers.get('location')).toBe(`/api/v1/log/entries/${uuid}`);
    const again = await post('/api/v1/log/entries', hashedrekord(createHash('sha256').update(data).digest(), sig, pem));
    expect(again.status).toBe(409);
    expect(again.headers.get('location')).toBe(`/api/v1/log/entries/${uuid}`);
    expect(instance.rekorLog.size).toBe(size + 1);
  });

  it('a DSSE envelope whose signature is not by the verifier, an unsupported kind, a malformed body: 400', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const otherPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const body = Buffer.from('{}');
    const pae = Buffer.concat([Buffer.from(`DSSEv1 ${'application/vnd.in-toto+json'.length} application/vnd.in-toto+json ${body.length} `), body]);
    const envelope = JSON.stringify({ payloadType: 'application/vnd.in-toto+json', payload: body.toString('base64'), signatures: [{ sig: nodeSign('sha256', pae, privateKey).toString('base64') }] });
    const r = await post('/api/v1/log/entries', { apiVersion: '0.0.1', kind: 'dsse', spec: { proposedContent: { envelope, verifiers: [Buffer.from(otherPem).toString('base64')] } } });
    expect(r.status).toBe(400);
    expect((await post('/api/v1/log/entries', { apiVersion: '0.0.1', kind: 'rekord', spec: {} })).status).toBe(400);
    expect((await post('/api/v1/log/entries', 'not an entry')).status).toBe(400);
    expect((await fetch(`${instance.rekorURL}/api/v1/log/entries`, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await get('/api/v1/log/entries/' + 'zz'.repeat(32))).status).toBe(400);
    expect((await get('/api/v1/log/entries/' + 'ee'.repeat(32))).status).toBe(404);
  });

  it('serves its public key', async () => {
    const r = await get('/api/v1/log/publicKey');
    expect(r.status).toBe(200);
    const pem = await r.text();
    expect(createHash('sha256').update(createPublicKey(pem).export({ format: 'der', type: 'spki' })).digest('hex')).toBe(instance.rekorLogIdHex);
  });
});

describe('persistence', () => {
  it('a restarted instance serves the same tree from its file, and keeps appending after it', async () => {
    const before = await client.getLogInfo();
    const first = await client.getEntryByIndex(0);
    await instance.stop();
    instance = await startSigstoreInstance({ dataDir });
    keys = logKeysFromTrustedRoot(instance.trustedRoot);
    client = clientFor(instance);
    const after = await client.getLogInfo();
    expect([after.treeSize, after.rootHash, after.treeID]).toEqual([before.treeSize, before.rootHash, before.treeID]);
    expect(verifyLogInfo(after, keys).ok).toBe(true);
    const again = await client.getEntryByIndex(0);
    expect([again.uuid, again.body, again.integratedTime]).toEqual([first.uuid, first.body, first.integratedTime]);
    expect(verifyV1Entry(again, keys, { requireInclusionProof: true }).ok).toBe(true);

    const next = indexOf(await signKeyless(Buffer.from('after restart'), instance, CLAIMS));
    expect(next).toBe(before.treeSize);
    expect((await proveConsistency(client, before, await client.getLogInfo())).ok).toBe(true);
  });

  it('a tampered log file is refused on load', async () => {
    await instance.rekorLog.close();
    const lines = (await readFile(join(dataDir, REKOR_LOG_FILE), 'utf8')).trimEnd().split('\n');
    expect(lines.length).toBe(instance.rekorLog.size);

    const cases: Array<[string, (ls: string[]) => string[], RegExp]> = [
      ['an edited body', (ls) => ls.map((l, i) => (i === 1 ? editBody(l) : l)), /does not reproduce the last signed checkpoint/],
      ['an edited integrated time (the tree does not cover it; its SET does)', (ls) => ls.map((l, i) => (i === 2 ? editTime(l) : l)), /SET does not verify/],
      ['a removed last entry', (ls) => ls.slice(0, -1), /entries were removed/],
      ['swapped entries', (ls) => [ls[1]!, ls[0]!, ...ls.slice(2)], /reordered/],
      ['a torn line', (ls) => [...ls.slice(0, -1), ls.at(-1)!.slice(0, 20)], /not JSON/],
    ];
    for (const [what, edit, message] of cases) {
      const dir = await copyOf(dataDir);
      try {
        await writeFile(join(dir, REKOR_LOG_FILE), edit(lines).join('\n') + '\n');
        const started = startSigstoreInstance({ dataDir: dir });
        await expect(started, what).rejects.toThrow(RekorLogIntegrityError);
        await expect(started, what).rejects.toThrow(message);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  });

  it('a head whose checkpoint is not signed by the log key is refused', async () => {
    const dir = await copyOf(dataDir);
    try {
      const head = JSON.parse(await readFile(join(dir, REKOR_HEAD_FILE), 'utf8')) as { checkpoint: string };
      head.checkpoint = head.checkpoint.replace(/\n\u2014 (\S+) (\S+)\n$/, (_m, name: string, sig: string) => `\n\u2014 ${name} ${flipLast(sig)}\n`);
      await writeFile(join(dir, REKOR_HEAD_FILE), JSON.stringify(head));
      await expect(startSigstoreInstance({ dataDir: dir })).rejects.toThrow(/does not verify with the log key/);
      await rm(join(dir, REKOR_HEAD_FILE));
      await expect(startSigstoreInstance({ dataDir: dir })).rejects.toThrow(/signed checkpoint\) is missing/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('standalone server', () => {
  it('keeps its own key in its data dir and reloads its entries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigscope-rekor-standalone-'));
    try {
      const one = await startRekorLogServer({ dataDir: dir });
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const witness = new RekorWitness({ rekorBaseURL: one.url, retry: 0 });
      const data = Buffer.from('standalone');
      await witness.testify(
        { $case: 'messageSignature', messageSignature: { messageDigest: { algorithm: HashAlgorithm.SHA2_256, digest: createHash('sha256').update(data).digest() }, signature: nodeSign('sha256', data, privateKey) } },
        publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      );
      const info = await one.log.logInfo();
      await one.stop();
      expect(await readFile(join(dir, REKOR_KEY_FILE), 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
      const two = await startRekorLogServer({ dataDir: dir });
      try {
        expect(two.log.logIdHex).toBe(one.log.logIdHex);
        const again = await two.log.logInfo();
        expect([again.treeSize, again.rootHash]).toEqual([1, info.rootHash]);
        const e = await clientFor(two.url).getEntryByIndex(0);
        const trusted = { tlogs: [{ baseUrl: two.url, publicKey: { rawBytes: two.log.key.spki.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256' }, logId: { keyId: two.log.logId.toString('base64') } }] };
        expect(verifyV1Entry(e, logKeysFromTrustedRoot(trusted), { requireInclusionProof: true }).ok).toBe(true);
      } finally {
        await two.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------

function clientFor(target: SigstoreInstance | string): RekorV1Client {
  return new RekorV1Client({ baseUrl: typeof target === 'string' ? target : target.rekorURL, timeoutMs: 10_000, maxRetries: 0 });
}

function indexOf(layer: CosignSignatureLayer): number {
  return (JSON.parse(layer.annotations[ANNOTATION.bundle]!) as CosignBundleAnnotation).Payload.logIndex;
}

function sha256Hex(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A trusted root of an unrelated instance (another log key). */
async function startFreshRoot(): Promise<SigstoreInstance['trustedRoot']> {
  const other = await startSigstoreInstance();
  await other.stop();
  return other.trustedRoot;
}

function get(path: string): Promise<Response> {
  return fetch(`${instance.rekorURL}${path}`);
}

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${instance.rekorURL}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

/** A hashedrekord over `data` by a self-signed certificate with an email SAN, through @sigstore/sign's witness. */
async function signWithEmailCertificate(rekorURL: string, data: Buffer): Promise<number> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const pair = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'O=sigscope test',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    signingAlgorithm: alg,
    keys: pair,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'email', value: EMAIL }])],
  });
  const signature = Buffer.from(await crypto.subtle.sign(alg, pair.privateKey, new Uint8Array(data)));
  // WebCrypto writes ECDSA as r||s; Rekor and cosign use DER.
  const der = ieeeP1363ToDer(signature);
  const witness = new RekorWitness({ rekorBaseURL: rekorURL, retry: 0 });
  const { tlogEntries } = await witness.testify(
    { $case: 'messageSignature', messageSignature: { messageDigest: { algorithm: HashAlgorithm.SHA2_256, digest: createHash('sha256').update(data).digest() }, signature: der } },
    cert.toString('pem'),
  );
  return Number(tlogEntries[0]!.logIndex);
}

function ieeeP1363ToDer(sig: Buffer): Buffer {
  const int = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let v = b.subarray(i);
    if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(sig.subarray(0, 32)), int(sig.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** The line with one byte of its body changed (still base64 of the same length). */
function editBody(line: string): string {
  const o = JSON.parse(line) as { body: string };
  const b = Buffer.from(o.body, 'base64');
  b[b.length - 5] = b[b.length - 5]! ^ 0x01;
  return JSON.stringify({ ...o, body: b.toString('base64') });
}

function editTime(line: string): string {
  const o = JSON.parse(line) as { integratedTime: number };
  return JSON.stringify({ ...o, integratedTime: o.integratedTime - 3600 });
}

function flipLast(b64: string): string {
  const b = Buffer.from(b64, 'base64');
  b[b.length - 3] = b[b.length - 3]! ^ 0x01;
  return b.toString('base64');
}

async function copyOf(dir: string): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'sigscope-rekor-copy-'));
  await cp(dir, copy, { recursive: true });
  return copy;
}
