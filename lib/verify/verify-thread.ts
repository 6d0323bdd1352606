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
 * The thread is started on first use and stopped after a while idle. If it dies (a crash, its
 * memory bound) the signatures it held are sent once more to a fresh thread; a second death,
 * or no answer within a minute, fails them with the reason — never a verdict made up.
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

/** A signature not answered within this long stops the thread (its lease would otherwise be renewed forever). */
const ANSWER_TIMEOUT_MS = 60_000;
/** An idle thread is stopped (a long-running worker meets many scans); the next signature starts one. */
const IDLE_MS = 30_000;

interface Pending {
  req: CosignRequest;
  resolve: (v: CosignVerification) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
  /** Sent again once to a fresh thread when the thread died while it waited. */
  retried: boolean;
}

export class VerifyThread implements CosignVerifier {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly setup: VerifyThreadSetup,
    private readonly limits: { answerTimeoutMs?: number; idleMs?: number } = {},
  ) {}

  /**
   * Starts the thread ahead of the first signature, so that it loads its modules while the
   * caller lists repositories and fetches manifests. Unused, it stops after the idle time.
   */
  warm(): void {
    if (this.worker) return;
    this.start();
    this.idle();
  }

  verify(sig: DiscoveredSignature, imageDigest: string): Promise<CosignVerification> {
    const id = this.nextId++;
    // The payload is often a view into a larger buffer (a response body), which cloning would copy whole.
    const req: CosignRequest = { id, sig: { ...sig, payload: new Uint8Array(sig.payload) }, imageDigest };
    return new Promise<CosignVerification>((resolve, reject) => {
      const p: Pending = { req, resolve, reject, timer: this.answerTimer(id), retried: false };
      this.pending.set(id, p);
      this.send(p);
    });
  }

  /** Stops the thread; signatures still waiting fail. */
  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    this.worker = null;
    this.failPending('the verification thread was stopped');
    if (worker) await worker.terminate();
  }

  private send(p: Pending): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker ?? this.start();
    worker.ref(); // keeps the process alive while a signature waits for its verdict
    worker.postMessage(p.req);
  }

  private answerTimer(id: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      if (!this.pending.has(id)) return;
      const worker = this.worker;
      this.worker = null;
      const ms = this.limits.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
      this.failPending(`the verification thread did not answer within ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`);
      void worker?.terminate();
    }, this.limits.answerTimeoutMs ?? ANSWER_TIMEOUT_MS);
    timer.unref();
    return timer;
  }

  private start(): Worker {
    const worker = new Worker(workerSource(), { eval: true, workerData: this.setup, execArgv: ['--conditions=react-server', ...profilingFlags()], resourceLimits: RESOURCE_LIMITS });
    worker.on('message', (reply: CosignReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.settle(reply.id, p);
      if ('error' in reply) p.reject(new SigscopeError('VERIFIER_ERROR', `verification failed unexpectedly: ${reply.error}`));
      else p.resolve({ verdict: reply.verdict, ...(reply.leaf ? { leaf: reply.leaf } : {}) });
    });
    const died = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      // The signature that killed it cannot be told from the others waiting: each is tried once more on
      // a fresh thread, so one hostile signature does not fail the images verified alongside it.
      const again = [...this.pending.values()].filter((p) => !p.retried);
      for (const p of this.pending.values()) if (p.retried) this.fail(p, why);
      for (const p of again) {
        p.retried = true;
        this.send(p);
      }
    };
    worker.on('error', (e) => died(`the verification thread stopped: ${e.message}`));
    worker.on('exit', (code) => died(`the verification thread exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private settle(id: number, p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(id);
    if (this.pending.size === 0) this.idle();
  }

  /** Nothing waits: the thread no longer holds the process open, and stops after a while. */
  private idle(): void {
    if (!this.worker) return;
    this.worker.unref();
    const worker = this.worker;
    this.idleTimer = setTimeout(() => {
      if (this.worker !== worker || this.pending.size > 0) return;
      this.worker = null;
      void worker.terminate();
    }, this.limits.idleMs ?? IDLE_MS);
    this.idleTimer.unref();
  }

  private fail(p: Pending, why: string): void {
    this.settle(p.req.id, p);
    p.reject(new SigscopeError('VERIFIER_ERROR', `${why}; the signature was not verified`));
  }

  private failPending(why: string): void {
    for (const p of [...this.pending.values()]) this.fail(p, why);
  }
}

/** A scan's threads: one per policy and trusted root it verifies under (in practice one). */
export class VerifyThreads {
  private readonly threads = new Map<string, VerifyThread>();

  /** `rawPolicy` is what `policy` was compiled from. */
  verifierFor(policy: CompiledPolicy, rawPolicy: unknown, trust: LoadedTrustRoot): VerifyThread {
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
