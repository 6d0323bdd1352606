/**
 * Reading a Rekor v2 log, which is a tiled transparency log (c2sp.org/tlog-tiles):
 *   <prefix>/checkpoint               the signed checkpoint (c2sp.org/tlog-checkpoint)
 *   <prefix>/tile/<L>/<N>[.p/<W>]     256 (or W) consecutive hashes at tile level L
 *   <prefix>/tile/entries/<N>[.p/<W>] the entries themselves, uint16-length-prefixed
 * where <N> is written in 3-digit groups, all but the last prefixed with "x"
 * (1234067 → x001/x234/067). A Rekor v2 server also serves the same under /api/v2
 * (set `pathPrefix: 'api/v2'`).
 *
 * v2 has no search index: an entry is found by log index (or from a bundle), or by
 * scanning a bounded range. Proving an entry: verify the checkpoint with the log's
 * key (and its origin), read the entry from its bundle, hash it into a leaf, build
 * the audit path from tiles (./merkle.ts) and check it against the checkpoint's root.
 * Tiles are not trusted: a wrong tile hash makes the path miss the signed root.
 */
import { SigscopeError } from '../errors';
import { decodeEntryBody, type EntryBody, type TlogEntry } from './entry';
import { RekorHttp, type RekorHttpOptions } from './http';
import { keyNameFromBaseUrl, keysForLogId, type TransparencyLogKey } from './log-keys';
import { buildConsistencyProof, buildInclusionProof, rangeHash, type SubtreeHashSource } from './merkle';
import { hashChildren, MAX_CHECKPOINT_BYTES, verifyCheckpoint, verifyConsistency, type Checkpoint, type CheckpointVerification, type ParseResult, type ProofResult } from './proofs';
import { verifyTlogEntry, type EntryVerification } from './verify-entry';

export const TILE_WIDTH = 256;
const HASH_SIZE = 32;
/** A scan reads at most this many entries per call. */
export const MAX_SCAN_ENTRIES = 1024;

/** 1234067 → "x001/x234/067"; 5 → "005". */
export function encodeTileIndex(n: bigint | number): string {
  let v = BigInt(n);
  if (v < 0n) throw new RangeError('tile index must be non-negative');
  const groups: string[] = [];
  do {
    groups.unshift((v % 1000n).toString().padStart(3, '0'));
    v /= 1000n;
  } while (v > 0n);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

function widthSuffix(width?: number): string {
  if (width === undefined || width === TILE_WIDTH) return '';
  if (!Number.isInteger(width) || width < 1 || width > 255) throw new RangeError(`partial tile width ${width} is not between 1 and 255`);
  return `.p/${width}`;
}

/** "tile/<L>/<N>[.p/<W>]". */
export function tilePath(level: number, index: bigint | number, width?: number): string {
  if (!Number.isInteger(level) || level < 0 || level > 63) throw new RangeError(`tile level ${level} is not between 0 and 63`);
  return `tile/${level}/${encodeTileIndex(index)}${widthSuffix(width)}`;
}

/** "tile/entries/<N>[.p/<W>]". */
export function entryBundlePath(index: bigint | number, width?: number): string {
  return `tile/entries/${encodeTileIndex(index)}${widthSuffix(width)}`;
}

/** Width of tile `index` at tile level `level` in a tree of `treeSize` leaves (0: it does not exist yet). */
export function tileWidth(level: number, index: bigint, treeSize: bigint): number {
  const stored = treeSize >> BigInt(8 * level); // hashes at this tile level
  const start = index * BigInt(TILE_WIDTH);
  if (stored <= start) return 0;
  const w = stored - start;
  return w >= BigInt(TILE_WIDTH) ? TILE_WIDTH : Number(w);
}

/** Splits an entry bundle into its entries; `expected` is the bundle's width. */
export function parseEntryBundle(bytes: Uint8Array, expected?: number): ParseResult<Buffer[]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    if (out.length >= TILE_WIDTH) return { ok: false, reason: `the entry bundle holds more than ${TILE_WIDTH} entries` };
    if (at + 2 > buf.length) return { ok: false, reason: `the entry bundle ends inside the length of entry ${out.length}` };
    const len = buf.readUInt16BE(at);
    at += 2;
    if (at + len > buf.length) return { ok: false, reason: `entry ${out.length} of the bundle is cut short (${buf.length - at} of ${len} bytes)` };
    out.push(Buffer.from(buf.subarray(at, at + len)));
    at += len;
  }
  if (expected !== undefined && out.length !== expected) return { ok: false, reason: `the entry bundle holds ${out.length} entries, expected ${expected}` };
  return { ok: true, value: out };
}

