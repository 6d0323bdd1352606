/**
 * Watching an identity in a transparency log: which entries signed by it
 * (certificate SAN, exact or an anchored regexp, optionally with its OIDC issuer)
 * appeared since the last check. Framework-free; lib/db/watches.ts stores
 * watches and their checks (append-only), ./watch-db.ts runs a check.
 *
 * How candidates are found:
 * - exact identity on a v1 log: the log's index (by email, or by subject for a URI);
 *   the index is deprecated upstream and may be incomplete, so this is a floor;
 * - a regexp, or any v2 log (no index): a bounded scan of the indexes appended since
 *   the last check (the first check looks at the last MAX_WATCH_SCAN entries).
 * Every candidate is fetched and proven like any explorer entry, then matched on
 * the certificate inside the entry: the index's word is never taken for it.
 * "New" = not listed by an earlier check of the same watch (by leaf hash).
 */
import { z } from 'zod';
import { SigscopeError, printable } from '../errors';
import { artifactHashOf, explore, exploreV1, type ExploreContext, type ExploredEntry, type ProofStatus } from './explore';
import type { RekorHttpOptions } from './http';
import { RekorV1Client } from './v1-client';
import { RekorV2TileClient } from './v2-tiles';

/** Most entries one check reads by index search, and scans by range. */
export const MAX_WATCH_ENTRIES = 100;
export const MAX_WATCH_SCAN = 256;

export const WatchInputSchema = z
  .object({
    identity: z.string().trim().min(1, 'the identity is required').max(512).regex(/^[^\u0000-\u001f\u007f]+$/, 'printable characters only'),
    isRegexp: z.boolean().default(false),
    oidcIssuer: z
      .string()
      .trim()
      .max(512)
      .optional()
      .transform((v) => (v ? v : undefined))
      .refine((v) => v === undefined || /^https?:\/\/\S+$/.test(v), 'the OIDC issuer is a URL such as https://token.actions.githubusercontent.com'),
    logUrl: z.string().trim().url('the log is a base URL').max(2048),
  })
  .superRefine((w, ctx) => {
    if (!w.isRegexp) return;
    try {
      new RegExp(`^(?:${w.identity})$`, 'u');
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['identity'], message: `not a valid regular expression: ${(e as Error).message}` });
    }
  });
export type WatchInput = z.infer<typeof WatchInputSchema>;

export interface WatchSpec {
  identity: string;
  isRegexp: boolean;
  oidcIssuer: string | null | undefined;
  logUrl: string;
}

/** What a check stores of each new entry (WatchCheck.newEntries). */
export interface WatchEntry {
  leafHash: string;
  uuid?: string;
  logIndex: number;
  integratedTime?: number;
  identity: string | null;
  issuer: string | null;
  artifactHash: string | null;
  kind: string | null;
  status: ProofStatus;
}

export const WatchEntrySchema = z.object({
  leafHash: z.string().regex(/^[0-9a-f]{64}$/),
  uuid: z.string().regex(/^[0-9a-f]{64}([0-9a-f]{16})?$/).optional(),
  logIndex: z.number().int().nonnegative(),
  integratedTime: z.number().int().nonnegative().optional(),
  identity: z.string().nullable(),
  issuer: z.string().nullable(),
  artifactHash: z.string().nullable(),
  kind: z.string().nullable(),
  status: z.enum(['proven', 'set-only', 'not-proven']),
});

/** Whether an (identity, issuer) pair is the watched one. A regexp must match the whole identity. */
export function watchMatcher(spec: Pick<WatchSpec, 'identity' | 'isRegexp' | 'oidcIssuer'>): (identity: string | null | undefined, issuer: string | null | undefined) => boolean {
  const re = spec.isRegexp ? new RegExp(`^(?:${spec.identity})$`, 'u') : undefined;
  return (identity, issuer) => {
    if (!identity) return false;
    if (spec.oidcIssuer && issuer !== spec.oidcIssuer) return false;
    return re ? re.test(identity) : identity === spec.identity;
  };
}

/** The certificate identities an entry's signatures carry. */
function signersOf(e: ExploredEntry): Array<{ identity: string | null; issuer: string | null }> {
  if (!e.decoded.supported) return [];
  return e.decoded.signatures.flatMap((s) => (s.certificate ? [{ identity: s.certificate.identity ?? null, issuer: s.certificate.oidcIssuer ?? null }] : []));
}

export function toWatchEntry(e: ExploredEntry, signer: { identity: string | null; issuer: string | null }): WatchEntry {
  return {
    leafHash: e.decoded.leafHash,
    ...(e.uuid ? { uuid: e.uuid } : {}),
    logIndex: e.logIndex,
    ...(e.decoded.integratedTime ? { integratedTime: e.decoded.integratedTime } : {}),
    identity: signer.identity,
    issuer: signer.issuer,
    artifactHash: artifactHashOf(e),
    kind: e.decoded.kind ?? null,
    status: e.status,
  };
}

