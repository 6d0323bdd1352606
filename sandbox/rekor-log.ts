/**
 * A local transparency log that speaks Rekor's v1 REST API
 * (../shared/fixtures/rekor/openapi.yaml), for tests and the demo. Real
 * cryptography, not a stub: the same client code (lib/rekor, @sigstore/sign,
 * @sigstore/verify) reads it and public Rekor.
 *
 * - Entries: hashedrekord 0.0.1, dsse 0.0.1 and intoto 0.0.2 proposals are
 *   canonicalized the way Rekor stores them (RFC 8785 JSON; dsse keeps
 *   envelopeHash, payloadHash and the sorted signatures with their verifiers; intoto
 *   keeps the envelope without its payload, plus the envelope and payload hashes
 *   Rekor computes) and their signatures are checked with the given key or
 *   certificate; a signature that does not verify is a 400, as with Rekor.
 * - Tree: RFC 6962 over the canonical bodies, sequential log indexes, integrated time
 *   = now. Inclusion proofs, consistency proofs and roots come from lib/rekor's
 *   MemoryMerkleTree; checkpoints are signed notes (c2sp.org/signed-note) whose key
 *   name is the one lib/rekor derives from the trusted root's baseUrl
 *   (keyNameFromBaseUrl) and whose origin is "<key name> - <tree ID>", as Rekor v1
 *   writes it; SETs sign the canonical JSON of {body, integratedTime, logID, logIndex}
 *   (lib/rekor's setSignedBytes, i.e. @sigstore/core's json.canonicalize).
 * - Key: ECDSA P-256; logID = SHA-256 of its DER SPKI (the v1 rule).
 * - Persistence (with a dataDir): entries are appended to rekor-log.jsonl, one JSON
 *   object a line; rekor-log-head.json holds the tree ID and the last signed
 *   checkpoint. On load the tree is rebuilt from the file and must reproduce that
 *   checkpoint's root at its size, and the checkpoint must verify with the log key:
 *   each line also keeps the entry's SET, which covers its integrated time (the tree
 *   covers only bodies). An edited, reordered or truncated file, or a line whose SET
 *   does not verify, is refused with RekorLogIntegrityError.
 * - Index search (POST /api/v1/index/retrieve): by artifact/payload/envelope hash
 *   and in-toto statement subject digests, by email and SAN of a verifier
 *   certificate (case-insensitive), by x509 public key or certificate.
 *
 * Deliberately left out: sharding (one tree, no inactive shards), attestation
 * storage, the rekord/rpm/jar/… kinds, pgp/ssh/minisign/tuf keys, and Ed25519 in
 * hashedrekord: Rekor checks those as Ed25519ph over the digest, while cosign-style
 * pure Ed25519 signatures (which the sandbox makes) cover the message, which the log
 * never sees, so such entries are logged without a signature check.
 */
import { constants, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign as nodeSign, verify as nodeVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { json as sigstoreJson } from '@sigstore/core';
import { z } from 'zod';
import { hashLeaf, keyNameFromBaseUrl, logKeyFromPem, MemoryMerkleTree, noteKeyId, setSignedBytes, verifyCheckpoint, verifySet, type TransparencyLogKey } from '@/lib/rekor';
import { UnsupportedDigestVerification, verifyPrehashed } from '@/lib/verify/prehashed';
import { decodeCertificate } from '@/lib/x509';

export const REKOR_LOG_FILE = 'rekor-log.jsonl';
export const REKOR_HEAD_FILE = 'rekor-log-head.json';
export const REKOR_KEY_FILE = 'rekor-log-key.pem';

/** Largest request body the log reads (an SBOM attestation is a few KiB). */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
/** What retrieve accepts per list (the API's own limit). */
const MAX_RETRIEVE = 10;
const MAX_STATEMENT_SUBJECTS = 1024;
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface RekorLogOptions {
  /** The log's base URL as the trusted root names it: its checkpoints are signed under keyNameFromBaseUrl(baseUrl). */
  baseUrl: string;
  /** The log's ECDSA P-256 key. Default: read from (or made and written to) dataDir/rekor-log-key.pem, or made now. */
  privateKey?: KeyObject;
  /** Persist entries here (rekor-log.jsonl, rekor-log-head.json); in memory only when absent. */
  dataDir?: string;
  /** Seconds since the epoch (integratedTime); default the wall clock. */
  now?: () => number;
}

/** A response the HTTP layer writes as is. */
export interface RekorHttpResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A v1 API entry value, `{ body, integratedTime, logID, logIndex, verification }`. */
export interface RekorEntryValue {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification: {
    inclusionProof: { logIndex: number; rootHash: string; treeSize: number; hashes: string[]; checkpoint: string };
    signedEntryTimestamp: string;
  };
}

export interface RekorSearch {
  hash?: string;
  email?: string;
  subject?: string;
  publicKey?: { format: string; content?: string };
  operator?: 'and' | 'or';
}

/** A request the log refuses, with the HTTP status Rekor answers it with. */
export class RekorRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly location?: string,
  ) {
    super(message);
    this.name = 'RekorRequestError';
  }
}

/** The persisted log does not reproduce its last signed checkpoint (edited, truncated or signed by another key). */
export class RekorLogIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RekorLogIntegrityError';
  }
}

interface StoredEntry {
  logIndex: number;
  integratedTime: number;
  body: string;
  leafHash: Buffer;
  /** Index keys that the body alone does not give (in-toto statement subjects). */
  extraHashes: string[];
  /** The SET, made when the entry was integrated (it covers integratedTime, which the tree does not). */
  set: string;
}

interface Head {
  version: 1;
  treeId: string;
  treeSize: number;
  rootHash: string;
  checkpoint: string;
}