export interface RekorV2TilesOptions extends RekorHttpOptions {
  /** The checkpoint origin to require; default: the base URL without its scheme. */
  origin?: string;
  /** Path under the base URL where the tiles live: '' (default) or 'api/v2'. */
  pathPrefix?: string;
  /** Largest entry bundle read, default 8 MiB. */
  maxBundleBytes?: number;
  /** Tiles kept in memory between calls (8 KiB each), default 512. */
  maxCachedTiles?: number;
}

/** An entry read from the tiles and proven against a verified checkpoint. */
export interface TiledEntry {
  ok: boolean;
  reason?: string;
  logIndex: number;
  /** The entry as a TransparencyLogEntry (what a bundle would hold), with its proof and checkpoint. */
  entry: TlogEntry;
  body: EntryBody;
  verification: EntryVerification;
}

export class RekorV2TileClient {
  readonly origin: string;
  private readonly http: RekorHttp;
  private readonly prefix: string;
  private readonly maxBundleBytes: number;
  private readonly maxCachedTiles: number;
  private readonly tiles = new Map<string, Promise<Buffer>>();

  constructor(options: RekorV2TilesOptions) {
    this.http = new RekorHttp(options, 'Rekor v2 log');
    const origin = options.origin ?? keyNameFromBaseUrl(options.baseUrl);
    if (!origin) throw new SigscopeError('INVALID_INPUT', 'the Rekor v2 log needs an origin');
    this.origin = origin;
    this.prefix = (options.pathPrefix ?? '').replace(/^\/+|\/+$/g, '');
    this.maxBundleBytes = options.maxBundleBytes ?? 8 * 1024 * 1024;
    this.maxCachedTiles = options.maxCachedTiles ?? 512;
  }

  private path(p: string): string {
    return this.prefix ? `${this.prefix}/${p}` : p;
  }

  /** GET <prefix>/checkpoint: the raw signed note (unverified). */
  async getCheckpointText(): Promise<string> {
    const body = await this.http.request(this.path('checkpoint'), { what: 'the checkpoint', maxBytes: MAX_CHECKPOINT_BYTES, accept: 'text/plain' });
    return body.toString('utf8');
  }

  /** Fetches the checkpoint and verifies its signature and origin. */
  async getVerifiedCheckpoint(keys: readonly TransparencyLogKey[]): Promise<CheckpointVerification & { text: string }> {
    const text = await this.getCheckpointText();
    return { ...verifyCheckpoint(text, keys, { origin: this.origin }), text };
  }

  /** The hashes of one tile (32 bytes each), `width` of them (256 for a full tile). */
  async getTile(level: number, index: bigint | number, width = TILE_WIDTH): Promise<Buffer> {
    const key = `${level}/${index}/${width}`;
    let p = this.tiles.get(key);
    if (!p) {
      p = this.fetchTile(level, BigInt(index), width);
      this.tiles.set(key, p);
      p.catch(() => this.tiles.delete(key));
      while (this.tiles.size > this.maxCachedTiles) this.tiles.delete(this.tiles.keys().next().value as string);
    }
    return p;
  }

  private async fetchTile(level: number, index: bigint, width: number): Promise<Buffer> {
    const what = `tile ${level}/${index}${width === TILE_WIDTH ? '' : ` (partial, ${width} hashes)`}`;
    let body: Buffer;
    try {
      body = await this.http.request(this.path(tilePath(level, index, width)), { what, maxBytes: TILE_WIDTH * HASH_SIZE });
    } catch (e) {
      // A partial tile may be gone once the full tile exists: its first hashes are the same.
      if (width === TILE_WIDTH || !(e instanceof SigscopeError) || e.code !== 'REKOR_NOT_FOUND') throw e;
      body = (await this.fetchTile(level, index, TILE_WIDTH)).subarray(0, width * HASH_SIZE);
      return body;
    }
    if (body.length !== width * HASH_SIZE) throw this.http.badResponse(`${what} is ${body.length} bytes, expected ${width * HASH_SIZE}`);
    return body;
  }

