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
import { verifyV1Entry, type EntryVerification } from './verify-entry';

/** Most entries fetched (and proven) for one search. */
export const MAX_SEARCH_ENTRIES = 50;

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
}

export type ExploreQuery =
  | { uuid: string }
  | { logIndex: number }
  | { sha256: string }
  | { email: string }
  | { publicKeyPem: string };

export interface ExploreOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxRetries?: number;
  /** Only this log (a base URL of the trusted root). */
  logUrl?: string;
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

function exploreV1(entry: RekorV1Entry, log: ExploreLog, keys: readonly TransparencyLogKey[]): ExploredEntry {
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
export async function explore(ctx: ExploreContext, query: ExploreQuery, options: ExploreOptions = {}): Promise<ExploreResult> {
  const logs = options.logUrl ? ctx.logs.filter((l) => l.baseUrl === options.logUrl!.replace(/\/+$/, '')) : ctx.logs;
  if (options.logUrl && logs.length === 0) throw new SigscopeError('INVALID_INPUT', `log ${printable(options.logUrl, 200)} is not in trusted root ${ctx.trustRoot.name}`);
  const result: ExploreResult = { trustRoot: ctx.trustRoot, logs, query, entries: [], truncated: 0, messages: [] };
  if (logs.length === 0) {
    result.messages.push(`trusted root ${ctx.trustRoot.name} names no Rekor log reachable over HTTPS (or plain HTTP on loopback)`);
    return result;
  }
  const http = { fetch: options.fetch, timeoutMs: options.timeoutMs ?? 15_000, maxRetries: options.maxRetries ?? 1 };
  const isSearch = 'sha256' in query || 'email' in query || 'publicKeyPem' in query;
  for (const log of logs) {
    try {
      if (log.version === 'v2') {
        if ('logIndex' in query) {
          const client = new RekorV2TileClient({ baseUrl: log.baseUrl, ...http });
          const t = await client.proveEntry(query.logIndex, ctx.keys);
          result.entries.push({
            logUrl: log.baseUrl,
            logVersion: 'v2',
            logIndex: t.logIndex,
            status: t.ok ? proofStatus(t.verification) : 'not-proven',
            decoded: decodeTlogEntry(t.entry),
            verification: t.ok ? t.verification : { ...t.verification, ok: false, reason: t.reason ?? t.verification.reason },
            checkpointText: t.entry.inclusionProof?.checkpoint,
            signatures: [],
          });
        } else {
          result.messages.push(`${log.baseUrl} is a Rekor v2 log: it has no search index and no UUIDs, so it can only be looked up by log index`);
        }
        continue;
      }
      const client = new RekorV1Client({ baseUrl: log.baseUrl, ...http });
      if ('uuid' in query) {
        result.entries.push(exploreV1(await client.getEntryByUuid(query.uuid), log, ctx.keys));
      } else if ('logIndex' in query) {
        result.entries.push(exploreV1(await client.getEntryByIndex(query.logIndex), log, ctx.keys));
      } else if (isSearch) {
        const uuids = await client.searchIndex(
          'sha256' in query
            ? { hash: query.sha256 }
            : 'email' in query
              ? { email: query.email }
              : { publicKey: { format: 'x509', content: Buffer.from((query as { publicKeyPem: string }).publicKeyPem, 'utf8').toString('base64') } },
        );
        const room = MAX_SEARCH_ENTRIES - result.entries.length;
        const take = uuids.slice(0, Math.max(0, room));
        result.truncated += uuids.length - take.length;
        for (let i = 0; i < take.length; i += 10) {
          const got = await client.retrieveEntries({ entryUUIDs: take.slice(i, i + 10) });
          for (const e of got) result.entries.push(exploreV1(e, log, ctx.keys));
        }
      }
    } catch (e) {
      if (isNotFound(e)) continue;
      if (e instanceof SigscopeError && (e.code === 'INVALID_INPUT' || e.code === 'INVALID_TRUSTED_ROOT')) throw e;
      result.messages.push(`${log.baseUrl}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (result.entries.length === 0 && result.messages.length === 0) result.messages.push(`no entry for ${describeQuery(query)} in ${logs.map((l) => l.baseUrl).join(', ')}`);
  // Time order, newest first (v2 entries have no integrated time: by index).
  result.entries.sort((a, b) => (b.decoded.integratedTime ?? 0) - (a.decoded.integratedTime ?? 0) || b.logIndex - a.logIndex);
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

/** `/rekor/entries/<uuid | index-N>?trustRoot=…` */
export function rekorEntryHref(entry: { uuid?: string; logIndex: number | string }, trustRoot: string): string {
  const id = entry.uuid ?? `index-${entry.logIndex}`;
  return `/rekor/entries/${id}?trustRoot=${encodeURIComponent(trustRoot)}`;
}

/** The query an entry page's id names: a UUID or `index-<n>`. */
export function queryFromEntryId(id: string): ExploreQuery {
  const m = /^index-([0-9]{1,15})$/.exec(id);
  if (m) return parseExploreQuery({ logIndex: m[1] });
  return parseExploreQuery({ uuid: id });
}

/** The signer an entry names: the certificate identity, or 'public key'. */
export function signerOf(e: ExploredEntry): string | null {
  if (!e.decoded.supported) return null;
  const s = e.decoded.signatures[0];
  if (!s) return null;
  if (s.certificate) return s.certificate.identity ?? s.certificate.subject ?? 'certificate';
  if (s.publicKeyPem) return 'public key';
  return null;
}

/** The artifact (or payload/envelope) hash an entry names, as algorithm:hex. */
export function artifactHashOf(e: ExploredEntry): string | null {
  if (!e.decoded.supported) return null;
  const d = e.decoded.artifactHash ?? e.decoded.payloadHash ?? e.decoded.envelopeHash;
  return d ? `${d.algorithm}:${d.value}` : null;
}