const LineSchema = z.object({
  logIndex: z.number().int().nonnegative(),
  integratedTime: z.number().int().nonnegative(),
  body: z.string().min(1),
  set: z.string().min(1).max(1024),
  extraHashes: z.array(z.string().max(200)).max(MAX_STATEMENT_SUBJECTS).optional(),
});
const HeadSchema = z.object({
  version: z.literal(1),
  treeId: z.string().regex(/^[1-9][0-9]{0,18}$/),
  treeSize: z.number().int().nonnegative(),
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  checkpoint: z.string().min(1),
});

export class RekorLog {
  readonly baseUrl: string;
  /** The signed-note key name of its checkpoints ("127.0.0.1:PORT"). */
  readonly keyName: string;
  readonly treeId: string;
  /** "<key name> - <tree ID>". */
  readonly origin: string;
  readonly logId: Buffer;
  readonly publicKeyPem: string;
  readonly key: TransparencyLogKey;

  private readonly privateKey: KeyObject;
  private readonly dataDir?: string;
  private readonly now: () => number;
  private readonly tree = new MemoryMerkleTree();
  private readonly entries: StoredEntry[] = [];
  private readonly byLeaf = new Map<string, number>();
  private readonly index = new Map<string, Set<number>>();
  private readonly checkpoints = new Map<number, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private forgedHead?: { treeSize: number; rootHash: string };

  private constructor(opts: { baseUrl: string; keyName: string; privateKey: KeyObject; treeId: string; dataDir?: string; now?: () => number }) {
    this.baseUrl = opts.baseUrl;
    this.keyName = opts.keyName;
    this.privateKey = opts.privateKey;
    this.treeId = opts.treeId;
    this.origin = `${opts.keyName} - ${opts.treeId}`;
    this.dataDir = opts.dataDir;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.publicKeyPem = createPublicKey(opts.privateKey).export({ format: 'pem', type: 'spki' }).toString();
    this.key = logKeyFromPem(this.publicKeyPem, { keyName: opts.keyName, baseUrl: opts.baseUrl });
    this.logId = this.key.logId;
  }

