/**
 * One scan item, whoever runs it (the in-process runner or a queue worker):
 * - catalog: the registry's repositories under the prefix become repository items;
 * - repository: its tags, filtered, become image items;
 * - image: the tag is re-resolved (one HEAD); a digest already verified under the same
 *   policy and trust root is reused without fetching anything else; otherwise the image
 *   is verified and stored as an ordinary run linked to the scan. A tag that moved
 *   since it was last seen is recorded (TagObservation, and the item's previousDigest).
 */
import 'server-only';
import { describeError, isSigscopeError } from '../../errors';
import { formatReference } from '../../oci/reference';
import { addItems, repositoryHistory, type ItemResult, type NewItem, type RepositoryHistory, type ScanItemRow } from '../../db/scans';
import type { ItemWrite } from '../../db/run-batch';
import { runVerification } from '../run-verification';
import type { ScanContext } from './context';
import { registryApiHost } from './targets';

export interface ProcessedItem {
  result: ItemResult;
  /** Items this one added (expansions), for a queue to enqueue. */
  addedItemIds: string[];
  /** An image's run and tag observation, stored together with the item's finish (ItemWriter). */
  write?: Pick<ItemWrite, 'run' | 'observation'>;
}

/** The item's finish as the ItemWriter stores it. */
export function itemWrite(item: { id: string }, owner: string, processed: ProcessedItem): ItemWrite {
  return { itemId: item.id, owner, result: processed.result, ...processed.write };
}

/** Catalog listings are bounded; a registry with more is scanned by prefix. */
const MAX_REPOSITORIES = 100_000;

export async function processItem(ctx: ScanContext, item: ScanItemRow): Promise<ProcessedItem> {
  try {
    if (item.kind === 'catalog') return await expandCatalog(ctx, item);
    if (item.kind === 'repository') return await expandRepository(ctx, item);
    return { ...(await verifyImageItem(ctx, item)), addedItemIds: [] };
  } catch (e) {
    return { result: { state: 'error', outcome: item.kind === 'image' ? 'error' : null, errorCode: isSigscopeError(e) ? e.code : 'INTERNAL', errorMessage: describeError(e) }, addedItemIds: [] };
  }
}

async function expandCatalog(ctx: ScanContext, item: ScanItemRow): Promise<ProcessedItem> {
  const prefix = item.repository;
  const locator = { registry: item.registry, apiHost: registryApiHost(item.registry) };
  const added: string[] = [];
  let seen = 0;
  let matched = 0;
  for await (const page of ctx.client.catalogPages(locator, { pageSize: 1000 })) {
    seen += page.length;
    if (seen > MAX_REPOSITORIES) throw new Error(`the catalog of ${item.registry} lists more than ${MAX_REPOSITORIES} repositories; scan a narrower prefix`);
    const repos = page.filter((r) => !prefix || r === prefix || r.startsWith(`${prefix}/`));
    matched += repos.length;
    added.push(...(await addItems(ctx.db, ctx.scanId, repos.map((r): NewItem => ({ kind: 'repository', registry: item.registry, repository: r })))));
  }
  return { result: { state: 'done', outcome: matched === 0 ? 'empty' : null }, addedItemIds: added };
}

async function expandRepository(ctx: ScanContext, item: ScanItemRow): Promise<ProcessedItem> {
  const locator = { registry: item.registry, repository: item.repository, apiHost: registryApiHost(item.registry) };
  const tags = await ctx.client.listTags(locator);
  // The attachment tags (.sig, .att, .sbom, referrers fallback) are in this list too: the
  // image items look them up here instead of asking the registry for tags that do not exist.
  ctx.client.useTagSnapshot(locator, tags);
  ctx.tagSnapshots.set(`${item.registry}/${item.repository}`, Promise.resolve());
  const kept = ctx.filterTags(tags);
  const added = await addItems(ctx.db, ctx.scanId, kept.map((tag): NewItem => ({ kind: 'image', registry: item.registry, repository: item.repository, tag })));
  return { result: { state: 'done', outcome: kept.length === 0 ? 'empty' : null }, addedItemIds: added };
}

type ImageItemOutcome = Pick<ProcessedItem, 'result' | 'write'>;

