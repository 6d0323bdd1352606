/**
 * Proving one log entry, step by step, so the explorer can show each step and
 * the CLI can exit 0 only when the proof holds:
 *
 *   log      — the entry's log ID names a log of the trusted root;
 *   uuid     — (v1) the body hashes to the leaf the UUID names;
 *   inclusion — the audit path leads from the body's leaf hash to the proof's root;
 *   checkpoint — the checkpoint is signed by that log's key and states the same
 *                tree size and root as the proof;
 *   set      — (v1) the SET over {body, integratedTime, logID, logIndex} verifies.
 *
 * An entry is proven when its inclusion proof is anchored in a verified checkpoint,
 * or its SET verifies (a v1 promise of inclusion), and no step that was present
 * failed: a present-but-broken proof is evidence of tampering, never ignored.
 * An inclusion proof without a checkpoint (old v0.1 bundles) proves nothing by
 * itself and is reported as such. Never throws.
 */
import { printable } from '../errors';
import { base64Strict } from './encoding';
import type { RekorV1Entry, TlogEntry } from './entry';
import { decodeEntryBody } from './entry';
import { keysForLogId, summarizeKey, type LogKeySummary, type TransparencyLogKey } from './log-keys';
import { hashesFromHex, hashLeaf, verifyCheckpoint, verifyInclusion, verifySet, type Checkpoint } from './proofs';

export type ProofStepId = 'log' | 'uuid' | 'inclusion' | 'checkpoint' | 'set';

export interface ProofStep {
  id: ProofStepId;
  /** passed, failed, or absent (the entry carries nothing to check for this step). */
  status: 'passed' | 'failed' | 'absent';
  /** What was checked and what came out, for a person. */
  detail: string;
}

export interface EntryVerification {
  ok: boolean;
  /** The first failure, or why nothing proves the entry. */
  reason?: string;
  steps: ProofStep[];
  /** The leaf hash of the body, hex. */
  leafHash: string;
  /** Inclusion proof verified and anchored in a verified checkpoint. */
  inclusionVerified: boolean;
  setVerified: boolean;
  /** The verified checkpoint the proof is anchored in. */
  checkpoint?: Checkpoint;
  log?: LogKeySummary;
}

export interface EntryVerificationOptions {
  /** Fail unless the inclusion proof and its checkpoint verify (a SET alone is not enough). */
  requireInclusionProof?: boolean;
}

interface CoreInput {
  bodyBase64: string;
  uuid?: string;
  logIndex: number;
  integratedTime?: number;
  logId: string;
  set?: string;
  proof?: { logIndex: number; treeSize: number; rootHash: string; hashes: string[]; checkpoint?: string };
  /** v2 logs have one index: the proof's must equal the entry's. */
  singleIndex: boolean;
}