  /** Opens (and with a dataDir, loads and checks) a log. */
  static async open(opts: RekorLogOptions): Promise<RekorLog> {
    const keyName = keyNameFromBaseUrl(opts.baseUrl);
    if (!keyName) throw new Error(`rekor log: ${opts.baseUrl} is not a URL`);
    const privateKey = opts.privateKey ?? (opts.dataDir ? await loadOrMakeKey(opts.dataDir) : newP256());
    if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error('rekor log: the log key must be ECDSA P-256');
    }
    if (opts.dataDir) await mkdir(opts.dataDir, { recursive: true });
    const stored = opts.dataDir ? await readStored(opts.dataDir) : undefined;
    const treeId = stored?.head?.treeId ?? newTreeId();
    const log = new RekorLog({ baseUrl: opts.baseUrl, keyName, privateKey, treeId, dataDir: opts.dataDir, now: opts.now });
    if (stored) await log.restore(stored.lines, stored.head);
    if (opts.dataDir && !stored?.head) await log.writeHead();
    return log;
  }

  get logIdHex(): string {
    return this.logId.toString('hex');
  }

  get size(): number {
    return this.tree.size;
  }

  /** Waits for pending appends (and their file writes). */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  // -------------------------------------------------------------------------
  // Log operations

  /** Canonicalizes, checks and appends a proposed entry; `{ uuid: value }` as POST /api/v1/log/entries answers. */
  async append(proposed: unknown): Promise<{ uuid: string; entry: RekorEntryValue }> {
    const c = canonicalize(proposed);
    const leafHash = hashLeaf(c.body);
    return this.serialize(async () => {
      const existing = this.byLeaf.get(leafHash.toString('hex'));
      if (existing !== undefined) {
        const uuid = this.uuidOf(this.entries[existing]!);
        throw new RekorRequestError(409, `an equivalent entry already exists in the transparency log with UUID ${uuid}`, `/api/v1/log/entries/${uuid}`);
      }
      const logIndex = this.size;
      const integratedTime = this.now();
      const body = c.body.toString('base64');
      const set = nodeSign('sha256', setSignedBytes({ body, integratedTime, logIndex, logId: this.logIdHex }), this.privateKey).toString('base64');
      const entry: StoredEntry = { logIndex, integratedTime, body, leafHash, extraHashes: c.extraHashes, set };
      if (this.dataDir) {
        const line: z.infer<typeof LineSchema> = { logIndex, integratedTime, body, set, ...(c.extraHashes.length ? { extraHashes: c.extraHashes } : {}) };
        await appendFile(join(this.dataDir, REKOR_LOG_FILE), JSON.stringify(line) + '\n', { mode: 0o600 });
      }
      this.add(entry);
      if (this.dataDir) await this.writeHead();
      const uuid = this.uuidOf(entry);
      return { uuid, entry: await this.entryValue(entry, this.size) };
    });
  }

  /**
   * Tests only: a checkpoint for any (size, root), signed with the log's real key —
   * what a log that rewrites (or forks) its history would sign.
   */
  forgeCheckpoint(treeSize: number, rootHash: string): string {
    if (!Number.isSafeInteger(treeSize) || treeSize < 0 || !/^[0-9a-f]{64}$/.test(rootHash)) throw new Error('forgeCheckpoint needs a size and a hex SHA-256 root');
    return signCheckpointNote(this.privateKey, this.key, this.keyName, this.origin, treeSize, Buffer.from(rootHash, 'hex'));
  }

  /**
   * Tests only: make GET /api/v1/log answer with this (size, root), signed with the
   * log's key, instead of the real tree head (undefined: the real head again).
   */
  serveForgedHead(head: { treeSize: number; rootHash: string } | undefined): void {
    if (head) this.forgeCheckpoint(head.treeSize, head.rootHash); // validates
    this.forgedHead = head;
  }

  /** GET /api/v1/log. */
  async logInfo(): Promise<{ rootHash: string; treeSize: number; signedTreeHead: string; treeID: string }> {
    if (this.forgedHead) {
      const { treeSize, rootHash } = this.forgedHead;
      return { rootHash, treeSize, signedTreeHead: this.forgeCheckpoint(treeSize, rootHash), treeID: this.treeId };
    }
    const size = this.size;
    const root = await this.tree.root(size);
    return { rootHash: root.toString('hex'), treeSize: size, signedTreeHead: this.checkpointFor(size, root), treeID: this.treeId };
  }

  /** The entry with this UUID (64 hex, or 80 with this log's tree ID), with a proof against the current tree. */
  async getByUuid(uuid: string): Promise<{ uuid: string; entry: RekorEntryValue } | undefined> {
    const u = uuid.toLowerCase();
    if (!/^([0-9a-f]{64}|[0-9a-f]{80})$/.test(u)) throw new RekorRequestError(400, 'the entry UUID must be 64 or 80 hex characters');
    if (u.length === 80 && u.slice(0, 16) !== this.treeIdHex()) return undefined;
    const i = this.byLeaf.get(u.slice(-64));
    return i === undefined ? undefined : this.present(this.entries[i]!);
  }

  async getByIndex(logIndex: number): Promise<{ uuid: string; entry: RekorEntryValue } | undefined> {
    const e = this.entries[logIndex];
    return e ? this.present(e) : undefined;
  }

  /** POST /api/v1/index/retrieve: UUIDs in log order. */
  search(q: RekorSearch): string[] {
    const sets: Set<number>[] = [];
    if (q.hash !== undefined) sets.push(this.lookup(`hash:${normalizeHashQuery(q.hash)}`));
    if (q.email !== undefined) sets.push(this.lookup(`email:${q.email.trim().toLowerCase()}`));
    if (q.subject !== undefined) sets.push(this.lookup(`subject:${q.subject.trim().toLowerCase()}`));
    if (q.publicKey !== undefined) {
      if (q.publicKey.format !== 'x509') throw new RekorRequestError(400, `public key format ${String(q.publicKey.format).slice(0, 20)}: this log holds x509 keys and certificates only`);
      const pem = decodeB64(q.publicKey.content ?? '', 'publicKey.content').toString('utf8');
      sets.push(this.lookup(`key:${sha256Hex(parseVerifier(pem, 'publicKey.content').canonicalPem)}`));
    }
    if (sets.length === 0) throw new RekorRequestError(400, 'search needs a hash, an email, a subject or a public key');
    const op = q.operator ?? 'and';
    let result: Set<number>;
    if (op === 'or') result = new Set(sets.flatMap((s) => [...s]));
    else result = sets.reduce((acc, s) => new Set([...acc].filter((i) => s.has(i))));
    return [...result].sort((a, b) => a - b).map((i) => this.uuidOf(this.entries[i]!));
  }

  /** GET /api/v1/log/proof. */
  async consistencyProof(firstSize: number, lastSize: number): Promise<{ rootHash: string; hashes: string[] }> {
    if (firstSize < 1 || lastSize < firstSize) throw new RekorRequestError(400, `firstSize (${firstSize}) must be between 1 and lastSize (${lastSize})`);
    if (lastSize > this.size) throw new RekorRequestError(400, `lastSize ${lastSize} is beyond the tree size ${this.size}`);
    const [root, hashes] = await Promise.all([this.tree.root(lastSize), this.tree.consistencyProof(firstSize, lastSize)]);
    return { rootHash: root.toString('hex'), hashes: hashes.map((h) => h.toString('hex')) };
  }

  /** A signed checkpoint for the current tree. */
  async checkpoint(): Promise<string> {
    return (await this.logInfo()).signedTreeHead;
  }

  // -------------------------------------------------------------------------
  // HTTP

  /** Answers one request of the v1 API (`url` is the request path and query). */
  async handleRequest(method: string, url: string, body: Buffer): Promise<RekorHttpResult> {
    try {
      // Prefixed, not resolved: a path starting with // must not become a host.
      return await this.route(method, new URL(`http://rekor.invalid${url.startsWith('/') ? url : `/${url}`}`), body);
    } catch (e) {
      if (e instanceof RekorRequestError) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (e.location) headers.location = e.location;
        return { status: e.status, headers, body: JSON.stringify({ code: e.status, message: e.message }) };
      }
      return json(500, { code: 500, message: (e as Error).message });
    }
  }

  private async route(method: string, url: URL, body: Buffer): Promise<RekorHttpResult> {
    const path = url.pathname.replace(/\/+$/, '');
    const q = url.searchParams;
    if (path === '/api/v1/log') {
      allow(method, 'GET');
      return json(200, await this.logInfo());
    }
    if (path === '/api/v1/log/publicKey') {
      allow(method, 'GET');
      this.checkTreeId(q.get('treeID'));
      return { status: 200, headers: { 'content-type': 'application/x-pem-file' }, body: this.publicKeyPem };
    }
    if (path === '/api/v1/log/proof') {
      allow(method, 'GET');
      this.checkTreeId(q.get('treeID'));
      const last = q.get('lastSize');
      if (last === null) throw new RekorRequestError(400, 'lastSize is required');
      return json(200, await this.consistencyProof(queryInt(q.get('firstSize') ?? '1', 'firstSize'), queryInt(last, 'lastSize')));
    }
    if (path === '/api/v1/log/entries') {
      if (method === 'POST') {
        const { uuid, entry } = await this.append(parseJson(body));
        return { status: 201, headers: { 'content-type': 'application/json', etag: uuid, location: `/api/v1/log/entries/${uuid}` }, body: JSON.stringify({ [uuid]: entry }) };
      }
      allow(method, 'GET');
      const raw = q.get('logIndex');
      if (raw === null) throw new RekorRequestError(400, 'logIndex is required');
      const found = await this.getByIndex(queryInt(raw, 'logIndex'));
      if (!found) throw new RekorRequestError(404, `no entry at log index ${raw}`);
      return json(200, { [found.uuid]: found.entry });
    }
    if (path === '/api/v1/log/entries/retrieve') {
      allow(method, 'POST');
      return json(200, await this.retrieve(parseJson(body)));
    }
    if (path.startsWith('/api/v1/log/entries/')) {
      allow(method, 'GET');
      const uuid = path.slice('/api/v1/log/entries/'.length);
      const found = await this.getByUuid(uuid);
      if (!found) throw new RekorRequestError(404, `no entry with UUID ${uuid.slice(0, 80)}`);
      return json(200, { [found.uuid]: found.entry });
    }
    if (path === '/api/v1/index/retrieve') {
      allow(method, 'POST');
      const parsed = SearchSchema.safeParse(parseJson(body));
      if (!parsed.success) throw new RekorRequestError(400, `invalid search: ${zodIssue(parsed.error)}`);
      return json(200, this.search(parsed.data));
    }
    throw new RekorRequestError(404, `no route ${method} ${path}`);
  }

  private async retrieve(input: unknown): Promise<Record<string, RekorEntryValue>[]> {
    const parsed = RetrieveSchema.safeParse(input);
    if (!parsed.success) throw new RekorRequestError(400, `invalid retrieve query: ${zodIssue(parsed.error)}`);
    const { entryUUIDs = [], logIndexes = [], entries = [] } = parsed.data;
    if (entryUUIDs.length + logIndexes.length + entries.length === 0) throw new RekorRequestError(400, 'retrieve needs entryUUIDs, logIndexes or entries');
    for (const [name, list] of [['entryUUIDs', entryUUIDs], ['logIndexes', logIndexes], ['entries', entries]] as const) {
      if (list.length > MAX_RETRIEVE) throw new RekorRequestError(422, `${name} holds ${list.length} items; at most ${MAX_RETRIEVE} per request`);
    }
    const out: Record<string, RekorEntryValue>[] = [];
    const push = (f: { uuid: string; entry: RekorEntryValue } | undefined) => {
      if (f) out.push({ [f.uuid]: f.entry });
    };
    for (const u of entryUUIDs) push(await this.getByUuid(u));
    for (const i of logIndexes) push(await this.getByIndex(i));
    for (const p of entries) {
      const i = this.byLeaf.get(hashLeaf(canonicalize(p).body).toString('hex'));
      push(i === undefined ? undefined : await this.present(this.entries[i]!));
    }
    return out;
  }

  private checkTreeId(treeId: string | null): void {
    if (treeId !== null && treeId !== this.treeId) throw new RekorRequestError(404, `this log has tree ${this.treeId}, not ${treeId.slice(0, 24)}`);
  }

  // -------------------------------------------------------------------------
  // Internals

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private add(e: StoredEntry): void {
    this.tree.appendLeafHash(e.leafHash);
    this.entries.push(e);
    this.byLeaf.set(e.leafHash.toString('hex'), e.logIndex);
    for (const k of [...indexKeysOfBody(Buffer.from(e.body, 'base64')), ...e.extraHashes.map((h) => `hash:${h}`)]) {
      let s = this.index.get(k);
      if (!s) this.index.set(k, (s = new Set()));
      s.add(e.logIndex);
    }
  }

  private lookup(key: string): Set<number> {
    return new Set(this.index.get(key) ?? []);
  }

  private treeIdHex(): string {
    return BigInt(this.treeId).toString(16).padStart(16, '0');
  }

  private uuidOf(e: StoredEntry): string {
    return this.treeIdHex() + e.leafHash.toString('hex');
  }

  private async present(e: StoredEntry): Promise<{ uuid: string; entry: RekorEntryValue }> {
    return { uuid: this.uuidOf(e), entry: await this.entryValue(e, this.size) };
  }

  private async entryValue(e: StoredEntry, size: number): Promise<RekorEntryValue> {
    const [root, path] = await Promise.all([this.tree.root(size), this.tree.inclusionProof(e.logIndex, size)]);
    return {
      body: e.body,
      integratedTime: e.integratedTime,
      logID: this.logIdHex,
      logIndex: e.logIndex,
      verification: {
        inclusionProof: { logIndex: e.logIndex, rootHash: root.toString('hex'), treeSize: size, hashes: path.map((h) => h.toString('hex')), checkpoint: this.checkpointFor(size, root) },
        signedEntryTimestamp: e.set,
      },
    };
  }

  /** The signed note for (size, root); one signature per size, kept for the latest sizes. */
  private checkpointFor(size: number, root: Buffer): string {
    const cached = this.checkpoints.get(size);
    if (cached) return cached;
    const text = signCheckpointNote(this.privateKey, this.key, this.keyName, this.origin, size, root);
    this.checkpoints.set(size, text);
    if (this.checkpoints.size > 64) this.checkpoints.delete(this.checkpoints.keys().next().value!);
    return text;
  }

  private async writeHead(): Promise<void> {
    const dir = this.dataDir!;
    const size = this.size;
    const root = await this.tree.root(size);
    const head: Head = { version: 1, treeId: this.treeId, treeSize: size, rootHash: root.toString('hex'), checkpoint: this.checkpointFor(size, root) };
    const tmp = join(dir, `${REKOR_HEAD_FILE}.tmp`);
    await writeFile(tmp, JSON.stringify(head, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, join(dir, REKOR_HEAD_FILE));
  }

  /** Rebuilds the tree from the file and checks it against the last signed checkpoint. */
  private async restore(lines: string[], head: Head | undefined): Promise<void> {
    const file = join(this.dataDir!, REKOR_LOG_FILE);
    if (!head) {
      if (lines.length > 0) throw new RekorLogIntegrityError(`${file} has ${lines.length} entries but ${REKOR_HEAD_FILE} (its signed checkpoint) is missing: the log cannot be trusted`);
      return;
    }
    for (const [i, text] of lines.entries()) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw new RekorLogIntegrityError(`${file} line ${i + 1} is not JSON (a torn or edited write)`);
      }
      const parsed = LineSchema.safeParse(raw);
      if (!parsed.success) throw new RekorLogIntegrityError(`${file} line ${i + 1} is not a log entry: ${zodIssue(parsed.error)}`);
      const line = parsed.data;
      if (line.logIndex !== i) throw new RekorLogIntegrityError(`${file} line ${i + 1} holds log index ${line.logIndex}, expected ${i}: entries were removed or reordered`);
      const body = Buffer.from(line.body, 'base64');
      if (body.toString('base64') !== line.body) throw new RekorLogIntegrityError(`${file} line ${i + 1}: the body is not canonical base64`);
      const leafHash = hashLeaf(body);
      if (this.byLeaf.has(leafHash.toString('hex'))) throw new RekorLogIntegrityError(`${file} line ${i + 1} repeats an earlier entry`);
      this.add({ logIndex: i, integratedTime: line.integratedTime, body: line.body, leafHash, extraHashes: line.extraHashes ?? [], set: line.set });
    }
    if (this.size < head.treeSize) {
      throw new RekorLogIntegrityError(`${file} has ${this.size} entries, but the log's last signed checkpoint is for ${head.treeSize}: entries were removed`);
    }
    const v = verifyCheckpoint(head.checkpoint, [logKeyFromPem(this.publicKeyPem)]);
    if (!v.ok || !v.checkpoint) throw new RekorLogIntegrityError(`the log's last checkpoint (${REKOR_HEAD_FILE}) does not verify with the log key: ${v.reason}`);
    if (v.checkpoint.treeSize !== head.treeSize || v.checkpoint.rootHash !== head.rootHash || !v.checkpoint.origin.endsWith(` - ${head.treeId}`)) {
      throw new RekorLogIntegrityError(`${REKOR_HEAD_FILE} does not match the checkpoint it holds (signed for size ${v.checkpoint.treeSize}, root ${v.checkpoint.rootHash}, origin ${v.checkpoint.origin})`);
    }
    const root = (await this.tree.root(head.treeSize)).toString('hex');
    if (root !== head.rootHash) {
      throw new RekorLogIntegrityError(`${file} does not reproduce the last signed checkpoint: at size ${head.treeSize} its root is ${root}, the checkpoint says ${head.rootHash}: the file was edited`);
    }
    // The tree covers the bodies; each SET covers its entry's integrated time too.
    for (const e of this.entries) {
      const set = verifySet({ body: e.body, integratedTime: e.integratedTime, logIndex: e.logIndex, logId: this.logIdHex }, e.set, [this.key]);
      if (!set.ok) throw new RekorLogIntegrityError(`${file} line ${e.logIndex + 1}: the entry's SET does not verify, so its integrated time or body was edited (${set.reason})`);
    }
  }
}