async function verifyImageItem(ctx: ScanContext, item: ScanItemRow): Promise<ImageItemOutcome> {
  const locator = { registry: item.registry, repository: item.repository, apiHost: registryApiHost(item.registry) };
  if (ctx.expandsRepositories) await ensureTagSnapshot(ctx, locator);
  const tag = item.tag || undefined;
  let digest = item.kind === 'image' && !tag ? item.digest : null;
  const history = await historyOf(ctx, item);
  // A repository Sigscope never verified under this policy has nothing to reuse:
  // verify by tag straight away, saving the HEAD (a first scan costs one request less per image).
  if (!digest && tag && (ctx.spec.full || history.reusableByDigest.size === 0)) {
    const previous = history.lastDigestByTag.get(tag) ?? null;
    return verifyAndRecord(ctx, item, formatReference({ registry: item.registry, repository: item.repository, tag }), null, previous, null);
  }
  if (!digest) {
    let head: Awaited<ReturnType<typeof ctx.client.headManifest>> = null;
    try {
      head = await ctx.client.headManifest(locator, tag);
    } catch {
      // Resolving failed (5xx, reset…): verify by tag instead, which tries again and, if the
      // registry still fails, records the error as a run like any other verification.
      return verifyAndRecord(ctx, item, formatReference({ registry: item.registry, repository: item.repository, ...(tag ? { tag } : {}) }), null, null, null);
    }
    if (!head) return { result: { state: 'error', outcome: 'error', errorCode: 'REGISTRY_NOT_FOUND', errorMessage: `${item.registry}/${item.repository}:${tag} no longer exists (the tag was deleted during the scan?)` } };
    digest = head.digest;
  }
  const previous = tag ? (history.lastDigestByTag.get(tag) ?? null) : null;
  const moved = previous !== null && previous !== digest ? previous : null;

  if (!ctx.spec.full) {
    const earlier = history.reusableByDigest.get(digest);
    if (earlier) {
      return {
        result: { state: 'done', outcome: earlier.status, digest, reused: true, previousDigest: moved, runId: earlier.id },
        ...(tag && previous !== digest ? { write: { observation: { imageId: earlier.imageId, tag, digest } } } : {}),
      };
    }
  }

  const reference = `${formatReference({ registry: item.registry, repository: item.repository, ...(tag ? { tag } : {}) })}@${digest}`;
  return verifyAndRecord(ctx, item, reference, digest, previous, moved);
}

/**
 * Verifies without writing: the run comes back as a pending write, stored with the item's
 * finish in one transaction (exactly once: no run without its item done, and the reverse).
 */
async function verifyAndRecord(ctx: ScanContext, item: ScanItemRow, reference: string, digest: string | null, previous: string | null, movedFrom: string | null): Promise<ImageItemOutcome> {
  let moved = movedFrom;
  const tag = item.tag || undefined;
  const policyFields =
    ctx.policy.kind === 'named' ? { policyVersionId: ctx.policy.policyVersionId } : { policy: ctx.policy.policy };
  const trustRoot = ctx.trustRoot();
  const outcome = await runVerification({
    reference,
    ...policyFields,
    trustRoot: ctx.trustRootChoice,
    allowHttpRegistries: ctx.spec.allowHttpRegistries,
    source: ctx.source,
    db: ctx.db,
    client: ctx.client,
    scanId: ctx.scanId,
    deferStorage: true,
    ...(ctx.verifyThreads ? { verifyThreads: ctx.verifyThreads } : {}),
    ...(trustRoot ? { loadedTrustRoot: trustRoot } : {}),
  });
  const run = outcome.pendingWrite;
  const resolved = digest ?? outcome.digest ?? null;
  if (!moved && previous && resolved && previous !== resolved) moved = previous;
  // Verified by digest, the run does not observe the tag itself (verified by tag, it does).
  if (run && tag && digest && resolved && previous !== resolved && run.image) run.tagObservation = { tag, digest: resolved };
  const write = run ? { run } : undefined;
  if (outcome.status === 'error') {
    return { result: { state: 'error', outcome: 'error', digest: resolved, previousDigest: moved, runId: outcome.runId, errorCode: outcome.errorCode ?? 'INTERNAL', errorMessage: outcome.errorMessage ?? outcome.summary }, ...(write ? { write } : {}) };
  }
  return { result: { state: 'done', outcome: outcome.status, digest: resolved, previousDigest: moved, runId: outcome.runId }, ...(write ? { write } : {}) };
}

/**
 * A worker that did not expand this repository itself (another queue worker did, or the
 * scan resumed in a new process) reads its tag list once, so its image items skip
 * attachment tags that do not exist too. Without the list (it failed) every tag is asked for.
 */
function ensureTagSnapshot(ctx: ScanContext, locator: { registry: string; repository: string; apiHost: string }): Promise<void> {
  return oncePerRepository(ctx.tagSnapshots, locator, () => ctx.client.listTags(locator).then((tags) => ctx.client.useTagSnapshot(locator, tags), () => undefined));
}

/**
 * The repository's tag observations and reusable verdicts, read once per scan and process
 * (each tag is one item, so what this scan itself records never changes the answer for another).
 */
function historyOf(ctx: ScanContext, item: ScanItemRow): Promise<RepositoryHistory> {
  return oncePerRepository(ctx.repositoryHistory, item, () =>
    repositoryHistory(ctx.db, { registry: item.registry, repository: item.repository, policyHash: ctx.policyHash, trustRootHash: ctx.trustRootHash }),
  );
}

/** One shared promise per repository; a rejected one is forgotten so the next item tries again. */
function oncePerRepository<T>(cache: Map<string, Promise<T>>, repo: { registry: string; repository: string }, load: () => Promise<T>): Promise<T> {
  const key = `${repo.registry}/${repo.repository}`;
  let known = cache.get(key);
  if (!known) {
    known = load();
    cache.set(key, known);
    known.catch(() => cache.delete(key));
  }
  return known;
}