  /** The entries of one bundle, `width` of them (256 for a full bundle). */
  async getEntryBundle(index: bigint | number, width = TILE_WIDTH): Promise<Buffer[]> {
    const what = `entry bundle ${index}${width === TILE_WIDTH ? '' : ` (partial, ${width} entries)`}`;
    let body: Buffer;
    try {
      body = await this.http.request(this.path(entryBundlePath(index, width)), { what, maxBytes: this.maxBundleBytes });
    } catch (e) {
      if (width === TILE_WIDTH || !(e instanceof SigscopeError) || e.code !== 'REKOR_NOT_FOUND') throw e;
      return (await this.getEntryBundle(index, TILE_WIDTH)).slice(0, width);
    }
    const parsed = parseEntryBundle(body, width);
    if (!parsed.ok) throw this.http.badResponse(`${what}: ${parsed.reason}`);
    return parsed.value;
  }

  /** Complete-subtree hashes of the tree of `treeSize` leaves, read from tiles. */
  hashSource(treeSize: number | bigint): SubtreeHashSource {
    const size = BigInt(treeSize);
    return async (level, index) => {
      const tileLevel = Math.floor(level / 8);
      const r = level % 8;
      const first = index << BigInt(r); // stored hashes at tileLevel covered by this node
      const count = 1n << BigInt(r);
      const tileIndex = first / BigInt(TILE_WIDTH);
      const width = tileWidth(tileLevel, tileIndex, size);
      const offset = Number(first % BigInt(TILE_WIDTH));
      if (width === 0 || offset + Number(count) > width) throw new RangeError(`no complete subtree at level ${level}, index ${index} in a tree of size ${size}`);
      const tile = await this.getTile(tileLevel, tileIndex, width);
      let row: Buffer[] = [];
      for (let i = 0; i < Number(count); i++) row.push(tile.subarray((offset + i) * HASH_SIZE, (offset + i + 1) * HASH_SIZE));
      while (row.length > 1) {
        const next: Buffer[] = [];
        for (let i = 0; i < row.length; i += 2) next.push(hashChildren(row[i]!, row[i + 1]!));
        row = next;
      }
      return row[0]!;
    };
  }

  /** The root of the first `treeSize` leaves computed from tiles (to compare with a checkpoint). */
  rootFromTiles(treeSize: number): Promise<Buffer> {
    return rangeHash(0n, BigInt(treeSize), this.hashSource(treeSize));
  }

  /**
   * Finds the entry at `logIndex` and proves it against the log's current
   * checkpoint (or `checkpoint`, a checkpoint text already fetched).
   * Throws REKOR_NOT_FOUND when the index is beyond the checkpoint's tree.
   */
  async proveEntry(logIndex: number, keys: readonly TransparencyLogKey[], checkpointText?: string): Promise<TiledEntry> {
    if (!Number.isSafeInteger(logIndex) || logIndex < 0) throw new SigscopeError('INVALID_INPUT', 'the log index must be a non-negative integer');
    const cp = await this.checkpoint(keys, checkpointText);
    return this.proveWith(logIndex, cp, keys);
  }