export interface WatchCheckResult {
  /** The tree size the check covered up to (the next scan starts there). */
  treeSize: number;
  newEntries: WatchEntry[];
  /** The explored entries behind newEntries (for display and linking). */
  entries: ExploredEntry[];
  messages: string[];
  /** How candidates were found. */
  method: 'index' | 'scan';
}

export interface WatchCheckOptions {
  http?: Omit<RekorHttpOptions, 'baseUrl'>;
}

/**
 * Finds the entries of the watched identity that no earlier check listed.
 * `seen`: leaf hashes listed before; `lastTreeSize`: where the previous scan stopped.
 */
export async function runWatchCheck(ctx: ExploreContext, spec: WatchSpec, previous: { seen: ReadonlySet<string>; lastTreeSize?: number }, options: WatchCheckOptions = {}): Promise<WatchCheckResult> {
  const url = spec.logUrl.replace(/\/+$/, '');
  const log = ctx.logs.find((l) => l.baseUrl === url);
  if (!log) throw new SigscopeError('INVALID_INPUT', `log ${printable(spec.logUrl, 200)} is not in trusted root ${ctx.trustRoot.name}`);
  const http = options.http ?? { timeoutMs: 15_000, maxRetries: 1 };
  const matches = watchMatcher(spec);
  const messages: string[] = [];
  const found: ExploredEntry[] = [];
  let treeSize: number;
  let method: WatchCheckResult['method'];

  if (log.version === 'v1' && !spec.isRegexp) {
    method = 'index';
    const client = new RekorV1Client({ ...http, baseUrl: log.baseUrl });
    treeSize = (await client.getLogInfo()).treeSize;
    const query = /^[^\s@/:]+@[^\s@/]+$/.test(spec.identity) ? { email: spec.identity } : { subject: spec.identity };
    const uuids = (await client.searchIndex(query)).filter((u) => !previous.seen.has(u.slice(-64)));
    const take = uuids.slice(0, MAX_WATCH_ENTRIES);
    if (uuids.length > take.length) messages.push(`${uuids.length - take.length} more index hits were left for the next check (at most ${MAX_WATCH_ENTRIES} are proven per check)`);
    for (let i = 0; i < take.length; i += 10) {
      const got = await client.retrieveEntries({ entryUUIDs: take.slice(i, i + 10) });
      found.push(...got.map((e) => exploreV1(e, log, ctx.keys)));
    }
  } else {
    method = 'scan';
    let size: number;
    if (log.version === 'v2') {
      const v = await new RekorV2TileClient({ ...http, baseUrl: log.baseUrl }).getVerifiedCheckpoint(ctx.keys);
      if (!v.ok || !v.checkpoint) throw new SigscopeError('REKOR_BAD_RESPONSE', `the checkpoint of ${log.baseUrl} does not verify: ${v.reason}`);
      size = v.checkpoint.treeSize;
    } else {
      size = (await new RekorV1Client({ ...http, baseUrl: log.baseUrl }).getLogInfo()).treeSize;
    }
    const from = previous.lastTreeSize !== undefined ? Math.min(previous.lastTreeSize, size) : Math.max(0, size - MAX_WATCH_SCAN);
    const count = Math.min(size - from, MAX_WATCH_SCAN);
    treeSize = from + count;
    if (previous.lastTreeSize === undefined && from > 0) messages.push(`first check: the last ${MAX_WATCH_SCAN} entries (from index ${from}) were scanned; earlier entries are not`);
    if (treeSize < size) messages.push(`${size - treeSize} newer entries remain to scan: check again to continue from index ${treeSize}`);
    if (count > 0) {
      const r = await explore(ctx, { range: { start: from, count } }, { logUrl: log.baseUrl, ...http });
      found.push(...r.entries);
      messages.push(...r.messages.filter((m) => !/^no entry/.test(m)));
    }
  }

  const newEntries: WatchEntry[] = [];
  const entries: ExploredEntry[] = [];
  for (const e of found) {
    if (previous.seen.has(e.decoded.leafHash) || newEntries.some((n) => n.leafHash === e.decoded.leafHash)) continue;
    const signer = signersOf(e).find((s) => matches(s.identity, s.issuer));
    if (!signer) continue;
    newEntries.push(toWatchEntry(e, signer));
    entries.push(e);
  }
  newEntries.sort((a, b) => (b.integratedTime ?? 0) - (a.integratedTime ?? 0) || b.logIndex - a.logIndex);
  return { treeSize, newEntries, entries, messages, method };
}
