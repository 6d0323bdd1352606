/**
 * Client for the Rekor v1 REST API (../shared/fixtures/rekor/openapi.yaml):
 * log info, entries by UUID and by index, batch retrieve, the (deprecated,
 * possibly incomplete) search index, and consistency proofs.
 *
 * Every answer is size-bounded and zod-validated, and checked against the
 * question (the entry returned is the one asked for), but nothing is trusted:
 * entries are proven with ./verify-entry.ts, log info with verifyLogInfo(), and
 * two checkpoints are related with proveConsistency().
 */
import { z } from 'zod';
import { SigscopeError, printable } from '../errors';
import { base64Strict } from './encoding';
import { MAX_ENTRIES_PER_RESPONSE, parseV1EntryResponse, type RekorV1Entry } from './entry';
import { RekorHttp, type RekorHttpOptions } from './http';
import type { TransparencyLogKey } from './log-keys';
import { hashesFromHex, MAX_CHECKPOINT_BYTES, MAX_PROOF_HASHES, verifyCheckpoint, verifyConsistency, type CheckpointVerification, type ProofResult } from './proofs';

export interface RekorV1ClientOptions extends RekorHttpOptions {
  /** Largest answer read, default 4 MiB (ten entries with their proofs fit easily). */
  maxResponseBytes?: number;
  /** Most UUIDs accepted from one index search, default 10,000. */
  maxSearchResults?: number;
}

const Hex64 = z.string().regex(/^[0-9a-fA-F]{64}$/);
const Uint = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const TreeId = z.union([z.string().regex(/^[0-9]{1,20}$/), Uint]).transform((v) => String(v));
const ShardInfo = z.object({
  rootHash: Hex64,
  treeSize: Uint,
  signedTreeHead: z.string().min(1).max(MAX_CHECKPOINT_BYTES),
  treeID: TreeId,
});
const LogInfoSchema = ShardInfo.extend({ inactiveShards: z.array(ShardInfo).max(64).optional() });
const ConsistencySchema = z.object({ rootHash: Hex64, hashes: z.array(Hex64).max(MAX_PROOF_HASHES) });
const UUID_RE = /^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/;

export interface ShardInfo {
  /** Lowercase hex. */
  rootHash: string;
  treeSize: number;
  /** The signed checkpoint text: verify it with verifyLogInfo() before trusting rootHash or treeSize. */
  signedTreeHead: string;
  treeID: string;
}

export interface LogInfo extends ShardInfo {
  inactiveShards: ShardInfo[];
}

export interface ConsistencyProofResponse {
  rootHash: string;
  hashes: string[];
}

export type RetrieveQuery = { entryUUIDs: readonly string[] } | { logIndexes: readonly number[] };

export interface SearchQuery {
  /** "sha256:<hex>" or bare hex (sha256, sha512 or sha1). */
  hash?: string;
  email?: string;
  /** A SAN as stored in the entry (URI, DNS, …); not every Rekor version supports it. */
  subject?: string;
  publicKey?: { format: 'pgp' | 'x509' | 'minisign' | 'ssh' | 'tuf'; content: string };
  /** How several criteria combine (default: Rekor's, "and"). */
  operator?: 'and' | 'or';
}

function invalid(message: string): SigscopeError {
  return new SigscopeError('INVALID_INPUT', message);
}

function checkIndex(i: unknown, what: string): number {
  if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0) throw invalid(`${what} must be a non-negative integer`);
  return i;
}

function checkUuid(u: unknown): string {
  if (typeof u !== 'string' || !UUID_RE.test(u)) throw invalid(`entry UUID ${printable(String(u), 100)} is not 64 or 80 hex characters`);
  return u.toLowerCase();
}

/** Whether a returned UUID names the requested one (a 64-hex request matches the 80-hex form with a tree ID). */
function sameEntry(requested: string, returned: string): boolean {
  if (requested.length === returned.length) return requested === returned;
  return requested.slice(-64) === returned.slice(-64);
}

export class RekorV1Client {
  private readonly http: RekorHttp;
  private readonly maxBytes: number;
  private readonly maxSearchResults: number;

  constructor(options: RekorV1ClientOptions) {
    this.http = new RekorHttp(options, 'Rekor log');
    this.maxBytes = options.maxResponseBytes ?? 4 * 1024 * 1024;
    this.maxSearchResults = options.maxSearchResults ?? 10_000;
  }

  get host(): string {
    return this.http.host;
  }

  /** GET /api/v1/log: the current tree head (unverified: see verifyLogInfo). */
  async getLogInfo(): Promise<LogInfo> {
    const info = await this.http.requestJson('api/v1/log', LogInfoSchema, { what: 'the log info', maxBytes: 256 * 1024 });
    const norm = (s: z.infer<typeof ShardInfo>): ShardInfo => ({ rootHash: s.rootHash.toLowerCase(), treeSize: s.treeSize, signedTreeHead: s.signedTreeHead, treeID: s.treeID });
    return { ...norm(info), inactiveShards: (info.inactiveShards ?? []).map(norm) };
  }