  /**
   * Reads and proves up to MAX_SCAN_ENTRIES entries from `start` (v2 has no search
   * index: this is how a range is listed). Entries past the checkpoint are not returned.
   */
  async scanEntries(start: number, count: number, keys: readonly TransparencyLogKey[], checkpointText?: string): Promise<TiledEntry[]> {
    if (!Number.isSafeInteger(start) || start < 0) throw new SigscopeError('INVALID_INPUT', 'the start index must be a non-negative integer');
    if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SCAN_ENTRIES) throw new SigscopeError('INVALID_INPUT', `a scan reads 1 to ${MAX_SCAN_ENTRIES} entries`);
    const cp = await this.checkpoint(keys, checkpointText);
    const end = Math.min(start + count, cp.checkpoint.treeSize);
    const out: TiledEntry[] = [];
    for (let i = start; i < end; i++) out.push(await this.proveWith(i, cp, keys));
    return out;
  }

  /**
   * Checks that the checkpoint `newer` extends `older` (both verified by the
   * caller), with a consistency proof built from the tiles of the newer tree.
   */
  async proveConsistency(older: Pick<Checkpoint, 'treeSize' | 'rootHash'>, newer: Pick<Checkpoint, 'treeSize' | 'rootHash'>): Promise<ProofResult> {
    if (older.treeSize > newer.treeSize) return { ok: false, reason: `the older checkpoint (size ${older.treeSize}) is larger than the newer one (size ${newer.treeSize}): a log never shrinks` };
    let proof: Buffer[];
    try {
      proof = await buildConsistencyProof(BigInt(older.treeSize), BigInt(newer.treeSize), this.hashSource(newer.treeSize));
    } catch (e) {
      if (e instanceof SigscopeError && e.code !== 'REKOR_BAD_RESPONSE') throw e;
      return { ok: false, reason: `the log's tiles do not give a consistency proof: ${(e as Error).message}` };
    }
    return verifyConsistency({ oldSize: older.treeSize, oldRoot: Buffer.from(older.rootHash, 'hex'), newSize: newer.treeSize, newRoot: Buffer.from(newer.rootHash, 'hex'), proof });
  }

  private async checkpoint(keys: readonly TransparencyLogKey[], text?: string): Promise<{ checkpoint: Checkpoint; text: string; key: TransparencyLogKey }> {
    const v = text === undefined ? await this.getVerifiedCheckpoint(keys) : { ...verifyCheckpoint(text, keys, { origin: this.origin }), text };
    if (!v.ok || !v.checkpoint || !v.verifiedBy) {
      throw new SigscopeError('REKOR_BAD_RESPONSE', `the checkpoint of Rekor v2 log ${this.http.host} does not verify: ${v.reason ?? 'no trusted signature'}`);
    }
    const key = keysForLogId(keys, Buffer.from(v.verifiedBy.logId, 'hex'))[0];
    if (!key) throw new SigscopeError('REKOR_BAD_RESPONSE', 'the checkpoint was verified by a key that is not in the given keys');
    return { checkpoint: v.checkpoint, text: v.text, key };
  }

  private async proveWith(logIndex: number, cp: { checkpoint: Checkpoint; text: string; key: TransparencyLogKey }, keys: readonly TransparencyLogKey[]): Promise<TiledEntry> {
    const size = cp.checkpoint.treeSize;
    if (logIndex >= size) {
      throw new SigscopeError('REKOR_NOT_FOUND', `log index ${logIndex} is not in Rekor v2 log ${this.http.host}: its verified checkpoint has ${size} entries`);
    }
    const bundleIndex = BigInt(logIndex) / BigInt(TILE_WIDTH);
    const width = tileWidth(0, bundleIndex, BigInt(size));
    const bundle = await this.getEntryBundle(bundleIndex, width);
    const data = bundle[logIndex % TILE_WIDTH]!;
    const body = decodeEntryBody(data);
    let hashes: string[] = [];
    let reason: string | undefined;
    try {
      hashes = (await buildInclusionProof(BigInt(logIndex), BigInt(size), this.hashSource(size))).map((h) => h.toString('hex'));
    } catch (e) {
      if (e instanceof SigscopeError && e.code !== 'REKOR_BAD_RESPONSE') throw e;
      reason = `the log's tiles do not give an audit path: ${(e as Error).message}`;
    }
    const entry: TlogEntry = {
      logIndex,
      logId: cp.key.logId.toString('hex'),
      kind: body.kind ?? 'unknown',
      version: body.apiVersion ?? 'unknown',
      inclusionProof: { logIndex, rootHash: cp.checkpoint.rootHash, treeSize: size, hashes, checkpoint: cp.text },
      canonicalizedBody: data.toString('base64'),
    };
    const verification = verifyTlogEntry(entry, keys, { requireInclusionProof: true });
    const ok = reason === undefined && verification.ok;
    return { ok, reason: reason ?? verification.reason, logIndex, entry, body, verification };
  }
}
