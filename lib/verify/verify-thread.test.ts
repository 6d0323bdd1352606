/**
 * The verification thread gives exactly the verdicts (and decoded leaf) verifyCosignSignature
 * gives on the main thread, for signatures made by the sandbox's local Sigstore; a thread
 * that cannot start or is stopped fails the signatures it held with the reason, never a verdict.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveredSignature } from '../cosign/discovered';
import { ANNOTATION, type CosignSignatureLayer } from '../cosign/types';
import { startSigstoreInstance, type SigstoreInstance } from '../../sandbox/sigstore-instance';
import { discoveredFromLayer, GITHUB_ACTIONS_ISSUER, githubWorkflowIdentity, signKeyless, signWithKey, simpleSigningPayload } from '../../sandbox/cosign-sign';
import { decodeCertificate } from '../x509';
import { compilePolicy } from './policy';
import { parseTrustedRoot, type LoadedTrustRoot } from './trust-root';
import { verifyCosignSignature } from './verify-cosign';
import { VerifyThread, VerifyThreads } from './verify-thread';

const DIGEST = `sha256:${createHash('sha256').update('image').digest('hex')}`;
const OTHER = `sha256:${createHash('sha256').update('other').digest('hex')}`;
const IDENTITY = githubWorkflowIdentity('acme/widget', '.github/workflows/release.yml@refs/heads/main');

let instance: SigstoreInstance;
let trust: LoadedTrustRoot;
let keyless: CosignSignatureLayer;
let keySigned: CosignSignatureLayer;
let keyPem: string;
const threads = new VerifyThreads();

function discovered(l: CosignSignatureLayer, over: Partial<DiscoveredSignature> = {}): DiscoveredSignature {
  return discoveredFromLayer(l, DIGEST, { tag: 'sha256-x.sig', manifestDigest: DIGEST, ...over });
}

beforeAll(async () => {
  instance = await startSigstoreInstance();
  trust = parseTrustedRoot(Buffer.from(JSON.stringify(instance.trustedRoot)), 'sandbox');
  keyless = await signKeyless(simpleSigningPayload('registry.test/acme/widget', DIGEST), instance, { repository: 'acme/widget', workflowRef: '.github/workflows/release.yml@refs/heads/main' });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  keyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  keySigned = await signWithKey(simpleSigningPayload('registry.test/acme/widget', DIGEST), privateKey, { rekor: instance });
}, 60_000);
afterAll(async () => {
  await threads.close();
  await instance?.stop();
});

describe('VerifyThread', () => {
  it('gives the verdicts and leaf the main thread gives, for passing and failing signatures', async () => {
    const policies = [
      { identity: IDENTITY, issuer: GITHUB_ACTIONS_ISSUER },
      { identity: 'https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main', issuer: GITHUB_ACTIONS_ISSUER },
      { keys: [keyPem] },
      {},
    ];
    const cases: Array<[DiscoveredSignature, string]> = [
      [discovered(keyless), DIGEST],
      [discovered(keyless), OTHER], // replayed onto another image
      [discovered(keySigned), DIGEST],
      [discovered(keyless, { certificatePem: '-----BEGIN CERTIFICATE-----\nMIIBroken\n-----END CERTIFICATE-----\n' }), DIGEST],
      [discovered(keyless, { signatureB64: Buffer.from('not the signature').toString('base64') }), DIGEST],
    ];
    const seen = new Set<string>();
    for (const raw of policies) {
      const policy = compilePolicy(raw);
      const verifier = threads.verifierFor(policy, raw, trust);
      for (const [sig, digest] of cases) {
        const inline = verifyCosignSignature(sig, { imageDigest: digest, policy, trust: trust.material });
        const off = await verifier.verify(sig, digest);
        expect(off.verdict).toEqual(inline);
        seen.add(inline.reasonCode ?? inline.verdict);
        if (sig.certificatePem === keyless.annotations[ANNOTATION.certificate]) expect(off.leaf).toEqual(decodeCertificate(sig.certificatePem!));
        else expect(off.leaf).toBeUndefined();
      }
    }
    // The cases do exercise different outcomes, not one verdict five times.
    expect(seen).toEqual(new Set(['verified', 'DIGEST_MISMATCH', 'IDENTITY_MISMATCH', 'KEY_REQUIRED', 'CERTIFICATE_MALFORMED', 'TLOG_BODY_MISMATCH', 'KEY_NOT_ALLOWED', 'UNSIGNED_BY_POLICY', 'KEYLESS_NOT_ALLOWED']));
  });

  it('verifies concurrent requests, each answered with its own verdict', async () => {
    const raw = { identity: IDENTITY, issuer: GITHUB_ACTIONS_ISSUER };
    const verifier = threads.verifierFor(compilePolicy(raw), raw, trust);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => verifier.verify(discovered(keyless), i % 2 ? OTHER : DIGEST)));
    expect(answers.map((a) => a.verdict.verdict)).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 ? 'failed' : 'verified')));
  });

  it('fails the signatures with the reason when the thread cannot start, and is usable again afterwards', async () => {
    const broken = new VerifyThread({ policy: {}, trustedRoot: Buffer.from('{"not": "a trusted root"}'), trustRootName: 'broken.json' });
    await expect(broken.verify(discovered(keyless), DIGEST)).rejects.toMatchObject({ code: 'VERIFIER_ERROR', message: expect.stringMatching(/verification thread stopped: .*broken\.json.*the signature was not verified/) });
    await broken.close();

    const good = new VerifyThread({ policy: {}, trustedRoot: Buffer.from(JSON.stringify(instance.trustedRoot)), trustRootName: 'sandbox' });
    const pending = expect(good.verify(discovered(keyless), DIGEST)).rejects.toMatchObject({ code: 'VERIFIER_ERROR', message: expect.stringMatching(/stopped/) });
    await good.close();
    await pending;
    // A closed thread starts again on the next signature.
    expect((await good.verify(discovered(keyless), DIGEST)).verdict.verdict).toBe('signed-unchecked');
    await good.close();
  });

  it('sends what a dying thread held once more to a fresh thread, so the other images still get their verdicts', async () => {
    const thread = new VerifyThread({ policy: {}, trustedRoot: Buffer.from(JSON.stringify(instance.trustedRoot)), trustRootName: 'sandbox' });
    const workerOf = () => (thread as unknown as { worker: { terminate(): Promise<number> } | null }).worker;
    const waiting = [thread.verify(discovered(keyless), DIGEST), thread.verify(discovered(keyless), OTHER)];
    await workerOf()!.terminate(); // dies with both signatures waiting
    const [a, b] = await Promise.all(waiting);
    expect(a?.verdict.verdict).toBe('signed-unchecked');
    expect(b?.verdict.reasonCode).toBe('DIGEST_MISMATCH');
    await thread.close();
  });

  it('fails a signature the thread does not answer in time, and stops after being idle', async () => {
    const setup = { policy: {}, trustedRoot: Buffer.from(JSON.stringify(instance.trustedRoot)), trustRootName: 'sandbox' };
    const slow = new VerifyThread(setup, { answerTimeoutMs: 1 });
    await expect(slow.verify(discovered(keyless), DIGEST)).rejects.toMatchObject({ code: 'VERIFIER_ERROR', message: expect.stringMatching(/did not answer within 1 ms; the signature was not verified/) });
    await slow.close();

    const idle = new VerifyThread(setup, { idleMs: 50 });
    const workerOf = () => (idle as unknown as { worker: unknown }).worker;
    await idle.verify(discovered(keyless), DIGEST);
    expect(workerOf()).not.toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    expect(workerOf()).toBeNull();
    expect((await idle.verify(discovered(keyless), DIGEST)).verdict.verdict).toBe('signed-unchecked'); // started again
    await idle.close();
  });

  it('can be started ahead of the first signature, which it then verifies; unused, it stops when idle', async () => {
    const setup = { policy: {}, trustedRoot: Buffer.from(JSON.stringify(instance.trustedRoot)), trustRootName: 'sandbox' };
    const thread = new VerifyThread(setup, { idleMs: 200 });
    const workerOf = () => (thread as unknown as { worker: unknown }).worker;
    thread.warm();
    const warmed = workerOf();
    expect(warmed).not.toBeNull();
    thread.warm(); // a second call keeps the same thread
    expect(workerOf()).toBe(warmed);
    expect((await thread.verify(discovered(keyless), DIGEST)).verdict.verdict).toBe('signed-unchecked');
    expect(workerOf()).toBe(warmed); // the warmed thread answered, no second one was started

    const unused = new VerifyThread(setup, { idleMs: 50 });
    unused.warm();
    expect((unused as unknown as { worker: unknown }).worker).not.toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    expect((unused as unknown as { worker: unknown }).worker).toBeNull();
    await Promise.all([thread.close(), unused.close()]);
  });
});
