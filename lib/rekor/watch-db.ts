/**
 * Running a watch check (server only: route handlers, pages, CLI): find the
 * trusted root naming the watch's log, record the log's checkpoint (history),
 * look for new entries of the identity, and append the check, or its error, to
 * the watch's history.
 */
import { getDb } from '../db';
import { checkpointStore } from '../db/checkpoints';
import { getWatch, recordWatchCheck, watchHistory, type WatchCheckRow } from '../db/watches';
import { SigscopeError, printable } from '../errors';
import { rekorLogChoice, trustRootChoices } from '../settings';
import { observeCheckpoint, type CheckpointStatus } from './checkpoints';
import { exploreContext, linkEntries, loadTrustRootChoice, type ExploreContext, type ExploredEntry, type SignatureFinder } from './explore';
import { runWatchCheck } from './watch';

/** The context of the trusted root that lists `logUrl`: the explorer's first, then every other one offered. */
export function contextForLog(logUrl: string): ExploreContext {
  const url = logUrl.replace(/\/+$/, '');
  const first = rekorLogChoice().trustRoot;
  const names = [first, ...trustRootChoices().map((c) => c.name).filter((n) => n !== first)];
  for (const name of names) {
    try {
      const ctx = exploreContext(loadTrustRootChoice(name));
      if (ctx.logs.some((l) => l.baseUrl === url)) return ctx;
    } catch {
      // a root that does not load cannot name the log; the others are still tried
    }
  }
  throw new SigscopeError('INVALID_INPUT', `no trusted root offered in settings names the log ${printable(logUrl, 200)}`);
}

export interface WatchCheckOutcome {
  check: WatchCheckRow;
  entries: ExploredEntry[];
  messages: string[];
  checkpoint?: CheckpointStatus;
}

export async function checkWatchNow(watchId: string, options: { timeoutMs?: number; maxRetries?: number } = {}): Promise<WatchCheckOutcome> {
  const db = await getDb();
  const watch = await getWatch(db, watchId);
  if (!watch) throw new SigscopeError('INVALID_INPUT', `no watch ${printable(watchId, 40)}`);
  if (watch.stoppedAt) throw new SigscopeError('INVALID_INPUT', `watch ${watch.id} was stopped on ${watch.stoppedAt.toISOString()}`);
  const http = { timeoutMs: options.timeoutMs ?? 15_000, maxRetries: options.maxRetries ?? 1 };
  const messages: string[] = [];
  let ctx: ExploreContext;
  try {
    ctx = contextForLog(watch.logUrl);
  } catch (e) {
    const check = await recordWatchCheck(db, watch.id, { newEntries: [], errorMessage: (e as Error).message });
    return { check, entries: [], messages };
  }
  const log = ctx.logs.find((l) => l.baseUrl === watch.logUrl.replace(/\/+$/, ''))!;
  let checkpoint: CheckpointStatus | undefined;
  try {
    checkpoint = await observeCheckpoint(log, ctx.keys, checkpointStore(db), http);
  } catch (e) {
    messages.push(`the checkpoint of ${log.baseUrl} could not be read: ${(e as Error).message}`);
  }
  try {
    const result = await runWatchCheck(ctx, watch, await watchHistory(db, watch.id), { http });
    const check = await recordWatchCheck(db, watch.id, { treeSize: result.treeSize, newEntries: result.newEntries });
    try {
      await linkEntries(db as unknown as SignatureFinder, result.entries);
    } catch (e) {
      messages.push(`the entries could not be linked to stored signatures: ${(e as Error).message}`);
    }
    return { check, entries: result.entries, messages: [...messages, ...result.messages], checkpoint };
  } catch (e) {
    if (e instanceof SigscopeError && e.code === 'DATABASE') throw e;
    const check = await recordWatchCheck(db, watch.id, { newEntries: [], errorMessage: (e as Error).message });
    return { check, entries: [], messages, checkpoint };
  }
}
