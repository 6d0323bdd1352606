/**
 * Proofs about a transparency log, each returning `{ ok, reason }` (never throwing
 * on bad input):
 * - RFC 6962 / RFC 9162 §2.1.3 Merkle inclusion proofs,
 * - RFC 9162 §2.1.4 consistency proofs between two (size, root) pairs,
 * - signed-note checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint):
 *   parsing and signature verification with the log keys of a trusted root,
 * - Rekor v1 SETs (signed entry timestamps): the log's signature over the
 *   canonical JSON of {body, integratedTime, logID, logIndex}.
 *
 * Why these are written here rather than taken from @sigstore/verify: its
 * Merkle, checkpoint and SET checks (dist/tlog/merkle.js, checkpoint.js, set.js)
 * are not exported from the package entry point (which exports only Verifier,
 * toTrustMaterial and toSignedEntity); they take a whole bundle entry, throw on the
 * first failure instead of reporting each step, match checkpoint keys by log-ID
 * prefix and a substring of the base URL rather than by the signed-note
 * (name, key ID) rule, accept any signature line that verifies without rejecting a
 * note with an invalid one from a known key, and have no consistency proof at all.
 * From @sigstore/core we use the exported RFC 8785 `json.canonicalize` for the SET
 * payload, so it is byte-for-byte the one the Sigstore clients sign and check.
 */
import { createHash, timingSafeEqual, verify as cryptoVerify, constants } from 'node:crypto';
import { json as sigstoreJson } from '@sigstore/core';
import { printable } from '../errors';
import { base64Strict, isSha256Hex, toSafeNumber, toUint63 } from './encoding';
import { keyValidAt, keysForLogId, noteKeyId, summarizeKey, type LogKeySummary, type TransparencyLogKey } from './log-keys';

export interface ProofResult {
  ok: boolean;
  /** Why it failed (a sentence for a person); absent when ok. */
  reason?: string;
}

// ---------------------------------------------------------------------------
// Hashing (RFC 6962 §2.1)

const HASH_SIZE = 32;
/** No proof for a tree of at most 2^63 leaves needs more hashes than this. */
export const MAX_PROOF_HASHES = 64;

/** SHA-256(0x00 || leaf). */
export function hashLeaf(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.from([0x00])).update(leaf).digest();
}

/** SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.from([0x01])).update(left).update(right).digest();
}

/** The root of an empty tree: SHA-256 of nothing. */
export function emptyRoot(): Buffer {
  return createHash('sha256').digest();
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function checkHashes(proof: readonly Uint8Array[]): string | undefined {
  if (!Array.isArray(proof)) return 'the proof is not a list of hashes';
  if (proof.length > MAX_PROOF_HASHES) return `the proof has ${proof.length} hashes, more than any tree can need (${MAX_PROOF_HASHES})`;
  const bad = proof.findIndex((h) => !(h instanceof Uint8Array) || h.length !== HASH_SIZE);
  return bad >= 0 ? `proof hash ${bad} is not a 32-byte SHA-256 value` : undefined;
}

/** Decodes a list of hex hashes (Rekor v1 proofs); undefined when one is malformed. */
export function hashesFromHex(list: readonly string[]): Buffer[] | undefined {
  if (!Array.isArray(list) || list.length > MAX_PROOF_HASHES) return undefined;
  const out: Buffer[] = [];
  for (const h of list) {
    if (!isSha256Hex(h)) return undefined;
    out.push(Buffer.from(h, 'hex'));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Inclusion (RFC 9162 §2.1.3.2)

export interface InclusionInput {
  /** The RFC 6962 leaf hash, hashLeaf(body). */
  leafHash: Uint8Array;
  /** Index of the leaf in the tree the proof is for (a shard-local index for sharded v1 logs). */
  index: bigint | number | string;
  treeSize: bigint | number | string;
  /** Audit path, leaf to root. */
  proof: readonly Uint8Array[];
  rootHash: Uint8Array;
}

export interface InclusionResult extends ProofResult {
  /** The root the path leads to (hex), when the path could be walked. */
  calculatedRoot?: string;
}

/** The root an audit path leads to, or why it cannot lead anywhere. */
export function rootFromInclusionProof(leafHash: Uint8Array, index: bigint, treeSize: bigint, proof: readonly Uint8Array[]): { root?: Buffer; reason?: string } {
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) return { reason: 'the leaf hash is not a 32-byte SHA-256 value' };
  const bad = checkHashes(proof);
  if (bad) return { reason: bad };
  if (index >= treeSize) return { reason: `leaf index ${index} is not inside a tree of size ${treeSize}` };
  let fn = index;
  let sn = treeSize - 1n;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0n) return { reason: `the proof has ${proof.length} hashes, more than a leaf at index ${index} of a tree of size ${treeSize} needs` };
    if ((fn & 1n) === 1n || fn === sn) {
      r = hashChildren(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return { reason: `the proof has ${proof.length} hashes, fewer than a leaf at index ${index} of a tree of size ${treeSize} needs` };
  return { root: r };
}

/** Checks that `leafHash` is the leaf at `index` of the tree of `treeSize` leaves with root `rootHash`. */
export function verifyInclusion(input: InclusionInput): InclusionResult {
  try {
    const index = toUint63(input.index);
    const treeSize = toUint63(input.treeSize);
    if (index === undefined) return { ok: false, reason: 'the leaf index is not a non-negative integer' };
    if (treeSize === undefined) return { ok: false, reason: 'the tree size is not a non-negative integer' };
    if (!(input.rootHash instanceof Uint8Array) || input.rootHash.length !== HASH_SIZE) return { ok: false, reason: 'the root hash is not a 32-byte SHA-256 value' };
    const { root, reason } = rootFromInclusionProof(input.leafHash, index, treeSize, input.proof);
    if (!root) return { ok: false, reason };
    if (!sameHash(root, input.rootHash)) {
      return { ok: false, reason: `the audit path leads to root ${hex(root)}, not to the proven root ${hex(input.rootHash)}`, calculatedRoot: hex(root) };
    }
    return { ok: true, calculatedRoot: hex(root) };
  } catch (e) {
    return { ok: false, reason: `inclusion proof could not be checked: ${(e as Error).message}` };
  }
}

// ---------------------------------------------------------------------------
// Consistency (RFC 9162 §2.1.4.2)

export interface ConsistencyInput {
  oldSize: bigint | number | string;
  oldRoot: Uint8Array;
  newSize: bigint | number | string;
  newRoot: Uint8Array;
  proof: readonly Uint8Array[];
}

/** Checks that the tree (newSize, newRoot) extends the tree (oldSize, oldRoot): nothing was rewritten. */
export function verifyConsistency(input: ConsistencyInput): ProofResult {
  try {
    const m = toUint63(input.oldSize);
    const n = toUint63(input.newSize);
    if (m === undefined || n === undefined) return { ok: false, reason: 'tree sizes must be non-negative integers' };
    for (const [name, h] of [['older', input.oldRoot], ['newer', input.newRoot]] as const) {
      if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) return { ok: false, reason: `the ${name} root is not a 32-byte SHA-256 value` };
    }
    const bad = checkHashes(input.proof);
    if (bad) return { ok: false, reason: bad };
    const proof = input.proof;
    if (m > n) return { ok: false, reason: `the older tree (size ${m}) is larger than the newer one (size ${n}): a log never shrinks` };
    if (m === n) {
      if (proof.length !== 0) return { ok: false, reason: 'a proof between two trees of the same size must be empty' };
      return sameHash(input.oldRoot, input.newRoot)
        ? { ok: true }
        : { ok: false, reason: `two different roots for the same tree size ${m}: the log has forked (${hex(input.oldRoot)} ≠ ${hex(input.newRoot)})` };
    }
    if (m === 0n) {
      return proof.length === 0 ? { ok: true } : { ok: false, reason: 'a proof from the empty tree must be empty' };
    }
    if (proof.length === 0) return { ok: false, reason: `the proof from size ${m} to ${n} is empty` };
    const path: Uint8Array[] = (m & (m - 1n)) === 0n ? [input.oldRoot, ...proof] : [...proof];
    let fn = m - 1n;
    let sn = n - 1n;
    while ((fn & 1n) === 1n) {
      fn >>= 1n;
      sn >>= 1n;
    }
    let fr: Buffer = Buffer.from(path[0]!);
    let sr: Buffer = Buffer.from(path[0]!);
    for (const c of path.slice(1)) {
      if (sn === 0n) return { ok: false, reason: `the consistency proof has more hashes than a proof from size ${m} to ${n} needs` };
      if ((fn & 1n) === 1n || fn === sn) {
        fr = hashChildren(c, fr);
        sr = hashChildren(c, sr);
        if ((fn & 1n) === 0n) {
          while ((fn & 1n) === 0n && fn !== 0n) {
            fn >>= 1n;
            sn >>= 1n;
          }
        }
      } else {
        sr = hashChildren(sr, c);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n) return { ok: false, reason: `the consistency proof has fewer hashes than a proof from size ${m} to ${n} needs` };
    if (!sameHash(fr, input.oldRoot)) return { ok: false, reason: `the proof does not lead to the older root: it gives ${hex(fr)}, the older checkpoint says ${hex(input.oldRoot)}` };
    if (!sameHash(sr, input.newRoot)) return { ok: false, reason: `the proof does not lead to the newer root: it gives ${hex(sr)}, the newer checkpoint says ${hex(input.newRoot)}` };
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: `consistency proof could not be checked: ${(e as Error).message}` };
  }
}

// ---------------------------------------------------------------------------
// Signatures

/** Verifies `signature` over `data` with a log key; false (never a throw) for a malformed signature. */
export function verifyLogSignature(key: TransparencyLogKey, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    switch (key.scheme) {
      case 'ed25519':
        return cryptoVerify(null, data, key.publicKey, signature);
      case 'ecdsa-sha256':
      case 'ecdsa-sha384':
      case 'ecdsa-sha512':
        return cryptoVerify(`sha${key.scheme.slice(-3)}`, data, { key: key.publicKey, dsaEncoding: 'der' }, signature);
      case 'rsa-pkcs1-sha256':
      case 'rsa-pkcs1-sha384':
      case 'rsa-pkcs1-sha512':
        return cryptoVerify(`sha${key.scheme.slice(-3)}`, data, { key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
    }
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Checkpoints (signed notes)

/** Limits on what we parse: a note is a few hundred bytes; the spec asks to accept at least 16 signatures. */
export const MAX_CHECKPOINT_BYTES = 64 * 1024;
export const MAX_NOTE_SIGNATURES = 64;

export interface Checkpoint {
  /** First line: the log's identity ("rekor.sigstore.dev - 2605736670972794746", "log2025-1.rekor.sigstore.dev"). */
  origin: string;
  treeSize: number;
  /** Root hash, lowercase hex. */
  rootHash: string;
  /** Lines after the root hash (Rekor v1 writes "Timestamp: <ns>"). */
  extensions: string[];
}

export interface NoteSignature {
  name: string;
  /** The 4-byte key ID, hex. */
  keyId: string;
  signature: Buffer;
}

export interface SignedCheckpoint {
  checkpoint: Checkpoint;
  /** The signed text, ending in its final newline. */
  note: string;
  signatures: NoteSignature[];
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const EM_DASH = '\u2014';

/** Parses a signed checkpoint; every malformation is a `{ ok: false, reason }`. */
export function parseCheckpoint(input: string | Uint8Array): ParseResult<SignedCheckpoint> {
  try {
    let text: string;
    if (typeof input === 'string') {
      text = input;
    } else if (input instanceof Uint8Array) {
      if (input.length > MAX_CHECKPOINT_BYTES) return { ok: false, reason: `the checkpoint is ${input.length} bytes, over the ${MAX_CHECKPOINT_BYTES}-byte limit` };
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(input);
      } catch {
        return { ok: false, reason: 'the checkpoint is not valid UTF-8' };
      }
    } else {
      return { ok: false, reason: 'the checkpoint is not text' };
    }
    if (Buffer.byteLength(text, 'utf8') > MAX_CHECKPOINT_BYTES) return { ok: false, reason: `the checkpoint is over the ${MAX_CHECKPOINT_BYTES}-byte limit` };
    if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) return { ok: false, reason: 'the checkpoint contains control characters other than newline' };
    const sep = text.lastIndexOf('\n\n');
    if (sep < 0) return { ok: false, reason: 'the checkpoint has no blank line separating the note from its signatures' };
    const note = text.slice(0, sep + 1);
    const sigBlock = text.slice(sep + 2);
    if (sigBlock === '') return { ok: false, reason: 'the checkpoint has no signature lines' };
    if (!sigBlock.endsWith('\n')) return { ok: false, reason: 'the last signature line does not end with a newline' };
    const sigLines = sigBlock.slice(0, -1).split('\n');
    if (sigLines.length > MAX_NOTE_SIGNATURES) return { ok: false, reason: `the checkpoint has ${sigLines.length} signature lines, over the limit of ${MAX_NOTE_SIGNATURES}` };
    const signatures: NoteSignature[] = [];
    for (const [i, line] of sigLines.entries()) {
      const m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/=]+)$/u.exec(line);
      if (!m) {
        return {
          ok: false,
          reason: line.startsWith(EM_DASH)
            ? `signature line ${i + 1} is not "— <key name> <base64 signature>": ${printable(line, 80)}`
            : `signature line ${i + 1} does not start with an em dash (U+2014): ${printable(line, 80)}`,
        };
      }
      const bytes = base64Strict(m[2]!);
      if (!bytes) return { ok: false, reason: `signature line ${i + 1} (${printable(m[1]!, 80)}) is not valid base64` };
      if (bytes.length < 5) return { ok: false, reason: `signature line ${i + 1} (${printable(m[1]!, 80)}) is ${bytes.length} bytes: too short for a 4-byte key ID and a signature` };
      signatures.push({ name: m[1]!, keyId: bytes.subarray(0, 4).toString('hex'), signature: bytes.subarray(4) });
    }
    const lines = note.slice(0, -1).split('\n');
    if (lines.length < 3) return { ok: false, reason: `the checkpoint note has ${lines.length} line(s); it needs an origin, a tree size and a root hash` };
    const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
    if (origin === '') return { ok: false, reason: 'the checkpoint origin (first line) is empty' };
    if (!/^(0|[1-9][0-9]*)$/.test(sizeLine)) return { ok: false, reason: `the checkpoint tree size (second line) is not a decimal number: ${printable(sizeLine, 40)}` };
    const size = toUint63(sizeLine);
    const treeSize = size === undefined ? undefined : toSafeNumber(size);
    if (treeSize === undefined) return { ok: false, reason: `the checkpoint tree size ${printable(sizeLine, 40)} is too large` };
    const root = base64Strict(rootLine);
    if (!root || root.length !== HASH_SIZE) return { ok: false, reason: `the checkpoint root hash (third line) is not a base64 SHA-256 value: ${printable(rootLine, 80)}` };
    if (extensions.some((l) => l === '')) return { ok: false, reason: 'the checkpoint has an empty extension line' };
    return { ok: true, value: { checkpoint: { origin, treeSize, rootHash: root.toString('hex'), extensions }, note, signatures } };
  } catch (e) {
    return { ok: false, reason: `the checkpoint could not be parsed: ${(e as Error).message}` };
  }
}

export type NoteSignatureStatus = 'verified' | 'invalid' | 'unknown-key';

export interface CheckpointVerification extends ProofResult {
  checkpoint?: Checkpoint;
  /** The trusted key whose signature verified. */
  verifiedBy?: LogKeySummary;
  /** Each signature line and what became of it: unknown keys are ignored (signed-note spec). */
  signatures: { name: string; keyId: string; status: NoteSignatureStatus }[];
}

export interface CheckpointOptions {
  /** Require this origin line (a tiled log's origin is its URL without scheme). */
  origin?: string;
}

/**
 * Verifies a checkpoint against trusted log keys. A signature line counts for a
 * key when its name is the key's name (any name for a key without one) and its key
 * ID is the key's ID under that name; other lines are ignored (witness cosignatures,
 * other logs). OK when at least one known key signed it and no named known key's
 * signature fails: an invalid signature from a trusted key rejects the whole note.
 */
export function verifyCheckpoint(input: string | Uint8Array | SignedCheckpoint, keys: readonly TransparencyLogKey[], options: CheckpointOptions = {}): CheckpointVerification {
  try {
    let signed: SignedCheckpoint;
    if (typeof input === 'string' || input instanceof Uint8Array) {
      const parsed = parseCheckpoint(input);
      if (!parsed.ok) return { ok: false, reason: parsed.reason, signatures: [] };
      signed = parsed.value;
    } else {
      signed = input;
    }
    const { checkpoint } = signed;
    const data = Buffer.from(signed.note, 'utf8');
    let verifiedBy: TransparencyLogKey | undefined;
    let failed: { name: string; keyId: string } | undefined;
    let namelessFailed: { name: string; keyId: string } | undefined;
    const statuses = signed.signatures.map((sig) => {
      const candidates = keys.filter((k) => (k.keyName === undefined || k.keyName === sig.name) && noteKeyId(k, sig.name).toString('hex') === sig.keyId);
      if (candidates.length === 0) return { name: sig.name, keyId: sig.keyId, status: 'unknown-key' as const };
      const key = candidates.find((k) => verifyLogSignature(k, data, sig.signature));
      if (key) {
        verifiedBy ??= key;
        return { name: sig.name, keyId: sig.keyId, status: 'verified' as const };
      }
      // A key given without a name is known by its key ID alone, which another
      // signer may share (an ECDSA ID ignores the name): its failure is not a
      // known key's failure. A named key matched on both name and ID is.
      if (candidates.every((k) => k.keyName === undefined)) {
        namelessFailed ??= sig;
        return { name: sig.name, keyId: sig.keyId, status: 'unknown-key' as const };
      }
      failed ??= sig;
      return { name: sig.name, keyId: sig.keyId, status: 'invalid' as const };
    });
    const base = { checkpoint, signatures: statuses };
    if (failed) {
      return { ...base, ok: false, reason: `the checkpoint signature by ${printable(failed.name, 80)} (key ID ${failed.keyId}) does not verify with that trusted log key` };
    }
    if (!verifiedBy && namelessFailed) {
      return { ...base, ok: false, reason: `the checkpoint signature by ${printable(namelessFailed.name, 80)} (key ID ${namelessFailed.keyId}) does not verify with the given log key` };
    }
    if (!verifiedBy) {
      const names = signed.signatures.map((s) => `${printable(s.name, 80)} (${s.keyId})`).join(', ');
      return { ...base, ok: false, reason: `no signature on the checkpoint is from a trusted log key (signed by ${names})` };
    }
    if (options.origin !== undefined && checkpoint.origin !== options.origin) {
      return { ...base, ok: false, verifiedBy: summarizeKey(verifiedBy), reason: `the checkpoint is for origin ${printable(checkpoint.origin, 120)}, expected ${printable(options.origin, 120)}` };
    }
    return { ...base, ok: true, verifiedBy: summarizeKey(verifiedBy) };
  } catch (e) {
    return { ok: false, reason: `the checkpoint could not be verified: ${(e as Error).message}`, signatures: [] };
  }
}

// ---------------------------------------------------------------------------
// SETs (Rekor v1 signed entry timestamps)

export interface SetPayload {
  /** The entry body exactly as the log returned it (base64). */
  body: string;
  integratedTime: number;
  /** The entry's (global) log index. */
  logIndex: number;
  /** The log ID, hex. */
  logId: string;
}

export interface SetVerification extends ProofResult {
  verifiedBy?: LogKeySummary;
}

/** The bytes a v1 log signs: RFC 8785 JSON of {body, integratedTime, logID, logIndex}. */
export function setSignedBytes(p: SetPayload): Buffer {
  return Buffer.from(sigstoreJson.canonicalize({ body: p.body, integratedTime: p.integratedTime, logID: p.logId.toLowerCase(), logIndex: p.logIndex }), 'utf8');
}

/**
 * Verifies a SET with the trusted key whose log ID is the entry's logID, and
 * that the entry's integrated time lies in that key's validity window.
 */
export function verifySet(payload: SetPayload, signedEntryTimestamp: string | Uint8Array, keys: readonly TransparencyLogKey[]): SetVerification {
  try {
    if (typeof payload.body !== 'string' || !base64Strict(payload.body)) return { ok: false, reason: 'the entry body is not base64' };
    if (!Number.isSafeInteger(payload.integratedTime) || payload.integratedTime < 0) return { ok: false, reason: 'the integrated time is not a non-negative integer' };
    if (!Number.isSafeInteger(payload.logIndex) || payload.logIndex < 0) return { ok: false, reason: 'the log index is not a non-negative integer' };
    if (!isSha256Hex(payload.logId)) return { ok: false, reason: 'the log ID is not a 64-character hex SHA-256 value' };
    const sig = typeof signedEntryTimestamp === 'string' ? base64Strict(signedEntryTimestamp, 16_384) : Buffer.from(signedEntryTimestamp);
    if (!sig || sig.length === 0) return { ok: false, reason: 'the SET is not base64' };
    const candidates = keysForLogId(keys, payload.logId);
    if (candidates.length === 0) return { ok: false, reason: `log ${payload.logId} is not in the trusted root: no key to check its SET` };
    const at = new Date(payload.integratedTime * 1000);
    const inWindow = candidates.filter((k) => keyValidAt(k, at));
    if (inWindow.length === 0) return { ok: false, reason: `the log key was not valid at the entry's integrated time ${at.toISOString()}` };
    const data = setSignedBytes(payload);
    const key = inWindow.find((k) => verifyLogSignature(k, data, sig));
    if (!key) return { ok: false, reason: 'the SET does not verify with the log key: the body, integrated time, log index or log ID differ from what the log signed' };
    return { ok: true, verifiedBy: summarizeKey(key) };
  } catch (e) {
    return { ok: false, reason: `the SET could not be verified: ${(e as Error).message}` };
  }
}
