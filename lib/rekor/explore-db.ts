/** The explorer with its links into the database (server only: route handler, pages, CLI). */
import { getDb } from '../db';
import { exploreContext, explore, linkEntries, loadTrustRootChoice, type ExploreOptions, type ExploreQuery, type ExploreResult, type SignatureFinder } from './explore';

export async function exploreRekor(trustRoot: string | undefined, query: ExploreQuery, options: ExploreOptions & { allowFile?: boolean; link?: boolean } = {}): Promise<ExploreResult> {
  const ctx = exploreContext(loadTrustRootChoice(trustRoot, { allowFile: options.allowFile }));
  const result = await explore(ctx, query, options);
  if (options.link !== false && result.entries.length > 0) {
    try {
      await linkEntries((await getDb()) as unknown as SignatureFinder, result.entries);
    } catch (e) {
      result.messages.push(`the entries could not be linked to stored signatures: ${(e as Error).message}`);
    }
  }
  return result;
}
