/**
 * Cosign signature verification on a worker thread, for scans.
 *
 * Why: a scan's main thread also parses manifests, drives HTTP and writes the database; on
 * it, decoding the leaf certificate and @sigstore/verify's checks were a third of the time,
 * while the machine's other core sat partly idle (CPU profiles of bench/scan.ts). One thread
 * per scan verifies, in order, whatever the scan's concurrent items hand it. The verdicts
 * are the ones verifyCosignSignature gives on the main thread (the same function runs
 * there: verify-thread.test.ts compares them).
 *
 * The thread is started on first use. If it dies (a crash, its memory bound) the signatures
 * it held fail with that reason — never a verdict made up — and the next one starts a new thread.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DiscoveredSignature } from '../cosign/discovered';
import { projectRoot } from '../db/paths';
import { SigscopeError } from '../errors';
import type { DecodedCertificate } from '../x509';
import type { CompiledPolicy } from './policy';
import type { SignatureVerdict } from './result';
import type { LoadedTrustRoot } from './trust-root';
import type { CosignReply, CosignRequest, VerifyThreadSetup } from './verify-thread-worker';

export type { VerifyThreadSetup } from './verify-thread-worker';

/** What a cosign signature's verification gives, wherever it ran. */
export interface CosignVerification {
  verdict: SignatureVerdict;
  /** The leaf certificate as decoded while verifying (absent for key signatures or a malformed one). */
  leaf?: DecodedCertificate;
}

/** Verifies cosign signatures under one policy and trusted root. */
export interface CosignVerifier {
  verify(sig: DiscoveredSignature, imageDigest: string): Promise<CosignVerification>;
}

// Set by scripts/build-cli.mjs: the CLI bundle starts dist/verify-thread.mjs; sources start the .ts body through tsx.
declare const __SIGSCOPE_BUNDLE__: boolean | undefined;

/**
 * The thread's bootstrap code: the Reflect shim first (@peculiar/x509 needs it before it loads,
 * which static imports cannot order in an ES module bundle: see lib/x509/reflect-shim.ts), then the body.
 */
function workerSource(): string {
  const root = projectRoot();
  if (typeof __SIGSCOPE_BUNDLE__ !== 'undefined' && __SIGSCOPE_BUNDLE__) {
    const url = (f: string) => JSON.stringify(pathToFileURL(path.join(root, 'dist', f)).href);
    return `import(${url('reflect-shim.mjs')}).then(() => import(${url('verify-thread.mjs')}));`;
  }
  const file = (f: string) => JSON.stringify(path.join(root, 'lib', f));
  return `require('tsx/cjs'); require(${file('x509/reflect-shim.ts')}); require(${file('verify/verify-thread-worker.ts')});`;
}

/** A process run with --cpu-prof (bench/scan.ts BENCH_SCAN_CPU_PROF) profiles its verification thread too. */
function profilingFlags(): string[] {
  return process.execArgv.filter((a) => a === '--cpu-prof' || a.startsWith('--cpu-prof-dir='));
}

/** Heap bounds of the thread: its live data is one signature at a time. */
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 };

export class VerifyThread implements CosignVerifier {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: CosignVerification) => void; reject: (e: unknown) => void }>();

  constructor(private readonly setup: VerifyThreadSetup) {}

  verify(sig: DiscoveredSignature, imageDigest: string): Promise<CosignVerification> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<CosignVerification>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // The payload is often a view into a larger buffer (a response body), which cloning would copy whole.
      const req: CosignRequest = { id, sig: { ...sig, payload: new Uint8Array(sig.payload) }, imageDigest };
      worker.postMessage(req);
    });
  }

  /** Stops the thread; signatures still waiting fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
    this.failPending('the verification thread was stopped');
  }

  private start(): Worker {
    const worker = new Worker(workerSource(), { eval: true, workerData: this.setup, execArgv: ['--conditions=react-server', ...profilingFlags()], resourceLimits: RESOURCE_LIMITS });
    worker.unref(); // a scan that forgets to close it does not keep the process alive
    worker.on('message', (reply: CosignReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ('error' in reply) p.reject(new SigscopeError('VERIFIER_ERROR', `verification failed unexpectedly: ${reply.error}`));
      else p.resolve({ verdict: reply.verdict, ...(reply.leaf ? { leaf: reply.leaf } : {}) });
    });
    const died = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failPending(why);
    };
    worker.on('error', (e) => died(`the verification thread stopped: ${e.message}`));
    worker.on('exit', (code) => died(`the verification thread exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private failPending(why: string): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(new SigscopeError('VERIFIER_ERROR', `${why}; the signature was not verified`));
  }
}

/** A scan's threads: one per policy and trusted root it verifies under (in practice one). */
export class VerifyThreads {
  private readonly threads = new Map<string, VerifyThread>();

  /** `rawPolicy` is what `policy` was compiled from. */
  verifierFor(policy: CompiledPolicy, rawPolicy: unknown, trust: LoadedTrustRoot): CosignVerifier {
    const key = `${policy.hash}\n${trust.hash}`;
    let thread = this.threads.get(key);
    if (!thread) {
      thread = new VerifyThread({ policy: rawPolicy, trustedRoot: Buffer.from(JSON.stringify(trust.json)), trustRootName: trust.name });
      this.threads.set(key, thread);
    }
    return thread;
  }

  async close(): Promise<void> {
    const threads = [...this.threads.values()];
    this.threads.clear();
    await Promise.all(threads.map((t) => t.close()));
  }
}
