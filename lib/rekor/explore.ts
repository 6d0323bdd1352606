/**
 * The Rekor explorer's server side, framework-free (used by the route handler,
 * the pages and the CLI): find the transparency logs of a trusted root, look
 * entries up (by UUID, by log index) or search the v1 index (by artifact hash,
 * email or public key), and return every entry decoded *with* its proof.
 *
 * Nothing here trusts the log: each entry goes through verifyV1Entry (log ID,
 * UUID ↔ body, inclusion proof against the signed checkpoint, SET) and carries
 * the resulting status. An entry whose proof fails is returned as 'not-proven'
 * with the failing step, never dropped silently and never shown as trusted.
 *
 * Rekor v2 logs (tiles) have no search index: searches say so, and a lookup by
 * log index reads the tiles and proves the entry with RekorV2TileClient.
 */
import { createHash } from 'node:crypto';
import { SigscopeError, printable } from '../errors';
import { readSettings, trustRootChoices } from '../settings';
import { loadTrustRoot, PUBLIC_GOOD, STAGING, type LoadedTrustRoot } from '../verify/trust-root';
import { decodeTlogEntry, decodeV1Entry, type DecodedEntry, type RekorV1Entry } from './entry';
import { isLoopbackHost } from './http';
import { logKeysFromTrustedRoot, type TransparencyLogKey } from './log-keys';
import { RekorV1Client } from './v1-client';
import { RekorV2TileClient } from './v2-tiles';
import { verifyTlogEntry, verifyV1Entry, type EntryVerification } from './verify-entry';
import type { CheckpointStatus } from './checkpoints';
import type { TlogEntry } from './entry';

/** Most entries fetched (and proven) for one search. */
export const MAX_SEARCH_ENTRIES = 100;

export type LogVersion = 'v1' | 'v2';

export interface ExploreLog {
  baseUrl: string;
  version: LogVersion;
  /** Hex log ID as entries name it. */
  logId: string;
  keyName?: string;
}

export interface ExploreContext {
  trustRoot: { name: string; hash: string };
  logs: ExploreLog[];
  keys: TransparencyLogKey[];
}

/**
 * proven: the inclusion proof leads to a root the log signed (checkpoint verified);
 * set-only: only the SET (the log's signed promise of inclusion) verifies;
 * not-proven: a step failed or nothing proves the entry.
 */
export type ProofStatus = 'proven' | 'set-only' | 'not-proven';

export interface LinkedSignature {
  signatureId: string;
  kind: string;
  identity: string | null;
  oidcIssuer: string | null;
  publicKeyFingerprint: string | null;
  certificateId: string | null;
  image: { id: string; registry: string; repository: string; digest: string };
}

export interface ExploredEntry {
  logUrl: string;
  logVersion: LogVersion;
  uuid?: string;
  logIndex: number;
  status: ProofStatus;
  decoded: DecodedEntry;
  verification: EntryVerification;
  /** The checkpoint text the inclusion proof is anchored in (as the log returned it). */
  checkpointText?: string;
  /** Stored signatures with this entry's log index and log ID (filled by linkEntries). */
  signatures: LinkedSignature[];
}

export interface ExploreResult {
  trustRoot: { name: string; hash: string };
  logs: ExploreLog[];
  query: ExploreQuery;
  entries: ExploredEntry[];
  /** Index hits beyond MAX_SEARCH_ENTRIES that were not fetched. */
  truncated: number;
  /** Logs that could not answer, or that cannot answer this kind of query. */
  messages: string[];
  /** The checkpoint each log signed at this visit and how it relates to the history seen before (filled by explore-db). */
  checkpoints?: CheckpointStatus[];
}

export type ExploreQuery =
  | { uuid: string }
  | { logIndex: number }
  | { sha256: string }
  | { email: string }
  | { subject: string }
  | { publicKeyPem: string }
  /** 64 hex without a prefix: an entry UUID or an artifact hash (tried in that order). */
  | { hex64: string }
  /** A bounded run of log indexes (how a v2 log, which has no search index, is listed). */
  | { range: { start: number; count: number } };

/** Most entries a range scan reads and proves. */
export const MAX_RANGE_ENTRIES = 256;

