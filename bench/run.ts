/**
 * `npm run bench`: prints throughput and memory figures for the hot paths. Targets live
 * here, never in timed unit tests. Runs offline against the sandbox's local Sigstore.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseReference } from '../lib/oci/reference';
import { decodeCertificate } from '../lib/x509';
import { compilePolicy } from '../lib/verify/policy';
import { parseTrustedRoot } from '../lib/verify/trust-root';
import { verifyCosignSignature } from '../lib/verify/verify-cosign';
import { ANNOTATION } from '../lib/cosign/types';
import { startSigstoreInstance } from '../sandbox/sigstore-instance';
import { GITHUB_ACTIONS_ISSUER, githubWorkflowIdentity, signKeyless, simpleSigningPayload } from '../sandbox/cosign-sign';

function measure(name: string, n: number, fn: (i: number) => void): void {
  for (let i = 0; i < Math.min(50, n); i++) fn(i); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const ms = performance.now() - t0;
  console.log(`${name.padEnd(44)} ${String(n).padStart(6)} ops  ${(ms / n).toFixed(3).padStart(8)} ms/op  ${Math.round((n / ms) * 1000).toString().padStart(8)} ops/s`);
}

async function main() {
  const refs = ['nginx', 'ghcr.io/acme/app:1.2', `127.0.0.1:5000/a/b/c@sha256:${'a'.repeat(64)}`, 'docker.io/library/alpine:3.20'];
  measure('parseReference', 100_000, (i) => parseReference(refs[i % refs.length]!));

  const instance = await startSigstoreInstance();
  try {
    const trust = parseTrustedRoot(Buffer.from(JSON.stringify(instance.trustedRoot)), 'bench');
    const digest = `sha256:${createHash('sha256').update('bench').digest('hex')}`;
    const layer = await signKeyless(simpleSigningPayload('bench/app', digest), instance, { repository: 'acme/widget', workflowRef: '.github/workflows/release.yml@refs/heads/main' });
    const policy = compilePolicy({ identity: githubWorkflowIdentity('acme/widget', '.github/workflows/release.yml@refs/heads/main'), issuer: GITHUB_ACTIONS_ISSUER });
    measure('decodeCertificate (Fulcio leaf)', 2_000, () => decodeCertificate(layer.annotations[ANNOTATION.certificate]!));
    const sig = {
      subjectDigest: digest, tag: 't', manifestDigest: digest, layerIndex: 0, layerDigest: digest, mediaType: layer.mediaType, payload: layer.payload,
      signatureB64: layer.annotations[ANNOTATION.signature], certificatePem: layer.annotations[ANNOTATION.certificate], chainPem: layer.annotations[ANNOTATION.chain], bundleJson: layer.annotations[ANNOTATION.bundle],
    };
    const before = process.memoryUsage().heapUsed;
    measure('verifyCosignSignature (keyless, full checks)', 1_000, () => {
      const r = verifyCosignSignature(sig, { imageDigest: digest, policy, trust: trust.material });
      if (r.verdict !== 'verified') throw new Error(`bench signature did not verify: ${r.reason}`);
    });
    const after = process.memoryUsage().heapUsed;
    console.log(`heap growth over 1000 verifications: ${((after - before) / 1024 / 1024).toFixed(1)} MiB; rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
  } finally {
    await instance.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
