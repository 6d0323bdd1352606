/**
 * decodeCertificate() CPU cost when every call sees a certificate it has not seen before,
 * as in an organization scan (each image carries its own Fulcio leaf, so the memo never hits).
 *
 * Inputs are real certificates from ../shared/fixtures. Distinct DER for every call comes from
 * rewriting the last two bytes of each certificate (inside its signature, which decoding does
 * not check): the decoded fields stay those of the real certificate, the fingerprint changes.
 * Prints µs per decode (CPU time of the process, and wall time) by input form and by kind of
 * certificate, the memo-hit cost, and where the time goes (a V8 CPU profile of the DER loop,
 * inclusive time by package; BENCH_X509_PROFILE=0 skips it).
 *
 *   node --conditions=react-server --import tsx bench/x509.ts   (BENCH_X509_N=… decodes per figure)
 */
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { FULCIO_LEAVES_FROM_BUNDLES, readFixture, readFixtureJson } from '../tests/support/fixtures';
import { decodeCertificate, derFromPem, pemFromDer } from '../lib/x509';

const N = Number(process.env.BENCH_X509_N ?? 4000);

interface Sample {
  name: string;
  kind: 'fulcio-leaf' | 'ca' | 'other';
  der: Uint8Array;
}

function samples(): Sample[] {
  const pem = (...parts: string[]) => derFromPem(readFixture(...parts).toString('utf8'));
  const leaves = [...FULCIO_LEAVES_FROM_BUNDLES].map((f): Sample => ({ name: f, kind: 'fulcio-leaf', der: pem('x509-from-bundles', f) }));
  leaves.push(
    { name: 'kyverno github-actions (v1 extensions)', kind: 'fulcio-leaf', der: pem('kyverno', 'certs', 'github-actions-JimBugwadia-demo-java-tomcat-v0.0.22.pem') },
    { name: 'sigstore-java cert-githuboidc', kind: 'fulcio-leaf', der: pem('sigstore-java', 'certs', 'cert-githuboidc.pem') },
  );
  const othername = readFixtureJson<{ verificationMaterial: { certificate: { rawBytes: string } } }>('sigstore-go', 'bundles', 'othername.sigstore.json');
  leaves.push({ name: 'sigstore-go othername', kind: 'fulcio-leaf', der: new Uint8Array(Buffer.from(othername.verificationMaterial.certificate.rawBytes, 'base64')) });

  const scaffolding = readFixtureJson<{ certificateAuthorities: { certChain: { certificates: { rawBytes: string }[] } }[] }>('sigstore-go', 'trusted-roots', 'scaffolding.json');
  return [
    ...leaves,
    { name: 'public-good fulcio_v1 root', kind: 'ca', der: pem('public-good-trust-root', 'targets', 'fulcio_v1.crt.pem') },
    { name: 'public-good fulcio intermediate', kind: 'ca', der: pem('public-good-trust-root', 'targets', 'fulcio_intermediate_v1.crt.pem') },
    { name: 'scaffolding root (RSA 4096)', kind: 'other', der: new Uint8Array(Buffer.from(scaffolding.certificateAuthorities[0]!.certChain.certificates[0]!.rawBytes, 'base64')) },
  ];
}

/** The certificate with its last two bytes (signature) replaced by `i`: distinct DER, same fields. */
function variant(der: Uint8Array, i: number): Uint8Array {
  const out = der.slice();
  out[out.length - 2] = (i >> 8) & 0xff;
  out[out.length - 1] = i & 0xff;
  return out;
}

/** `count` distinct inputs cycling through `from`; built before timing so only decoding is measured. */
let used = 0;
function distinctInputs(from: Sample[], count: number): Uint8Array[] {
  const first = used + 1; // every call gets variants no earlier call used
  used += Math.ceil(count / from.length);
  return Array.from({ length: count }, (_, i) => variant(from[i % from.length]!.der, first + Math.floor(i / from.length)));
}

interface Timing {
  /** CPU time of this process (user + system, all threads) per decode: robust on a shared machine. */
  cpuUs: number;
  wallUs: number;
  n: number;
}

function time(inputs: readonly (string | Uint8Array)[]): Timing {
  for (const input of inputs.slice(0, 200)) decodeCertificate(input); // warm-up (also fills the memo with those, harmlessly)
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const input of inputs) decodeCertificate(input);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / inputs.length, wallUs: (wall * 1000) / inputs.length, n: inputs.length };
}

function row(label: string, t: Timing): void {
  console.log(`  ${label.padEnd(52)} ${t.cpuUs.toFixed(1).padStart(8)} µs CPU/decode  ${t.wallUs.toFixed(1).padStart(8)} µs wall  (${t.n} decodes)`);
}

async function profile(inputs: readonly Uint8Array[]): Promise<void> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  for (const input of inputs) decodeCertificate(input);
  const { profile: p } = await session.post('Profiler.stop');
  session.disconnect();

  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (url: string, fn: string) => {
    if (!url) return fn === 'structuredClone' ? '(structuredClone)' : '';
    const path = url.replace(/^file:\/\//, '');
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    if (nm) return nm[1]!;
    const own = /\/(lib\/[^?]+)/.exec(path);
    return own ? own[1]! : path.startsWith('node:') ? path : '';
  };
  const inclusive = new Map<string, number>();
  let total = 0;
  p.samples!.forEach((id, i) => {
    const dt = p.timeDeltas![i] ?? 0;
    total += dt;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { url, functionName } = nodes.get(at)!.callFrame;
      const l = label(url, functionName);
      if (l) seen.add(l);
    }
    for (const l of seen) inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
  });
  console.log(`\nwhere the time goes (CPU profile of ${inputs.length} DER decodes, inclusive: a sample counts for every package on its stack)`);
  for (const [l, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 14)) {
    console.log(`  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / inputs.length).toFixed(1).padStart(7)} µs/decode  ${l}`);
  }
}

async function main() {
  const all = samples();
  // The variants must decode exactly as the real certificates do, apart from fingerprint and PEM.
  for (const s of all) {
    const { fingerprintSha256: _a, pem: _b, ...real } = decodeCertificate(s.der);
    const { fingerprintSha256: _c, pem: _d, ...changed } = decodeCertificate(variant(s.der, 0xffff));
    if (JSON.stringify(real) !== JSON.stringify(changed)) throw new Error(`variant of ${s.name} decodes differently`);
  }
  const leaves = all.filter((s) => s.kind === 'fulcio-leaf');
  const bytes = Math.round(leaves.reduce((a, s) => a + s.der.length, 0) / leaves.length);

  console.log(`decodeCertificate, distinct certificates (memo never hits); ${all.length} real certificates, leaves average ${bytes} bytes of DER`);
  const derLeaves = distinctInputs(leaves, N);
  row('Fulcio leaves, DER bytes (bundle rawBytes)', time(derLeaves));
  row('Fulcio leaves, PEM text (cosign annotation)', time(distinctInputs(leaves, N).map((d) => pemFromDer(d))));
  const byKind = (kind: Sample['kind']) => distinctInputs(all.filter((s) => s.kind === kind), Math.max(200, N / 4));
  row('CA certificates, DER', time(byKind('ca')));
  row('other (RSA 4096 root), DER', time(byKind('other')));
  row('same certificate again (memo hit), DER', time(Array.from({ length: N }, () => leaves[0]!.der)));

  if (process.env.BENCH_X509_PROFILE !== '0') await profile(distinctInputs(leaves, Math.min(N, 2000)));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