export interface ExploreOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxRetries?: number;
  /** Only this log (a base URL of the trusted root). */
  logUrl?: string;
  /** Only these logs (settings); ignored when logUrl is given. */
  logUrls?: readonly string[];
}

/** A trusted root by choice name (public-good, staging, sandbox, one from settings) or, with allowFile, a file path. */
export function loadTrustRootChoice(choice: string | undefined, options: { allowFile?: boolean } = {}): LoadedTrustRoot {
  const name = (choice ?? '').trim() || PUBLIC_GOOD;
  if (name === PUBLIC_GOOD || name === STAGING) return loadTrustRoot(name);
  const found = trustRootChoices(readSettings()).find((c) => c.name === name || (c.path !== undefined && c.path === name));
  if (found) {
    const loaded = loadTrustRoot(found.path ?? PUBLIC_GOOD);
    return { ...loaded, name: found.name };
  }
  if (options.allowFile) return loadTrustRoot(name);
  throw new SigscopeError('INVALID_TRUSTED_ROOT', `no trusted root named ${printable(name, 80)}: choose one listed in Settings`);
}

/** Whether a trusted root's log is a Rekor v2 (tiles) log: its log ID is not SHA-256 of its key, as for v1. */
function logVersion(k: TransparencyLogKey): LogVersion {
  return createHash('sha256').update(k.spki).digest().equals(k.logId) ? 'v1' : 'v2';
}

export function exploreContext(root: LoadedTrustRoot): ExploreContext {
  const keys = logKeysFromTrustedRoot(root.json);
  const logs: ExploreLog[] = [];
  for (const k of keys) {
    if (!k.baseUrl) continue;
    let url: URL;
    try {
      url = new URL(k.baseUrl);
    } catch {
      continue;
    }
    // Plain HTTP only to loopback (the sandbox's log).
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) continue;
    const baseUrl = k.baseUrl.replace(/\/+$/, '');
    if (logs.some((l) => l.baseUrl === baseUrl)) continue;
    logs.push({ baseUrl, version: logVersion(k), logId: k.logId.toString('hex'), keyName: k.keyName });
  }
  return { trustRoot: { name: root.name, hash: root.hash }, logs, keys };
}

export function proofStatus(v: EntryVerification): ProofStatus {
  if (!v.ok) return 'not-proven';
  return v.inclusionVerified ? 'proven' : v.setVerified ? 'set-only' : 'not-proven';
}

/** A v1 entry read from `log`, proven with the trusted keys. */
export function exploreV1(entry: RekorV1Entry, log: ExploreLog, keys: readonly TransparencyLogKey[]): ExploredEntry {
  const verification = verifyV1Entry(entry, keys);
  return {
    logUrl: log.baseUrl,
    logVersion: 'v1',
    uuid: entry.uuid,
    logIndex: entry.logIndex,
    status: proofStatus(verification),
    decoded: decodeV1Entry(entry),
    verification,
    checkpointText: entry.verification?.inclusionProof?.checkpoint,
    signatures: [],
  };
}

const SHA256_RE = /^(sha256:)?[0-9a-f]{64}$/;

/** Parses the query fields a form or the API gives (exactly one of them). */
export function parseExploreQuery(input: { uuid?: string; logIndex?: string | number; sha256?: string; email?: string; publicKeyPem?: string }): ExploreQuery {
  const given = (['uuid', 'logIndex', 'sha256', 'email', 'publicKeyPem'] as const).filter((k) => input[k] !== undefined && String(input[k]).trim() !== '');
  if (given.length !== 1) throw new SigscopeError('INVALID_INPUT', 'give exactly one of: a UUID, a log index, a sha256 hash, an email or a public key');
  const k = given[0]!;
  const v = String(input[k]).trim();
  switch (k) {
    case 'uuid':
      if (!/^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/.test(v)) throw new SigscopeError('INVALID_INPUT', 'a Rekor entry UUID is 64 or 80 hex characters');
      return { uuid: v.toLowerCase() };
    case 'logIndex':
      if (!/^[0-9]{1,15}$/.test(v) || !Number.isSafeInteger(Number(v))) throw new SigscopeError('INVALID_INPUT', 'a log index is a non-negative integer');
      return { logIndex: Number(v) };
    case 'sha256': {
      const h = v.toLowerCase();
      if (!SHA256_RE.test(h)) throw new SigscopeError('INVALID_INPUT', 'the hash must be sha256:<64 hex characters>');
      return { sha256: h.startsWith('sha256:') ? h : `sha256:${h}` };
    }
    case 'email':
      if (v.length > 320 || !/^[^\s@]+@[^\s@]+$/.test(v)) throw new SigscopeError('INVALID_INPUT', 'not an email address');
      return { email: v };
    case 'publicKeyPem':
      if (v.length > 64 * 1024 || !/-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(v)) throw new SigscopeError('INVALID_INPUT', 'the public key must be a PEM public key or certificate');
      return { publicKeyPem: v };
  }
}

