/**
 * Links to public Rekor entries. Only entries of the public-good logs have a public page
 * (search.sigstore.dev); entries of a private or local instance are shown without a link.
 */
import { loadTrustRoot } from './trust-root';

let publicGood: Set<string> | null = null;

/** Hex log ids (SHA-256 of the log key) of the public-good Rekor v1 log. */
function publicGoodLogIds(): Set<string> {
  if (publicGood) return publicGood;
  const ids = new Set<string>();
  try {
    // search.sigstore.dev indexes the Rekor v1 log only (Rekor v2 shards have no search page).
    const json = loadTrustRoot().json as { tlogs?: Array<{ baseUrl?: string; logId?: { keyId?: string } }> };
    for (const t of json.tlogs ?? []) {
      if (t.baseUrl === 'https://rekor.sigstore.dev' && t.logId?.keyId) ids.add(Buffer.from(t.logId.keyId, 'base64').toString('hex'));
    }
  } catch {
    // No public-good root, no links.
  }
  publicGood = ids;
  return ids;
}

/** The search.sigstore.dev page of an entry, or null when the log is not a public-good one. */
export function rekorEntryUrl(logId: string | null | undefined, logIndex: string | bigint | number): string | null {
  const index = String(logIndex);
  if (!logId || !/^\d{1,19}$/.test(index) || !publicGoodLogIds().has(logId.toLowerCase())) return null;
  return `https://search.sigstore.dev/?logIndex=${index}`;
}