/** A Rekor v1 checkpoint (signed note) for (size, root) under `keyName`, signed with `privateKey`. */
export function signCheckpointNote(privateKey: KeyObject, key: Pick<TransparencyLogKey, 'scheme' | 'spki'>, keyName: string, origin: string, size: number, root: Buffer): string {
  const note = `${origin}\n${size}\n${root.toString('base64')}\n`;
  const signature = nodeSign('sha256', Buffer.from(note, 'utf8'), privateKey);
  return `${note}\n\u2014 ${keyName} ${Buffer.concat([noteKeyId(key, keyName), signature]).toString('base64')}\n`;
}

// ---------------------------------------------------------------------------
// A standalone server (tests); the sandbox instance routes /api/v1/ to handleRequest itself.

export interface RekorLogServer {
  url: string;
  log: RekorLog;
  stop(): Promise<void>;
}

/** Serves a RekorLog on 127.0.0.1 (port 0 = any). */
export async function startRekorLogServer(opts: Omit<RekorLogOptions, 'baseUrl'> & { port?: number } = {}): Promise<RekorLogServer> {
  const server = createServer();
  // Clients (make-fetch-happen) reuse idle sockets; a server closing them first (Node's 5 s
  // default) makes the next request fail with ECONNRESET under load.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let log: RekorLog;
  try {
    log = await RekorLog.open({ ...opts, baseUrl: url });
  } catch (e) {
    server.close();
    throw e;
  }
  server.on('request', (req, res) => void serveRekorRequest(log, req, res));
  return {
    url,
    log,
    stop: async () => {
      await log.close();
      await new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/** Reads a bounded request body and answers it with the log. */
export async function serveRekorRequest(log: RekorLog, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, MAX_REQUEST_BYTES);
  const r = body === undefined ? tooLarge() : await log.handleRequest(req.method ?? 'GET', req.url ?? '/', body);
  res.writeHead(r.status, r.headers).end(r.body);
}

/** The request body, or undefined when it exceeds `max` bytes. */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function tooLarge(): RekorHttpResult {
  return json(413, { code: 413, message: `the request body is over ${MAX_REQUEST_BYTES} bytes` });
}

// ---------------------------------------------------------------------------
// Proposed entries → canonical bodies

interface Canonical {
  body: Buffer;
  extraHashes: string[];
}

interface Verifier {
  publicKey: KeyObject;
  /** What Rekor stores: the PEM re-encoded from the parsed key or certificate. */
  canonicalPem: string;
  certificate?: X509Certificate;
}

const B64 = z.string().min(1).max(MAX_REQUEST_BYTES * 2);
const HashedRekordProposal = z.object({
  data: z.object({ hash: z.object({ algorithm: z.enum(['sha256', 'sha384', 'sha512']), value: z.string().regex(/^[0-9a-fA-F]+$/) }) }),
  signature: z.object({ content: B64, publicKey: z.object({ content: B64 }) }),
});
const DsseProposal = z.object({
  proposedContent: z.object({ envelope: z.string().min(1), verifiers: z.array(B64).min(1).max(16) }),
});
const EnvelopeSchema = z.object({
  payloadType: z.string().min(1).max(256),
  payload: z.string(),
  signatures: z.array(z.object({ sig: B64, keyid: z.string().max(256).optional() })).min(1).max(16),
});
const DigestSchema = z.object({ algorithm: z.literal('sha256'), value: z.string().regex(/^[0-9a-fA-F]{64}$/) });
const IntotoProposal = z.object({
  content: z.object({
    envelope: z.object({
      payloadType: z.string().min(1).max(256),
      payload: B64,
      signatures: z.array(z.object({ sig: B64, publicKey: B64, keyid: z.string().max(256).optional() })).min(1).max(16),
    }),
    hash: DigestSchema.optional(),
    payloadHash: DigestSchema.optional(),
  }),
});
const ProposedSchema = z.object({ kind: z.string().min(1).max(64), apiVersion: z.string().min(1).max(32), spec: z.unknown() });
const SearchSchema = z.object({
  hash: z.string().regex(/^(sha512:)?[0-9a-fA-F]{128}$|^(sha256:)?[0-9a-fA-F]{64}$|^(sha1:)?[0-9a-fA-F]{40}$/).optional(),
  email: z.string().min(3).max(320).optional(),
  subject: z.string().min(1).max(512).optional(),
  publicKey: z.object({ format: z.enum(['pgp', 'x509', 'minisign', 'ssh', 'tuf']), content: z.string().max(MAX_REQUEST_BYTES).optional() }).optional(),
  operator: z.enum(['and', 'or']).optional(),
});
const RetrieveSchema = z.object({
  entryUUIDs: z.array(z.string().regex(/^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/)).optional(),
  logIndexes: z.array(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)).optional(),
  entries: z.array(z.unknown()).optional(),
});

const HASH_HEX_LENGTH = { sha256: 64, sha384: 96, sha512: 128 } as const;

/** The canonical body Rekor would store for a proposed entry; RekorRequestError(400) when it is invalid. */
export function canonicalize(proposed: unknown): Canonical {
  const p = ProposedSchema.safeParse(proposed);
  if (!p.success) throw new RekorRequestError(400, `not a proposed entry: ${zodIssue(p.error)}`);
  const { kind, apiVersion, spec } = p.data;
  const key = `${kind} ${apiVersion}`;
  switch (key) {
    case 'hashedrekord 0.0.1':
      return canonicalHashedRekord(spec);
    case 'dsse 0.0.1':
      return canonicalDsse(spec);
    case 'intoto 0.0.2':
      return canonicalIntoto(spec);
    default:
      throw new RekorRequestError(400, `${kind.slice(0, 64)} ${apiVersion.slice(0, 32)} entries are not supported by this log (hashedrekord 0.0.1, dsse 0.0.1, intoto 0.0.2)`);
  }
}

function canonicalHashedRekord(spec: unknown): Canonical {
  const s = parseSpec(HashedRekordProposal, spec, 'hashedrekord');
  const { algorithm } = s.data.hash;
  const value = s.data.hash.value.toLowerCase();
  if (value.length !== HASH_HEX_LENGTH[algorithm]) throw new RekorRequestError(400, `data.hash.value is not a ${algorithm} digest`);
  const signature = decodeB64(s.signature.content, 'signature.content');
  const verifier = parseVerifier(decodeB64(s.signature.publicKey.content, 'signature.publicKey.content').toString('utf8'), 'signature.publicKey.content');
  const keyType = verifier.publicKey.asymmetricKeyType;
  if (keyType !== 'ed25519') {
    let ok: boolean;
    try {
      ok = verifyPrehashed(verifier.publicKey, Buffer.from(value, 'hex'), algorithm, signature);
    } catch (e) {
      if (e instanceof UnsupportedDigestVerification) throw new RekorRequestError(400, e.message);
      throw e;
    }
    if (!ok) throw new RekorRequestError(400, 'verifying signature: the signature does not verify with the given key over the given digest');
  }
  return {
    body: canonicalJson({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: { data: { hash: { algorithm, value } }, signature: { content: signature.toString('base64'), publicKey: { content: b64(verifier.canonicalPem) } } },
    }),
    extraHashes: [],
  };
}

function canonicalDsse(spec: unknown): Canonical {
  const s = parseSpec(DsseProposal, spec, 'dsse');
  const envelopeText = s.proposedContent.envelope;
  let raw: unknown;
  try {
    raw = JSON.parse(envelopeText);
  } catch {
    throw new RekorRequestError(400, 'proposedContent.envelope is not a JSON DSSE envelope');
  }
  const env = EnvelopeSchema.safeParse(raw);
  if (!env.success) throw new RekorRequestError(400, `proposedContent.envelope is not a DSSE envelope: ${zodIssue(env.error)}`);
  const payload = decodeB64(env.data.payload, 'envelope.payload', true);
  const verifiers = s.proposedContent.verifiers.map((v, i) => parseVerifier(decodeB64(v, `verifiers[${i}]`).toString('utf8'), `verifiers[${i}]`));
  const pae = preAuthEncoding(env.data.payloadType, payload);
  const signatures = env.data.signatures.map((sig, i) => {
    const bytes = decodeB64(sig.sig, `envelope.signatures[${i}].sig`);
    const v = verifiers.find((x) => verifyMessage(x.publicKey, pae, bytes));
    if (!v) throw new RekorRequestError(400, `envelope signature ${i} does not verify with any of the given verifiers`);
    return { signature: bytes.toString('base64'), verifier: b64(v.canonicalPem) };
  });
  signatures.sort((a, b) => (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0));
  return {
    body: canonicalJson({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: sha256Hex(envelopeText) },
        payloadHash: { algorithm: 'sha256', value: sha256Hex(payload) },
        signatures,
      },
    }),
    extraHashes: statementSubjects(env.data.payloadType, payload),
  };
}

