/**
 * lib/audit + lib/verify against the sandbox, in process: key types cosign supports,
 * and skopeo (an independent client) copying an image together with its .sig tag.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyImage } from '../../lib/audit/verify-image';
import { compilePolicy } from '../../lib/verify/policy';
import { loadTrustRoot } from '../../lib/verify/trust-root';
import { buildImage } from '../../sandbox/oci-images';
import { pushCosignSignatures, pushImage } from '../../sandbox/push';
import { signWithKey, simpleSigningPayload } from '../../sandbox/cosign-sign';
import { publicKeyPemOf } from '../../sandbox/cosign-key';
import { EXPECTED_IDENTITY, EXPECTED_ISSUER } from '../../sandbox/world';
import { startTestWorld, type TestWorld } from '../support/world';

const exec = promisify(execFile);
let t: TestWorld;

beforeAll(async () => {
  t = await startTestWorld();
});
afterAll(async () => {
  await t?.world.stop();
});

async function pushKeySigned(name: string, key: KeyObject, opts: { tlog?: boolean } = {}): Promise<string> {
  const repo = { registry: t.world.registry.host, repository: `keys/${name}` };
  const digest = await pushImage(t.world.client, repo, '1.0', buildImage({ files: { 'k.txt': name } }));
  const layer = await signWithKey(simpleSigningPayload(`${repo.registry}/${repo.repository}`, digest), key, opts.tlog === false ? {} : { rekor: t.world.sigstore });
  await pushCosignSignatures(t.world.client, repo, digest, [layer]);
  return `${repo.registry}/${repo.repository}:1.0`;
}

describe('key-based signatures with every key type cosign accepts', () => {
  const keyTypes: Array<[string, () => KeyObject]> = [
    ['ecdsa-p256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey],
    ['ecdsa-p384', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey],
    ['ed25519', () => generateKeyPairSync('ed25519').privateKey],
    ['rsa-2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
  ];
  for (const [name, make] of keyTypes) {
    it(`${name}: verifies with its public key, fails with another key of the same type`, async () => {
      const key = make();
      const ref = await pushKeySigned(name, key);
      const trustRoot = loadTrustRoot(t.world.trustedRootPath);
      const ok = await verifyImage(ref, { client: t.world.client, policy: compilePolicy({ keys: [publicKeyPemOf(key)] }), trustRoot });
      expect(ok.status).toBe('verified');
      expect(ok.signatures[0]?.result.checks.map((c) => c.name)).toContain('public-key');
      const other = make();
      const bad = await verifyImage(ref, { client: t.world.client, policy: compilePolicy({ keys: [publicKeyPemOf(other)] }), trustRoot });
      expect(bad.status).toBe('failed');
      expect(bad.signatures[0]?.result.reasonCode).toBe('KEY_MISMATCH');
    });
  }

  it('requires a Rekor entry for a key signature unless the policy waives it (cosign --insecure-ignore-tlog)', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const ref = await pushKeySigned('no-tlog', key, { tlog: false });
    const trustRoot = loadTrustRoot(t.world.trustedRootPath);
    const strict = await verifyImage(ref, { client: t.world.client, policy: compilePolicy({ keys: [publicKeyPemOf(key)] }), trustRoot });
    expect(strict.status).toBe('failed');
    expect(strict.signatures[0]?.result.reasonCode).toBe('TLOG_MISSING');
    const waived = await verifyImage(ref, { client: t.world.client, policy: compilePolicy({ keys: [publicKeyPemOf(key)], insecureIgnoreTlog: true }), trustRoot });
    expect(waived.status).toBe('verified');
    expect(waived.signatures[0]?.result.checks.map((c) => c.name)).toContain('transparency-log-waived');
    expect(waived.signatures[0]?.result.rekor).toBeUndefined();
  });

  it('a key signature checked with no key at all is a failure, not "signed"', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const ref = await pushKeySigned('no-key-given', key);
    const r = await verifyImage(ref, { client: t.world.client, policy: compilePolicy({}), trustRoot: loadTrustRoot(t.world.trustedRootPath) });
    expect(r.status).toBe('failed');
    expect(r.signatures[0]?.result.reasonCode).toBe('KEY_REQUIRED');
  });

  it('accepts a signature made by any one of several policy keys (its Rekor entry names the second key)', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const ref = await pushKeySigned('multi', key);
    const decoy = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const r = await verifyImage(ref, { client: t.world.client, policy: compilePolicy({ keys: [publicKeyPemOf(decoy), publicKeyPemOf(key)] }), trustRoot: loadTrustRoot(t.world.trustedRootPath) });
    expect(r.status).toBe('verified');
  });
});

describe('skopeo as an independent client', () => {
  it('copies an image with its cosign .sig tag; the copy verifies under the same policy', async () => {
    if (!existsSync('/usr/bin/skopeo')) throw new Error('skopeo is missing: apt-get install -y skopeo (scripts/setup.sh installs it)');
    const regd = path.join(t.dir, 'registries.d');
    mkdirSync(regd, { recursive: true });
    writeFileSync(path.join(regd, 'sigscope.yaml'), `docker:\n  ${t.world.registry.host}:\n    use-sigstore-attachments: true\n`);
    const policyFile = path.join(t.dir, 'skopeo-policy.json');
    writeFileSync(policyFile, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    const src = t.ref('keyless-ok');
    const dst = `${t.world.registry.host}/mirror/keyless-ok:1.0`;
    await exec('/usr/bin/skopeo', ['copy', '--policy', policyFile, '--registries.d', regd, '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${src}`, `docker://${dst}`]);

    const policy = compilePolicy({ identity: EXPECTED_IDENTITY, issuer: EXPECTED_ISSUER });
    const r = await verifyImage(dst, { client: t.world.client, policy, trustRoot: loadTrustRoot(t.world.trustedRootPath) });
    expect(r.digest).toBe(t.digest('keyless-ok'));
    expect(r.status).toBe('verified');
    expect(r.signatures[0]?.result.signer.identity).toBe(EXPECTED_IDENTITY);
  });
});
