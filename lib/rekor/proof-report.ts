/**
 * One entry's proof, laid out step by step for `sigscope rekor verify-entry`:
 * leaf hash → audit path → computed root → checkpoint signature → SET, with the
 * verdict of ./verify-entry.ts (which decides; this only shows its inputs).
 */
import { base64Strict } from './encoding';
import type { PastedEntry } from './explore';
import type { TransparencyLogKey } from './log-keys';
import { hashesFromHex, hashLeaf, rootFromInclusionProof } from './proofs';
import { verifyTlogEntry, verifyV1Entry, type EntryVerification } from './verify-entry';

export interface ProofReport {
  logIndex: number;
  uuid?: string;
  logId: string;
  integratedTime?: number;
  /** SHA-256(0x00 || body), hex. */
  leafHash: string;
  proof?: { logIndex: number; treeSize: number; rootHash: string; path: string[]; computedRoot?: string; pathProblem?: string; checkpoint?: string };
  verification: EntryVerification;
  /** Every step present holds and the entry is proven (inclusion with checkpoint, and/or SET). */
  ok: boolean;
}

export function proofReport(p: PastedEntry, keys: readonly TransparencyLogKey[]): ProofReport {
  const body = p.kind === 'v1' ? p.entry.body : p.entry.canonicalizedBody;
  const bytes = base64Strict(body);
  const leafHash = bytes ? hashLeaf(bytes).toString('hex') : '';
  const raw = p.kind === 'v1' ? p.entry.verification?.inclusionProof : p.entry.inclusionProof;
  const verification = p.kind === 'v1' ? verifyV1Entry(p.entry, keys) : verifyTlogEntry(p.entry, keys);
  let proof: ProofReport['proof'];
  if (raw) {
    const hashes = hashesFromHex(raw.hashes);
    let computedRoot: string | undefined;
    let pathProblem: string | undefined;
    if (!hashes || !bytes) pathProblem = 'the path hashes are not SHA-256 values';
    else {
      const r = rootFromInclusionProof(hashLeaf(bytes), BigInt(raw.logIndex), BigInt(raw.treeSize), hashes);
      computedRoot = r.root?.toString('hex');
      pathProblem = r.reason;
    }
    proof = { logIndex: raw.logIndex, treeSize: raw.treeSize, rootHash: raw.rootHash, path: raw.hashes, computedRoot, pathProblem, checkpoint: raw.checkpoint };
  }
  return {
    logIndex: p.entry.logIndex,
    ...(p.kind === 'v1' ? { uuid: p.entry.uuid } : {}),
    logId: p.kind === 'v1' ? p.entry.logID : p.entry.logId,
    integratedTime: p.entry.integratedTime,
    leafHash,
    proof,
    verification,
    ok: verification.ok && !verification.steps.some((s) => s.status === 'failed'),
  };
}

/** Reads the raw entry at a UUID or log index from the selected logs (v2: by index only), unproven. */
export async function fetchRawEntries(
  ctx: import('./explore').ExploreContext,
  query: { uuid: string } | { logIndex: number },
  options: { logUrl?: string; logUrls?: readonly string[]; timeoutMs?: number; maxRetries?: number } = {},
): Promise<{ entries: Array<PastedEntry & { logUrl: string }>; messages: string[] }> {
  const { selectLogs } = await import('./explore');
  const { RekorV1Client } = await import('./v1-client');
  const { RekorV2TileClient } = await import('./v2-tiles');
  const { SigscopeError } = await import('../errors');
  const http = { timeoutMs: options.timeoutMs ?? 15_000, maxRetries: options.maxRetries ?? 1 };
  const entries: Array<PastedEntry & { logUrl: string }> = [];
  const messages: string[] = [];
  for (const log of selectLogs(ctx, options)) {
    try {
      if (log.version === 'v2') {
        if (!('logIndex' in query)) {
          messages.push(`${log.baseUrl} is a Rekor v2 log: it has no UUIDs`);
          continue;
        }
        const t = await new RekorV2TileClient({ ...http, baseUrl: log.baseUrl }).proveEntry(query.logIndex, ctx.keys);
        entries.push({ kind: 'tlog', entry: t.entry, logUrl: log.baseUrl });
      } else {
        const c = new RekorV1Client({ ...http, baseUrl: log.baseUrl });
        const e = 'uuid' in query ? await c.getEntryByUuid(query.uuid) : await c.getEntryByIndex(query.logIndex);
        entries.push({ kind: 'v1', entry: e, logUrl: log.baseUrl });
      }
    } catch (e) {
      if (e instanceof SigscopeError && e.code === 'REKOR_NOT_FOUND') continue;
      messages.push(`${log.baseUrl}: ${(e as Error).message}`);
    }
  }
  return { entries, messages };
}