function canonicalIntoto(spec: unknown): Canonical {
  const s = parseSpec(IntotoProposal, spec, 'intoto');
  const env = s.content.envelope;
  // intoto 0.0.2 double-encodes: the field is base64 of the envelope's base64 text.
  const payloadB64 = decodeB64(env.payload, 'envelope.payload').toString('utf8');
  const payload = decodeB64(payloadB64, 'envelope.payload (inner)', true);
  const pae = preAuthEncoding(env.payloadType, payload);
  const hashed: Array<Record<string, string>> = [];
  const stored: Array<Record<string, string>> = [];
  for (const [i, sig] of env.signatures.entries()) {
    const sigB64 = decodeB64(sig.sig, `envelope.signatures[${i}].sig`).toString('utf8');
    const sigBytes = decodeB64(sigB64, `envelope.signatures[${i}].sig (inner)`);
    const pem = decodeB64(sig.publicKey, `envelope.signatures[${i}].publicKey`).toString('utf8');
    const verifier = parseVerifier(pem, `envelope.signatures[${i}].publicKey`);
    if (!verifyMessage(verifier.publicKey, pae, sigBytes)) throw new RekorRequestError(400, `envelope signature ${i} does not verify with its public key`);
    // Rekor drops an empty keyid.
    const keyid: Record<string, string> = sig.keyid ? { keyid: sig.keyid } : {};
    hashed.push({ ...keyid, sig: sigB64, publicKey: pem });
    stored.push({ ...keyid, sig: sig.sig, publicKey: sig.publicKey });
  }
  const envelopeHash = sha256Hex(canonicalJson({ payloadType: env.payloadType, payload: payloadB64, signatures: hashed }));
  const payloadHash = sha256Hex(payload);
  if (s.content.hash && s.content.hash.value.toLowerCase() !== envelopeHash) throw new RekorRequestError(400, 'content.hash does not match the envelope');
  if (s.content.payloadHash && s.content.payloadHash.value.toLowerCase() !== payloadHash) throw new RekorRequestError(400, 'content.payloadHash does not match the payload');
  return {
    body: canonicalJson({
      apiVersion: '0.0.2',
      kind: 'intoto',
      spec: {
        content: {
          // The payload is write-only: Rekor keeps its hash, not the payload.
          envelope: { payloadType: env.payloadType, signatures: stored },
          hash: { algorithm: 'sha256', value: envelopeHash },
          payloadHash: { algorithm: 'sha256', value: payloadHash },
        },
      },
    }),
    extraHashes: statementSubjects(env.payloadType, payload),
  };
}

