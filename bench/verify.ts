/**
 * CPU cost of verifying one cosign signature in-process (lib/verify/verify-cosign.ts), keyless
 * and key-based separately. Signs N distinct images once against a local Sigstore instance
 * (real Fulcio-style CA, CT log and Rekor on loopback), then times verifyCosignSignature over
 * all of them for several rounds and prints µs per verification: CPU time (process.cpuUsage,
 * what a scan pays; steadier on a shared machine) and wall time, median round and best.
 * Every verification must say "verified": a faster wrong answer is not a result.
 *
 *   node --conditions=react-server --import tsx bench/verify.ts [N per kind, default 100] [rounds, default 7]
 * For hot spots add `--cpu-prof --cpu-prof-dir=DIR` and read the profile with bench/profile-summary.ts.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { DiscoveredSignature } from '../lib/cosign/discovered';
import { decodeCertificate } from '../lib/x509';
import { compilePolicy } from '../lib/verify/policy';
import { parseTrustedRoot } from '../lib/verify/trust-root';
import { verifyCosignSignature } from '../lib/verify/verify-cosign';
import { discoveredFromLayer, GITHUB_ACTIONS_ISSUER, githubWorkflowIdentity, signKeyless, signWithKey, simpleSigningPayload } from '../sandbox/cosign-sign';
import { generateCosignKeyPair, readCosignPrivateKey } from '../sandbox/cosign-key';
import { startSigstoreInstance } from '../sandbox/sigstore-instance';

const N = Number(process.argv[2] ?? 100);
const ROUNDS = Number(process.argv[3] ?? 7);
const REPO = 'acme/platform';
const WORKFLOW = '.github/workflows/release.yml@refs/heads/main';

interface Case {
  sig: DiscoveredSignature;
  digest: string;
}


async function pool<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const instance = await startSigstoreInstance();
  try {
    const trust = parseTrustedRoot(Buffer.from(JSON.stringify(instance.trustedRoot)), 'sandbox');
    const pair = generateCosignKeyPair('bench');
    const privateKey = readCosignPrivateKey(pair.privateKeyPem, 'bench');
    // The scan's usual policy: the release workflow, or the organization's cosign key.
    const policy = compilePolicy({ identity: githubWorkflowIdentity(REPO, WORKFLOW), issuer: GITHUB_ACTIONS_ISSUER, keys: [pair.publicKeyPem] });

    const t0 = performance.now();
    const digestOf = (kind: string, i: number) => `sha256:${createHash('sha256').update(`${kind}-${i}`).digest('hex')}`;
    const sign = (kind: 'keyless' | 'key') =>
      pool(N, 4, async (i): Promise<Case> => {
        const digest = digestOf(kind, i);
        const payload = simpleSigningPayload(`registry.bench/${REPO}`, digest);
        const layer =
          kind === 'keyless'
            ? await signKeyless(payload, instance, { repository: REPO, workflowRef: WORKFLOW, sha: 'c'.repeat(40) })
            : await signWithKey(payload, privateKey, { rekor: instance });
        return { sig: discoveredFromLayer(layer, digest), digest };
      });
    const cases = { keyless: await sign('keyless'), key: await sign('key') };
    console.log(`signed ${N} keyless + ${N} key signatures in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // For reference: decoding the leaf (lib/x509, @peculiar/x509) is part of every keyless verification.
    const decodeCpu: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cpuStart = process.cpuUsage();
      for (const c of cases.keyless) decodeCertificate(c.sig.certificatePem!);
      const used = process.cpuUsage(cpuStart);
      decodeCpu.push((used.user + used.system) / cases.keyless.length);
    }

    for (const [kind, list] of Object.entries(cases)) {
      // Correctness first (and warm-up): every one must verify.
      for (const c of list) {
        const r = verifyCosignSignature(c.sig, { imageDigest: c.digest, policy, trust: trust.material });
        if (r.verdict !== 'verified') throw new Error(`${kind} signature did not verify: ${r.reasonCode} ${r.reason}`);
      }
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const start = performance.now();
        const cpuStart = process.cpuUsage();
        for (const c of list) verifyCosignSignature(c.sig, { imageDigest: c.digest, policy, trust: trust.material });
        const used = process.cpuUsage(cpuStart);
        wall.push(((performance.now() - start) * 1000) / list.length);
        cpu.push((used.user + used.system) / list.length);
      }
      // CPU time is what a scan pays per image; wall time also counts waiting for a shared core.
      console.log(
        `verify ${kind.padEnd(7)}: ${median(cpu).toFixed(0)} µs CPU per signature (median of ${ROUNDS} rounds over ${list.length}; best ${Math.min(...cpu).toFixed(0)}), ` +
          `wall ${median(wall).toFixed(0)} µs (best ${Math.min(...wall).toFixed(0)})`,
      );
      if (kind === 'keyless') console.log(`  of which decodeCertificate (lib/x509) of the leaf: ${median(decodeCpu).toFixed(0)} µs CPU (best ${Math.min(...decodeCpu).toFixed(0)})`);
    }
  } finally {
    await instance.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