function describeQuery(q: ExploreQuery): string {
  if ('uuid' in q) return `UUID ${q.uuid}`;
  if ('logIndex' in q) return `log index ${q.logIndex}`;
  if ('sha256' in q) return `hash ${q.sha256}`;
  if ('email' in q) return `email ${q.email}`;
  if ('subject' in q) return `identity ${q.subject}`;
  if ('hex64' in q) return `UUID or hash ${q.hex64}`;
  if ('range' in q) return `log indexes ${q.range.start} to ${q.range.start + q.range.count - 1}`;
  return 'the public key';
}

function isNotFound(e: unknown): boolean {
  return e instanceof SigscopeError && e.code === 'REKOR_NOT_FOUND';
}

/**
 * Looks up or searches every v1 log of the context (or `options.logUrl` only)
 * and returns the entries found, each proven. A log that fails to answer adds a
 * message; it never makes an entry look proven.
 */
/** The logs a query goes to: `logUrl` alone, else `logUrls` (settings) when any of them is in the context, else all. */
export function selectLogs(ctx: ExploreContext, options: Pick<ExploreOptions, 'logUrl' | 'logUrls'>): ExploreLog[] {
  const norm = (u: string) => u.replace(/\/+$/, '');
  if (options.logUrl) {
    const logs = ctx.logs.filter((l) => l.baseUrl === norm(options.logUrl!));
    if (logs.length === 0) throw new SigscopeError('INVALID_INPUT', `log ${printable(options.logUrl, 200)} is not in trusted root ${ctx.trustRoot.name}`);
    return logs;
  }
  if (options.logUrls && options.logUrls.length > 0) {
    const wanted = new Set(options.logUrls.map(norm));
    const logs = ctx.logs.filter((l) => wanted.has(l.baseUrl));
    if (logs.length > 0) return logs;
  }
  return ctx.logs;
}

function exploreTiled(t: Awaited<ReturnType<RekorV2TileClient['proveEntry']>>, log: ExploreLog): ExploredEntry {
  return {
    logUrl: log.baseUrl,
    logVersion: 'v2',
    logIndex: t.logIndex,
    status: t.ok ? proofStatus(t.verification) : 'not-proven',
    decoded: decodeTlogEntry(t.entry),
    verification: t.ok ? t.verification : { ...t.verification, ok: false, reason: t.reason ?? t.verification.reason },
    checkpointText: t.entry.inclusionProof?.checkpoint,
    signatures: [],
  };
}

/** Time order, newest first; v2 entries have no integrated time: by index. */
export function sortByTime(entries: ExploredEntry[]): ExploredEntry[] {
  return entries.sort((a, b) => (b.decoded.integratedTime ?? 0) - (a.decoded.integratedTime ?? 0) || b.logIndex - a.logIndex);
}

/**
 * Looks up or searches every log of the context (or the selected ones) and
 * returns the entries found, each proven. A log that fails to answer adds a
 * message; it never makes an entry look proven.
 */