/** DSSE v1 pre-authentication encoding. */
function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** Checks a signature over a whole message; for ECDSA, with SHA-256 (what Sigstore clients use) or the curve's own hash. */
function verifyMessage(key: KeyObject, data: Buffer, sig: Buffer): boolean {
  try {
    switch (key.asymmetricKeyType) {
      case 'ed25519':
        return nodeVerify(null, data, key, sig);
      case 'ec': {
        const curve = key.asymmetricKeyDetails?.namedCurve;
        const own = curve === 'secp384r1' ? 'sha384' : curve === 'secp521r1' ? 'sha512' : 'sha256';
        return [...new Set(['sha256', own])].some((h) => nodeVerify(h, data, { key, dsaEncoding: 'der' }, sig));
      }
      case 'rsa':
        return nodeVerify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

function parseVerifier(pem: string, what: string): Verifier {
  if (pem.includes('-----BEGIN CERTIFICATE-----')) {
    if (pem.split('-----BEGIN CERTIFICATE-----').length > 2) throw new RekorRequestError(400, `${what}: give one certificate, not a chain`);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (e) {
      throw new RekorRequestError(400, `${what} is not a readable certificate: ${(e as Error).message}`);
    }
    return { publicKey: cert.publicKey, canonicalPem: cert.toString(), certificate: cert };
  }
  if (pem.includes('-----BEGIN PUBLIC KEY-----')) {
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: pem, format: 'pem' });
    } catch (e) {
      throw new RekorRequestError(400, `${what} is not a readable public key: ${(e as Error).message}`);
    }
    return { publicKey, canonicalPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
  }
  throw new RekorRequestError(400, `${what} must be a PEM public key or certificate`);
}

/** sha256/sha512/sha1 digests of an in-toto statement's subjects ("sha256:<hex>"). */
function statementSubjects(payloadType: string, payload: Buffer): string[] {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return [];
  let statement: unknown;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch {
    return [];
  }
  const subjects = (statement as { subject?: unknown })?.subject;
  if (!Array.isArray(subjects)) return [];
  const out = new Set<string>();
  for (const s of subjects.slice(0, MAX_STATEMENT_SUBJECTS)) {
    const digest = (s as { digest?: unknown })?.digest;
    if (!digest || typeof digest !== 'object') continue;
    for (const [alg, hex] of Object.entries(digest as Record<string, unknown>)) {
      const len = alg === 'sha256' ? 64 : alg === 'sha512' ? 128 : alg === 'sha1' ? 40 : 0;
      if (len && typeof hex === 'string' && hex.length === len && /^[0-9a-fA-F]+$/.test(hex)) out.add(`${alg}:${hex.toLowerCase()}`);
    }
  }
  return [...out];
}

// ---------------------------------------------------------------------------
// Index keys of a stored body

/** "hash:sha256:…", "email:…", "subject:…", "key:<sha256 of canonical PEM>". */
function indexKeysOfBody(body: Buffer): string[] {
  const keys = new Set<string>();
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return [];
  }
  const addHash = (h: unknown) => {
    const algorithm = at(h, 'algorithm');
    const value = at(h, 'value');
    if (typeof algorithm === 'string' && typeof value === 'string') keys.add(`hash:${algorithm}:${value.toLowerCase()}`);
  };
  const addVerifier = (b64Pem: unknown) => {
    if (typeof b64Pem !== 'string') return;
    for (const k of verifierKeys(Buffer.from(b64Pem, 'base64').toString('utf8'))) keys.add(k);
  };
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const kind = at(doc, 'kind');
  if (kind === 'hashedrekord') {
    addHash(at(doc, 'spec', 'data', 'hash'));
    addVerifier(at(doc, 'spec', 'signature', 'publicKey', 'content'));
  } else if (kind === 'dsse') {
    addHash(at(doc, 'spec', 'envelopeHash'));
    addHash(at(doc, 'spec', 'payloadHash'));
    for (const s of list(at(doc, 'spec', 'signatures'))) addVerifier(at(s, 'verifier'));
  } else if (kind === 'intoto') {
    addHash(at(doc, 'spec', 'content', 'hash'));
    addHash(at(doc, 'spec', 'content', 'payloadHash'));
    for (const s of list(at(doc, 'spec', 'content', 'envelope', 'signatures'))) addVerifier(at(s, 'publicKey'));
  }
  return [...keys];
}

