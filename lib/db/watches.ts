/**
 * Identity watches and their checks. A watch is stopped, never deleted (its
 * checks are history); each check is a new WatchCheck row (append-only) listing
 * the entries it found that no earlier check of the watch listed.
 */
import 'server-only';
import { z } from 'zod';
import { SigscopeError } from '../errors';
import { WatchEntrySchema, type WatchEntry, type WatchInput } from '../rekor/watch';
import type { Db } from './client';

export interface WatchRow {
  id: string;
  createdAt: Date;
  identity: string;
  isRegexp: boolean;
  oidcIssuer: string | null;
  logUrl: string;
  stoppedAt: Date | null;
}

export interface WatchCheckRow {
  id: string;
  watchId: string;
  checkedAt: Date;
  treeSize: number | null;
  newEntries: WatchEntry[];
  errorMessage: string | null;
}

export interface WatchSummary extends WatchRow {
  checks: number;
  lastCheck: WatchCheckRow | null;
  /** Entries listed by all checks so far. */
  entriesSeen: number;
}

const EntriesSchema = z.array(WatchEntrySchema).max(10_000);

function parseEntries(text: string, checkId: string): WatchEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SigscopeError('DATABASE', `watch check ${checkId} holds entries that are not JSON: ${(e as Error).message}`);
  }
  const parsed = EntriesSchema.safeParse(json);
  if (!parsed.success) throw new SigscopeError('DATABASE', `watch check ${checkId} holds malformed entries: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function toCheck(r: { id: string; watchId: string; checkedAt: Date; treeSize: bigint | null; newEntries: string; errorMessage: string | null }): WatchCheckRow {
  return { ...r, treeSize: r.treeSize === null ? null : Number(r.treeSize), newEntries: parseEntries(r.newEntries, r.id) };
}

export async function createWatch(db: Db, input: WatchInput): Promise<WatchRow> {
  const existing = await db.identityWatch.findFirst({ where: { identity: input.identity, isRegexp: input.isRegexp, oidcIssuer: input.oidcIssuer ?? null, logUrl: input.logUrl, stoppedAt: null } });
  if (existing) throw new SigscopeError('INVALID_INPUT', `${input.identity} is already watched on ${input.logUrl} (watch ${existing.id})`);
  return db.identityWatch.create({ data: { identity: input.identity, isRegexp: input.isRegexp, oidcIssuer: input.oidcIssuer ?? null, logUrl: input.logUrl } });
}

export async function getWatch(db: Db, id: string): Promise<WatchRow | null> {
  return db.identityWatch.findUnique({ where: { id } });
}

export async function stopWatch(db: Db, id: string): Promise<WatchRow> {
  const w = await getWatch(db, id);
  if (!w) throw new SigscopeError('INVALID_INPUT', `no watch ${id}`);
  if (w.stoppedAt) return w;
  return db.identityWatch.update({ where: { id }, data: { stoppedAt: new Date() } });
}

export async function listWatches(db: Db, options: { includeStopped?: boolean } = {}): Promise<WatchSummary[]> {
  const rows = await db.identityWatch.findMany({
    where: options.includeStopped ? {} : { stoppedAt: null },
    orderBy: { createdAt: 'desc' },
    take: 500,
    include: { checks: { orderBy: { checkedAt: 'desc' } } },
  });
  return rows.map(({ checks, ...w }) => {
    const parsed = checks.map(toCheck);
    return { ...w, checks: parsed.length, lastCheck: parsed[0] ?? null, entriesSeen: parsed.reduce((n, c) => n + c.newEntries.length, 0) };
  });
}

/** Checks of a watch, newest first. */
export async function listWatchChecks(db: Db, watchId: string, take = 50): Promise<WatchCheckRow[]> {
  const rows = await db.watchCheck.findMany({ where: { watchId }, orderBy: { checkedAt: 'desc' }, take: Math.min(Math.max(take, 1), 1000) });
  return rows.map(toCheck);
}

/** What earlier checks saw: the leaf hashes they listed and where the last successful one stopped. */
export async function watchHistory(db: Db, watchId: string): Promise<{ seen: Set<string>; lastTreeSize?: number }> {
  const rows = await db.watchCheck.findMany({ where: { watchId }, orderBy: { checkedAt: 'asc' } });
  const seen = new Set<string>();
  let lastTreeSize: number | undefined;
  for (const r of rows) {
    const c = toCheck(r);
    for (const e of c.newEntries) seen.add(e.leafHash);
    if (c.errorMessage === null && c.treeSize !== null) lastTreeSize = c.treeSize;
  }
  return { seen, lastTreeSize };
}

export async function recordWatchCheck(db: Db, watchId: string, check: { treeSize?: number; newEntries: WatchEntry[]; errorMessage?: string }): Promise<WatchCheckRow> {
  const entries = EntriesSchema.parse(check.newEntries);
  const r = await db.watchCheck.create({
    data: { watchId, treeSize: check.treeSize === undefined ? null : BigInt(check.treeSize), newEntries: JSON.stringify(entries), errorMessage: check.errorMessage?.slice(0, 2000) ?? null },
  });
  return toCheck(r);
}

/** Stored signatures' images by log index, for entries of the log with this (hex) log ID. */
export async function imagesByLogIndex(db: Db, logId: string, indexes: readonly number[]): Promise<Map<number, Array<{ id: string; label: string }>>> {
  const out = new Map<number, Array<{ id: string; label: string }>>();
  if (indexes.length === 0) return out;
  const rows = await db.signature.findMany({
    where: { rekorLogId: logId.toLowerCase(), rekorLogIndex: { in: [...new Set(indexes)].slice(0, 1000).map((i) => BigInt(i)) } },
    include: { image: true },
    take: 2000,
  });
  for (const r of rows) {
    const i = Number(r.rekorLogIndex);
    const list = out.get(i) ?? [];
    if (!list.some((x) => x.id === r.image.id)) list.push({ id: r.image.id, label: `${r.image.repository}@${r.image.digest.slice(0, 19)}…` });
    out.set(i, list);
  }
  return out;
}