export async function explore(ctx: ExploreContext, query: ExploreQuery, options: ExploreOptions = {}): Promise<ExploreResult> {
  const logs = selectLogs(ctx, options);
  const result: ExploreResult = { trustRoot: ctx.trustRoot, logs, query, entries: [], truncated: 0, messages: [] };
  if (logs.length === 0) {
    result.messages.push(`trusted root ${ctx.trustRoot.name} names no Rekor log reachable over HTTPS (or plain HTTP on loopback)`);
    return result;
  }
  const http = { fetch: options.fetch, timeoutMs: options.timeoutMs ?? 15_000, maxRetries: options.maxRetries ?? 1 };
  const indexSearch = async (client: RekorV1Client, log: ExploreLog, q: Parameters<RekorV1Client['searchIndex']>[0]) => {
    const uuids = await client.searchIndex(q);
    const room = MAX_SEARCH_ENTRIES - result.entries.length;
    const take = uuids.slice(0, Math.max(0, room));
    result.truncated += uuids.length - take.length;
    for (let i = 0; i < take.length; i += 10) {
      const got = await client.retrieveEntries({ entryUUIDs: take.slice(i, i + 10) });
      for (const e of got) result.entries.push(exploreV1(e, log, ctx.keys));
    }
    return uuids.length;
  };
  for (const log of logs) {
    try {
      if (log.version === 'v2') {
        const client = new RekorV2TileClient({ baseUrl: log.baseUrl, ...http });
        if ('logIndex' in query) {
          result.entries.push(exploreTiled(await client.proveEntry(query.logIndex, ctx.keys), log));
        } else if ('range' in query) {
          const text = await client.getCheckpointText();
          const got = await client.scanEntries(query.range.start, Math.min(query.range.count, MAX_RANGE_ENTRIES), ctx.keys, text);
          for (const t of got) result.entries.push(exploreTiled(t, log));
          if (got.length < query.range.count) result.messages.push(`${log.baseUrl}: its verified checkpoint ends before index ${query.range.start + query.range.count - 1}; ${got.length} entries read`);
        } else {
          result.messages.push(
            `${log.baseUrl} is a Rekor v2 log: it has no search index and no UUIDs. Look an entry up by log index, paste a bundle (its entry is proven offline), or scan a range of at most ${MAX_RANGE_ENTRIES} indexes ("N-M").`,
          );
        }
        continue;
      }
      const client = new RekorV1Client({ baseUrl: log.baseUrl, ...http });
      if ('uuid' in query) {
        result.entries.push(exploreV1(await client.getEntryByUuid(query.uuid), log, ctx.keys));
      } else if ('logIndex' in query) {
        result.entries.push(exploreV1(await client.getEntryByIndex(query.logIndex), log, ctx.keys));
      } else if ('range' in query) {
        const size = (await client.getLogInfo()).treeSize;
        const end = Math.min(query.range.start + Math.min(query.range.count, MAX_RANGE_ENTRIES), size);
        for (let i = query.range.start; i < end; i += 10) {
          const idx = Array.from({ length: Math.min(10, end - i) }, (_, k) => i + k);
          for (const e of await client.retrieveEntries({ logIndexes: idx })) result.entries.push(exploreV1(e, log, ctx.keys));
        }
        if (end < query.range.start + query.range.count) result.messages.push(`${log.baseUrl}: the log has ${size} entries; indexes from ${Math.max(end, query.range.start)} on do not exist yet`);
      } else if ('hex64' in query) {
        // A bare 64-hex value is a UUID or an artifact hash: the UUID is tried first.
        try {
          result.entries.push(exploreV1(await client.getEntryByUuid(query.hex64), log, ctx.keys));
          result.messages.push(`${query.hex64.slice(0, 12)}… is an entry UUID in ${log.baseUrl} (tried as a UUID first; prefix it with sha256: to search it as an artifact hash)`);
        } catch (e) {
          if (!isNotFound(e)) throw e;
          const hits = await indexSearch(client, log, { hash: `sha256:${query.hex64}` });
          result.messages.push(
            hits > 0
              ? `${query.hex64.slice(0, 12)}… is not an entry UUID in ${log.baseUrl}; it was searched as an artifact hash (sha256) instead`
              : `${query.hex64.slice(0, 12)}… is neither an entry UUID nor an indexed sha256 artifact hash in ${log.baseUrl}`,
          );
        }
      } else if ('sha256' in query) {
        await indexSearch(client, log, { hash: query.sha256 });
      } else if ('email' in query) {
        await indexSearch(client, log, { email: query.email });
      } else if ('subject' in query) {
        await indexSearch(client, log, { subject: query.subject });
      } else if ('publicKeyPem' in query) {
        await indexSearch(client, log, { publicKey: { format: 'x509', content: Buffer.from(query.publicKeyPem, 'utf8').toString('base64') } });
      }
    } catch (e) {
      if (isNotFound(e)) continue;
      if (e instanceof SigscopeError && (e.code === 'INVALID_INPUT' || e.code === 'INVALID_TRUSTED_ROOT')) throw e;
      result.messages.push(`${log.baseUrl}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (result.entries.length === 0 && result.messages.length === 0) result.messages.push(`no entry for ${describeQuery(query)} in ${logs.map((l) => l.baseUrl).join(', ')}`);
  sortByTime(result.entries);
  return result;
}

/** An entry taken from a pasted document (bundle, v1 response, v2 entry), not read from a log. */
export type PastedEntry = { kind: 'v1'; entry: RekorV1Entry } | { kind: 'tlog'; entry: TlogEntry };

/**
 * Proves entries taken from a pasted bundle offline, with the context's log keys
 * (inclusion proof against its signed checkpoint, SET). Each is attributed to the
 * context's log with its log ID when there is one.
 */
export function explorePasted(ctx: ExploreContext, pasted: PastedEntry[], query: ExploreQuery): ExploreResult {
  const result: ExploreResult = { trustRoot: ctx.trustRoot, logs: ctx.logs, query, entries: [], truncated: 0, messages: [] };
  for (const p of pasted) {
    const logId = (p.kind === 'v1' ? p.entry.logID : p.entry.logId).toLowerCase();
    const log = ctx.logs.find((l) => l.logId === logId);
    if (p.kind === 'v1') {
      const e = exploreV1(p.entry, log ?? { baseUrl: '(pasted)', version: 'v1', logId }, ctx.keys);
      result.entries.push(e);
    } else {
      const verification = verifyTlogEntry(p.entry, ctx.keys);
      result.entries.push({
        logUrl: log?.baseUrl ?? '(pasted)',
        logVersion: log?.version ?? (p.entry.integratedTime ? 'v1' : 'v2'),
        logIndex: p.entry.logIndex,
        status: proofStatus(verification),
        decoded: decodeTlogEntry(p.entry),
        verification,
        checkpointText: p.entry.inclusionProof?.checkpoint,
        signatures: [],
      });
    }
    if (!log) result.messages.push(`the pasted entry at log index ${p.entry.logIndex} names log ${logId.slice(0, 16)}…, which trusted root ${ctx.trustRoot.name} does not list`);
  }
  sortByTime(result.entries);
  return result;
}

/** The shape of the part of the database linkEntries reads (lib/db's Prisma client). */
export interface SignatureFinder {
  signature: {
    findMany(args: {
      where: { OR: Array<{ rekorLogIndex: bigint; rekorLogId: string }> };
      include: { image: true };
      take: number;
    }): Promise<Array<{ id: string; kind: string; identity: string | null; oidcIssuer: string | null; publicKeyFingerprint: string | null; certificateId: string | null; rekorLogIndex: bigint | null; rekorLogId: string | null; image: { id: string; registry: string; repository: string; digest: string } }>>;
  };
}

/** Fills each entry's `signatures` with the stored signatures that name it (same log index and log ID). */
export async function linkEntries(db: SignatureFinder, entries: ExploredEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = await db.signature.findMany({
    where: { OR: entries.map((e) => ({ rekorLogIndex: BigInt(e.logIndex), rekorLogId: e.decoded.logId.toLowerCase() })) },
    include: { image: true },
    take: 500,
  });
  for (const e of entries) {
    e.signatures = rows
      .filter((r) => r.rekorLogIndex === BigInt(e.logIndex) && (r.rekorLogId ?? '').toLowerCase() === e.decoded.logId.toLowerCase())
      .map((r) => ({
        signatureId: r.id,
        kind: r.kind,
        identity: r.identity,
        oidcIssuer: r.oidcIssuer,
        publicKeyFingerprint: r.publicKeyFingerprint,
        certificateId: r.certificateId,
        image: { id: r.image.id, registry: r.image.registry, repository: r.image.repository, digest: r.image.digest },
      }));
  }
}

/** The query an entry page's id names: a UUID or `index-<n>`. */
export function queryFromEntryId(id: string): ExploreQuery {
  const m = /^index-([0-9]{1,15})$/.exec(id);
  if (m) return parseExploreQuery({ logIndex: m[1] });
  return parseExploreQuery({ uuid: id });
}

export { artifactHashOf, rekorEntryHref, signerOf } from './rows';