/** v[k0][k1]…, or undefined when a step is not an object. */
function at(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function verifierKeys(pem: string): string[] {
  let v: Verifier;
  try {
    v = parseVerifier(pem, 'verifier');
  } catch {
    return [];
  }
  const keys = [`key:${sha256Hex(v.canonicalPem)}`];
  if (v.certificate) {
    // Also findable by the certificate's bare public key.
    keys.push(`key:${sha256Hex(v.publicKey.export({ format: 'pem', type: 'spki' }).toString())}`);
    try {
      for (const san of decodeCertificate(new Uint8Array(v.certificate.raw)).subjectAlternativeNames) {
        const value = san.value.toLowerCase();
        keys.push(`subject:${value}`);
        if (san.type === 'email') keys.push(`email:${value}`);
      }
    } catch {
      // A certificate lib/x509 cannot decode is indexed by key only.
    }
  }
  return keys;
}

function normalizeHashQuery(h: string): string {
  const v = h.trim().toLowerCase();
  if (v.includes(':')) return v;
  return `${v.length === 64 ? 'sha256' : v.length === 128 ? 'sha512' : 'sha1'}:${v}`;
}

// ---------------------------------------------------------------------------
// Files

async function readStored(dir: string): Promise<{ lines: string[]; head?: Head }> {
  const text = await readOptional(join(dir, REKOR_LOG_FILE));
  const headText = await readOptional(join(dir, REKOR_HEAD_FILE));
  let head: Head | undefined;
  if (headText !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(headText);
    } catch {
      throw new RekorLogIntegrityError(`${join(dir, REKOR_HEAD_FILE)} is not JSON`);
    }
    const parsed = HeadSchema.safeParse(raw);
    if (!parsed.success) throw new RekorLogIntegrityError(`${join(dir, REKOR_HEAD_FILE)} is not a log head: ${zodIssue(parsed.error)}`);
    head = parsed.data;
  }
  if (text !== undefined && text !== '' && !text.endsWith('\n')) throw new RekorLogIntegrityError(`${join(dir, REKOR_LOG_FILE)} ends in a partial line (a torn write)`);
  const lines = text === undefined || text === '' ? [] : text.slice(0, -1).split('\n');
  return { lines, head };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function loadOrMakeKey(dir: string): Promise<KeyObject> {
  const path = join(dir, REKOR_KEY_FILE);
  const pem = await readOptional(path);
  if (pem !== undefined) return createPrivateKey(pem);
  const key = newP256();
  await mkdir(dir, { recursive: true });
  await writeFile(path, key.export({ format: 'pem', type: 'pkcs8' }).toString(), { mode: 0o600 });
  return key;
}

// ---------------------------------------------------------------------------
// Small helpers

const newP256 = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

/** A positive int63, as Trillian tree IDs are. */
function newTreeId(): string {
  const n = randomBytes(8).readBigUInt64BE() & 0x7fffffffffffffffn;
  return (n === 0n ? 1n : n).toString();
}

function canonicalJson(v: unknown): Buffer {
  return Buffer.from(sigstoreJson.canonicalize(v), 'utf8');
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Standard base64 (whitespace-free, padded); `allowEmpty` for an empty payload. */
function decodeB64(s: string, what: string, allowEmpty = false): Buffer {
  if (s === '' && allowEmpty) return Buffer.alloc(0);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) || s === '') throw new RekorRequestError(400, `${what} is not base64`);
  return Buffer.from(s, 'base64');
}

function parseSpec<T extends z.ZodTypeAny>(schema: T, spec: unknown, kind: string): z.infer<T> {
  const r = schema.safeParse(spec);
  if (!r.success) throw new RekorRequestError(400, `invalid ${kind} spec: ${zodIssue(r.error)}`);
  return r.data;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new RekorRequestError(400, 'the request body is not JSON');
  }
}

function zodIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || '(root)'}: ${issue?.message}`;
}

function queryInt(s: string, name: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(s) || !Number.isSafeInteger(Number(s))) throw new RekorRequestError(400, `${name} must be a non-negative integer`);
  return Number(s);
}

function allow(method: string, expected: string): void {
  if (method !== expected) throw new RekorRequestError(405, `method ${method.slice(0, 16)} is not allowed here (use ${expected})`);
}

function json(status: number, value: unknown): RekorHttpResult {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}