function verifyCore(input: CoreInput, keys: readonly TransparencyLogKey[], options: EntryVerificationOptions): EntryVerification {
  const steps: ProofStep[] = [];
  const step = (id: ProofStepId, status: ProofStep['status'], detail: string) => steps.push({ id, status, detail });
  const bodyBytes = base64Strict(input.bodyBase64);
  if (!bodyBytes) {
    return { ok: false, reason: 'the entry body is not base64', steps, leafHash: '', inclusionVerified: false, setVerified: false };
  }
  const leaf = hashLeaf(bodyBytes);
  const leafHash = leaf.toString('hex');

  const logKeys = keysForLogId(keys, input.logId);
  if (logKeys.length === 0) {
    step('log', 'failed', `log ${input.logId} is not in the trusted root`);
  } else {
    const k = logKeys[0]!;
    step('log', 'passed', `log ${input.logId} is ${k.baseUrl ?? k.keyName ?? 'a trusted log'} (${k.keyDetails})`);
  }
  const log = logKeys[0] ? summarizeKey(logKeys[0]) : undefined;

  if (input.uuid !== undefined) {
    const named = input.uuid.slice(-64).toLowerCase();
    if (named === leafHash) step('uuid', 'passed', `the body hashes to leaf ${leafHash}, the one UUID ${input.uuid} names`);
    else step('uuid', 'failed', `the body hashes to leaf ${leafHash}, but UUID ${printable(input.uuid, 80)} names leaf ${printable(named, 64)}: the body is not the entry the log holds under this UUID`);
  }

  let inclusionVerified = false;
  let checkpoint: Checkpoint | undefined;
  const p = input.proof;
  if (!p) {
    step('inclusion', 'absent', 'the entry carries no inclusion proof');
    step('checkpoint', 'absent', 'no inclusion proof, so no checkpoint');
  } else {
    const hashes = hashesFromHex(p.hashes);
    const root = Buffer.from(p.rootHash, 'hex');
    let pathOk = false;
    if (input.singleIndex && p.logIndex !== input.logIndex) {
      step('inclusion', 'failed', `the proof is for index ${p.logIndex} but the entry is at index ${input.logIndex}`);
    } else if (!hashes || root.length !== 32) {
      step('inclusion', 'failed', 'the proof hashes or root are not SHA-256 values');
    } else {
      const r = verifyInclusion({ leafHash: leaf, index: p.logIndex, treeSize: p.treeSize, proof: hashes, rootHash: root });
      pathOk = r.ok;
      if (r.ok) step('inclusion', 'passed', `leaf ${leafHash} at index ${p.logIndex} with ${hashes.length} path hashes leads to root ${p.rootHash} of tree size ${p.treeSize}`);
      else step('inclusion', 'failed', r.reason ?? 'the inclusion proof does not verify');
    }
    if (p.checkpoint === undefined || p.checkpoint === '') {
      step('checkpoint', 'absent', 'the proof has no signed checkpoint: its root is not signed by the log, so the proof alone proves nothing');
    } else {
      const c = verifyCheckpoint(p.checkpoint, logKeys);
      if (!c.ok || !c.checkpoint) {
        step('checkpoint', 'failed', c.reason ?? 'the checkpoint does not verify');
      } else if (c.checkpoint.treeSize !== p.treeSize || c.checkpoint.rootHash !== p.rootHash.toLowerCase()) {
        step('checkpoint', 'failed', `the signed checkpoint is for tree size ${c.checkpoint.treeSize} with root ${c.checkpoint.rootHash}, but the proof is for tree size ${p.treeSize} with root ${p.rootHash}`);
      } else {
        checkpoint = c.checkpoint;
        step('checkpoint', 'passed', `checkpoint "${printable(c.checkpoint.origin, 120)}" at tree size ${c.checkpoint.treeSize} is signed by ${c.verifiedBy?.keyName ?? 'the log key'} and states root ${c.checkpoint.rootHash}`);
        inclusionVerified = pathOk;
      }
    }
  }

  let setVerified = false;
  if (input.set === undefined) {
    step('set', 'absent', 'the entry carries no SET (signed entry timestamp)');
  } else if (input.integratedTime === undefined) {
    step('set', 'failed', 'the entry has a SET but no integrated time to check it with');
  } else {
    const s = verifySet({ body: input.bodyBase64, integratedTime: input.integratedTime, logIndex: input.logIndex, logId: input.logId }, input.set, keys);
    setVerified = s.ok;
    if (s.ok) step('set', 'passed', `the SET is the log's signature over this body, integrated time ${new Date(input.integratedTime * 1000).toISOString()} and index ${input.logIndex}`);
    else step('set', 'failed', s.reason ?? 'the SET does not verify');
  }

  const failed = steps.find((s) => s.status === 'failed');
  let reason: string | undefined;
  if (failed) reason = `${failed.id}: ${failed.detail}`;
  else if (options.requireInclusionProof && !inclusionVerified) reason = 'no inclusion proof anchored in a signed checkpoint (required)';
  else if (!inclusionVerified && !setVerified) reason = 'nothing proves the entry is in the log: no verified inclusion proof with a signed checkpoint and no SET';
  return { ok: reason === undefined, reason, steps, leafHash, inclusionVerified, setVerified, checkpoint, log };
}

/** Proves a v1 API entry (or a cosign bundle annotation parsed into one). */
export function verifyV1Entry(entry: RekorV1Entry, keys: readonly TransparencyLogKey[], options: EntryVerificationOptions = {}): EntryVerification {
  try {
    return verifyCore(
      {
        bodyBase64: entry.body,
        uuid: entry.uuid,
        logIndex: entry.logIndex,
        integratedTime: entry.integratedTime,
        logId: entry.logID,
        set: entry.verification?.signedEntryTimestamp,
        proof: entry.verification?.inclusionProof,
        singleIndex: false,
      },
      keys,
      options,
    );
  } catch (e) {
    return { ok: false, reason: `the entry could not be verified: ${(e as Error).message}`, steps: [], leafHash: '', inclusionVerified: false, setVerified: false };
  }
}

/** Proves a Rekor v2 entry or a bundle's tlog entry. */
export function verifyTlogEntry(entry: TlogEntry, keys: readonly TransparencyLogKey[], options: EntryVerificationOptions = {}): EntryVerification {
  try {
    // A v2 log has a single index space; v1 proofs use the shard's own index.
    const body = decodeEntryBody(entry.canonicalizedBody);
    const v2Body = body.apiVersion === '0.0.2' && (body.kind === 'hashedrekord' || body.kind === 'dsse');
    return verifyCore(
      {
        bodyBase64: entry.canonicalizedBody,
        logIndex: entry.logIndex,
        integratedTime: entry.integratedTime,
        logId: entry.logId,
        set: entry.signedEntryTimestamp,
        proof: entry.inclusionProof,
        singleIndex: v2Body,
      },
      keys,
      options,
    );
  } catch (e) {
    return { ok: false, reason: `the entry could not be verified: ${(e as Error).message}`, steps: [], leafHash: '', inclusionVerified: false, setVerified: false };
  }
}
