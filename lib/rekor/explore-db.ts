/**
 * The explorer with its links into the database (server only: route handler,
 * pages, CLI): entries linked to stored signatures, and each visit's checkpoint
 * recorded and judged against the log's history (./checkpoints.ts).
 */
import { getDb } from '../db';
import { checkpointStore } from '../db/checkpoints';
import { rekorLogChoice } from '../settings';
import { observeCheckpoint, type CheckpointStatus } from './checkpoints';
import { exploreContext, explore, explorePasted, linkEntries, loadTrustRootChoice, selectLogs, type ExploreContext, type ExploreOptions, type ExploreQuery, type ExploreResult, type SignatureFinder } from './explore';
import { parseSearchText } from './search';

export interface ExploreDbOptions extends ExploreOptions {
  allowFile?: boolean;
  /** Look up stored signatures naming the entries (default true). */
  link?: boolean;
  /** Record each visited log's checkpoint (default true). */
  observe?: boolean;
}

/** The trusted root to use: the given one, else the one chosen in settings (with its logs). */
export function resolveContext(trustRoot: string | undefined, options: ExploreDbOptions = {}): { ctx: ExploreContext; options: ExploreDbOptions } {
  const choice = rekorLogChoice();
  const name = trustRoot?.trim() || choice.trustRoot;
  const ctx = exploreContext(loadTrustRootChoice(name, { allowFile: options.allowFile }));
  // The settings' log selection applies to the trusted root it was made for.
  const logUrls = options.logUrls ?? (name === choice.trustRoot ? choice.logUrls : undefined);
  return { ctx, options: { ...options, logUrls } };
}

/**
 * Fetches, verifies and records the current checkpoint of each selected log,
 * judged against the last trusted one. A log that cannot be read adds a message.
 */
export async function observeLogs(ctx: ExploreContext, options: ExploreDbOptions = {}): Promise<{ checkpoints: CheckpointStatus[]; messages: string[] }> {
  const logs = selectLogs(ctx, options);
  const store = checkpointStore(await getDb());
  const http = { fetch: options.fetch, timeoutMs: options.timeoutMs ?? 15_000, maxRetries: options.maxRetries ?? 1 };
  const checkpoints: CheckpointStatus[] = [];
  const messages: string[] = [];
  for (const log of logs) {
    try {
      checkpoints.push(await observeCheckpoint(log, ctx.keys, store, http));
    } catch (e) {
      messages.push(`the checkpoint of ${log.baseUrl} could not be read: ${(e as Error).message}`);
    }
  }
  return { checkpoints, messages };
}

async function finish(ctx: ExploreContext, result: ExploreResult, options: ExploreDbOptions): Promise<ExploreResult> {
  if (options.observe !== false) {
    try {
      const observed = await observeLogs(ctx, { ...options, logUrl: undefined, logUrls: result.logs.map((l) => l.baseUrl) });
      result.checkpoints = observed.checkpoints;
      result.messages.push(...observed.messages);
    } catch (e) {
      result.messages.push(`the log's checkpoint could not be recorded: ${(e as Error).message}`);
    }
  }
  if (options.link !== false && result.entries.length > 0) {
    try {
      await linkEntries((await getDb()) as unknown as SignatureFinder, result.entries);
    } catch (e) {
      result.messages.push(`the entries could not be linked to stored signatures: ${(e as Error).message}`);
    }
  }
  return result;
}

export async function exploreRekor(trustRoot: string | undefined, query: ExploreQuery, options: ExploreDbOptions = {}): Promise<ExploreResult> {
  const r = resolveContext(trustRoot, options);
  return finish(r.ctx, await explore(r.ctx, query, r.options), r.options);
}

/** The search box: a query sent to the log(s), or a pasted bundle's entries proven offline. */
export async function searchRekor(trustRoot: string | undefined, text: string, options: ExploreDbOptions = {}): Promise<ExploreResult & { understood: string }> {
  const input = parseSearchText(text);
  const r = resolveContext(trustRoot, options);
  if (input.kind === 'pasted') {
    const result = explorePasted(r.ctx, input.entries, { logIndex: input.entries[0]!.entry.logIndex });
    result.logs = selectLogs(r.ctx, r.options);
    return { ...(await finish(r.ctx, result, r.options)), understood: input.label };
  }
  return { ...(await finish(r.ctx, await explore(r.ctx, input.query, r.options), r.options)), understood: input.label };
}