  /** GET /api/v1/log/entries/{uuid}. */
  async getEntryByUuid(uuid: string): Promise<RekorV1Entry> {
    const wanted = checkUuid(uuid);
    const entries = await this.entries(`api/v1/log/entries/${wanted}`, { what: `entry ${wanted}` });
    if (entries.length !== 1 || !sameEntry(wanted, entries[0]!.uuid)) {
      throw this.http.badResponse(`asked for entry ${wanted}, got ${entries.map((e) => e.uuid).join(', ') || 'nothing'}`);
    }
    return entries[0]!;
  }

  /** GET /api/v1/log/entries?logIndex=N. */
  async getEntryByIndex(logIndex: number): Promise<RekorV1Entry> {
    const index = checkIndex(logIndex, 'the log index');
    const entries = await this.entries('api/v1/log/entries', { what: `entry at log index ${index}`, query: { logIndex: String(index) } });
    if (entries.length !== 1 || entries[0]!.logIndex !== index) {
      throw this.http.badResponse(`asked for log index ${index}, got ${entries.map((e) => e.logIndex).join(', ') || 'nothing'}`);
    }
    return entries[0]!;
  }

  /** POST /api/v1/log/entries/retrieve with up to 10 UUIDs or log indexes. Entries the log does not have are simply absent. */
  async retrieveEntries(query: RetrieveQuery): Promise<RekorV1Entry[]> {
    let body: Record<string, unknown>;
    let matches: (e: RekorV1Entry) => boolean;
    let count: number;
    if ('entryUUIDs' in query) {
      const uuids = query.entryUUIDs.map(checkUuid);
      count = uuids.length;
      body = { entryUUIDs: uuids };
      matches = (e) => uuids.some((u) => sameEntry(u, e.uuid));
    } else if ('logIndexes' in query) {
      const idx = query.logIndexes.map((i) => checkIndex(i, 'each log index'));
      count = idx.length;
      body = { logIndexes: idx };
      matches = (e) => idx.includes(e.logIndex);
    } else {
      throw invalid('retrieveEntries needs entryUUIDs or logIndexes');
    }
    if (count < 1 || count > MAX_ENTRIES_PER_RESPONSE) throw invalid(`retrieve takes 1 to ${MAX_ENTRIES_PER_RESPONSE} UUIDs or indexes at a time, not ${count}`);
    const raw = await this.http.requestJson('api/v1/log/entries/retrieve', z.array(z.unknown()).max(MAX_ENTRIES_PER_RESPONSE), {
      what: `${count} entries`,
      maxBytes: this.maxBytes,
      json: body,
    });
    if (raw.length === 0) return [];
    const parsed = parseV1EntryResponse(raw);
    if (!parsed.ok) throw this.http.badResponse(`${count} entries: ${parsed.reason}`);
    if (parsed.value.length > count) throw this.http.badResponse(`asked for ${count} entries, got ${parsed.value.length}`);
    const stray = parsed.value.find((e) => !matches(e));
    if (stray) throw this.http.badResponse(`returned entry ${stray.uuid} (index ${stray.logIndex}), which was not asked for`);
    return parsed.value;
  }

  /**
   * POST /api/v1/index/retrieve: UUIDs of entries matching a hash, an email, a
   * subject or a public key. The index is deprecated upstream and may be
   * incomplete; an entry it names still has to be fetched and proven.
   */
  async searchIndex(query: SearchQuery): Promise<string[]> {
    const body: Record<string, unknown> = {};
    if (query.hash !== undefined) {
      const h = query.hash.trim().toLowerCase();
      if (!/^(sha512:)?[0-9a-f]{128}$|^(sha256:)?[0-9a-f]{64}$|^(sha1:)?[0-9a-f]{40}$/.test(h)) {
        throw invalid(`hash ${printable(query.hash, 140)} is not sha256:<64 hex> (or sha512/sha1)`);
      }
      body.hash = h.includes(':') ? h : `${h.length === 64 ? 'sha256' : h.length === 128 ? 'sha512' : 'sha1'}:${h}`;
    }
    if (query.email !== undefined) {
      const email = query.email.trim();
      if (email.length > 320 || !/^[^\s@]+@[^\s@]+$/.test(email)) throw invalid(`${printable(query.email, 100)} is not an email address`);
      body.email = email;
    }
    if (query.subject !== undefined) {
      const subject = query.subject.trim();
      if (subject.length < 1 || subject.length > 512 || /[\u0000-\u001f]/.test(subject)) throw invalid('the subject must be 1 to 512 printable characters');
      body.subject = subject;
    }
    if (query.publicKey !== undefined) {
      const { format, content } = query.publicKey;
      if (!['pgp', 'x509', 'minisign', 'ssh', 'tuf'].includes(format)) throw invalid(`public key format ${printable(String(format), 20)} is not pgp, x509, minisign, ssh or tuf`);
      if (typeof content !== 'string' || content.length > 128 * 1024 || !base64Strict(content)) throw invalid('the public key content must be base64 (at most 96 KiB)');
      body.publicKey = { format, content };
    }
    if (Object.keys(body).length === 0) throw invalid('search needs a hash, an email, a subject or a public key');
    if (query.operator !== undefined) {
      if (query.operator !== 'and' && query.operator !== 'or') throw invalid('the operator must be "and" or "or"');
      body.operator = query.operator;
    }
    const uuids = await this.http.requestJson('api/v1/index/retrieve', z.array(z.string().regex(UUID_RE)).max(this.maxSearchResults).nullable(), {
      what: 'the index search',
      maxBytes: this.maxBytes,
      json: body,
    });
    return [...new Set((uuids ?? []).map((u) => u.toLowerCase()))];
  }

