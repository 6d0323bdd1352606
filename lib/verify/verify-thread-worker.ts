/**
 * The body of a verification thread (./verify-thread.ts): compiles the policy and loads the
 * trusted root it was started with, then answers one message per cosign signature with the
 * verdict and the decoded leaf certificate, exactly as verifyCosignSignature gives them on
 * the main thread. Started by ./verify-thread.ts (which loads the Reflect shim first).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DiscoveredSignature } from '../cosign/discovered';
import { describeError } from '../errors';
import { decodeCertificate, type DecodedCertificate } from '../x509';
import { compilePolicy } from './policy';
import { parseTrustedRoot } from './trust-root';
import { verifyCosignSignature } from './verify-cosign';
import type { SignatureVerdict } from './result';

export interface VerifyThreadSetup {
  /** The policy as given to compilePolicy (keys as PEM: a compiled policy holds KeyObjects). */
  policy: unknown;
  /** The trusted root's bytes, and its name for error messages. */
  trustedRoot: Uint8Array;
  trustRootName: string;
}
export interface CosignRequest {
  id: number;
  /** The payload as its own exact-size array (see VerifyThread.verify). */
  sig: Omit<DiscoveredSignature, 'payload'> & { payload: Uint8Array };
  imageDigest: string;
}
export type CosignReply = { id: number; verdict: SignatureVerdict; leaf?: DecodedCertificate } | { id: number; error: string };

const setup = workerData as VerifyThreadSetup;
const policy = compilePolicy(setup.policy);
const trust = parseTrustedRoot(Buffer.from(setup.trustedRoot), setup.trustRootName).material;

parentPort!.on('message', (req: CosignRequest) => {
  let reply: CosignReply;
  try {
    const sig = { ...req.sig, payload: Buffer.from(req.sig.payload.buffer, req.sig.payload.byteOffset, req.sig.payload.byteLength) };
    const verdict = verifyCosignSignature(sig, { imageDigest: req.imageDigest, policy, trust });
    // Decoded already during verification (memoized): the run stores it without decoding again.
    reply = { id: req.id, verdict, ...(sig.certificatePem ? { leaf: leafOf(sig.certificatePem) } : {}) };
  } catch (e) {
    reply = { id: req.id, error: describeError(e) };
  }
  parentPort!.postMessage(reply);
});

function leafOf(pem: string): DecodedCertificate | undefined {
  try {
    return decodeCertificate(pem);
  } catch {
    return undefined; // the verdict says CERTIFICATE_MALFORMED; the run stores the signature without it
  }
}