  /** GET /api/v1/log/proof: the consistency proof between two tree sizes (unverified: see proveConsistency). */
  async getConsistencyProof(firstSize: number, lastSize: number, treeID?: string): Promise<ConsistencyProofResponse> {
    const first = checkIndex(firstSize, 'firstSize');
    const last = checkIndex(lastSize, 'lastSize');
    if (first < 1 || last < first) throw invalid(`a consistency proof needs 1 ≤ firstSize ≤ lastSize, not ${first} and ${last}`);
    if (treeID !== undefined && !/^[0-9]{1,20}$/.test(treeID)) throw invalid('the tree ID must be decimal digits');
    const query: Record<string, string> = { firstSize: String(first), lastSize: String(last) };
    if (treeID !== undefined) query.treeID = treeID;
    const proof = await this.http.requestJson('api/v1/log/proof', ConsistencySchema, { what: `the consistency proof from size ${first} to ${last}`, maxBytes: 64 * 1024, query });
    return { rootHash: proof.rootHash.toLowerCase(), hashes: proof.hashes.map((h) => h.toLowerCase()) };
  }

  private async entries(path: string, req: { what: string; query?: Record<string, string> }): Promise<RekorV1Entry[]> {
    const raw = await this.http.requestJson(path, z.unknown(), { ...req, maxBytes: this.maxBytes });
    const parsed = parseV1EntryResponse(raw);
    if (!parsed.ok) throw this.http.badResponse(`${req.what}: ${parsed.reason}`);
    return parsed.value;
  }
}

export type LogInfoVerification = CheckpointVerification;

/**
 * Verifies the signed tree head of a log info answer with the trusted keys, and
 * that it states the same tree size and root as the answer's own fields.
 */
export function verifyLogInfo(info: ShardInfo, keys: readonly TransparencyLogKey[]): LogInfoVerification {
  const v = verifyCheckpoint(info.signedTreeHead, keys);
  if (!v.ok || !v.checkpoint) return v;
  if (v.checkpoint.treeSize !== info.treeSize || v.checkpoint.rootHash !== info.rootHash.toLowerCase()) {
    return {
      ...v,
      ok: false,
      reason: `the signed tree head is for size ${v.checkpoint.treeSize} with root ${v.checkpoint.rootHash}, but the log info says size ${info.treeSize} with root ${info.rootHash}`,
    };
  }
  return v;
}

/**
 * Asks the log for a consistency proof between two verified checkpoints and
 * checks it: ok means the newer tree extends the older one (history not rewritten).
 */
export async function proveConsistency(
  client: RekorV1Client,
  older: { treeSize: number; rootHash: string },
  newer: { treeSize: number; rootHash: string },
  treeID?: string,
): Promise<ProofResult> {
  if (older.treeSize > newer.treeSize) return { ok: false, reason: `the older checkpoint (size ${older.treeSize}) is larger than the newer one (size ${newer.treeSize}): a log never shrinks` };
  if (older.treeSize === 0 || older.treeSize === newer.treeSize) {
    return verifyConsistency({ oldSize: older.treeSize, oldRoot: Buffer.from(older.rootHash, 'hex'), newSize: newer.treeSize, newRoot: Buffer.from(newer.rootHash, 'hex'), proof: [] });
  }
  const proof = await client.getConsistencyProof(older.treeSize, newer.treeSize, treeID);
  if (proof.rootHash !== newer.rootHash.toLowerCase()) {
    return { ok: false, reason: `the log answered the proof for root ${proof.rootHash}, not for the newer checkpoint's root ${newer.rootHash}` };
  }
  const hashes = hashesFromHex(proof.hashes);
  if (!hashes) return { ok: false, reason: 'the consistency proof hashes are not SHA-256 values' };
  return verifyConsistency({ oldSize: older.treeSize, oldRoot: Buffer.from(older.rootHash, 'hex'), newSize: newer.treeSize, newRoot: Buffer.from(newer.rootHash, 'hex'), proof: hashes });
}
