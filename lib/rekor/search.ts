/**
 * The explorer's one search box: what a pasted text is.
 *
 *   12345                 a log index
 *   100-355, 100..355     a range of log indexes (at most MAX_RANGE_ENTRIES)
 *   80 hex                an entry UUID (tree ID + leaf hash)
 *   64 hex                a UUID or a sha256 artifact hash: the UUID is tried first
 *   sha256:<64 hex>       an artifact hash
 *   a@b.c                 an email identity
 *   https://…, spiffe://… a URI identity (certificate SAN)
 *   { … }                 a Sigstore bundle (v0.1–v0.3), a cosign Rekor bundle
 *                         annotation, a v1 API entry response or a v2 entry: its
 *                         tlog entries are proven offline with the trusted root's keys
 */
import { SigscopeError, printable } from '../errors';
import { parseCosignBundleAnnotation, parseTlogEntry, parseV1EntryResponse } from './entry';
import { MAX_RANGE_ENTRIES, type ExploreQuery, type PastedEntry } from './explore';

/** Largest pasted document (a bundle with a certificate chain is a few KiB). */
export const MAX_PASTED_BYTES = 512 * 1024;

export type SearchInput = { kind: 'query'; query: ExploreQuery; label: string } | { kind: 'pasted'; entries: PastedEntry[]; label: string };

function invalid(message: string): SigscopeError {
  return new SigscopeError('INVALID_INPUT', message);
}

/** The tlog entries a pasted JSON document holds. */
export function entriesFromDocument(json: unknown): { entries: PastedEntry[]; label: string } {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw invalid('the pasted JSON is not an object: paste a Sigstore bundle, a cosign Rekor bundle or a Rekor entry');
  const o = json as Record<string, unknown>;
  // Sigstore bundle: verificationMaterial.tlogEntries.
  const vm = o.verificationMaterial as Record<string, unknown> | undefined;
  if (vm && typeof vm === 'object') {
    const list = vm.tlogEntries;
    if (!Array.isArray(list) || list.length === 0) throw invalid('the bundle has no tlogEntries: it was not logged in a transparency log');
    if (list.length > 16) throw invalid(`the bundle lists ${list.length} tlog entries; at most 16 are read`);
    const entries = list.map((e, i) => {
      const p = parseTlogEntry(e);
      if (!p.ok) throw invalid(`the bundle's tlog entry ${i}: ${p.reason}`);
      return { kind: 'tlog' as const, entry: p.value };
    });
    return { entries, label: `a Sigstore bundle (${typeof o.mediaType === 'string' ? printable(o.mediaType, 80) : 'no media type'}) with ${entries.length} tlog entr${entries.length === 1 ? 'y' : 'ies'}` };
  }
  if ('SignedEntryTimestamp' in o && 'Payload' in o) {
    const p = parseCosignBundleAnnotation(o);
    if (!p.ok) throw invalid(p.reason);
    return { entries: [{ kind: 'v1', entry: p.value }], label: 'a cosign Rekor bundle annotation' };
  }
  if ('canonicalizedBody' in o) {
    const p = parseTlogEntry(o);
    if (!p.ok) throw invalid(p.reason);
    return { entries: [{ kind: 'tlog', entry: p.value }], label: 'a transparency log entry' };
  }
  const p = parseV1EntryResponse(o);
  if (p.ok && p.value.length > 0) return { entries: p.value.map((entry) => ({ kind: 'v1' as const, entry })), label: 'a Rekor v1 entry response' };
  throw invalid(`the pasted JSON is not a Sigstore bundle, a cosign Rekor bundle or a Rekor entry${p.ok ? '' : ` (${p.reason})`}`);
}

/** What the search box was given; throws INVALID_INPUT with what it accepts. */
export function parseSearchText(input: string): SearchInput {
  const text = input.trim();
  if (text === '') throw invalid('type a log index, a UUID, a sha256: hash, an email or URI identity, or paste a bundle');
  if (text.startsWith('{')) {
    if (Buffer.byteLength(text, 'utf8') > MAX_PASTED_BYTES) throw invalid(`the pasted document is over ${MAX_PASTED_BYTES / 1024} KiB`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw invalid(`the pasted text starts like JSON but does not parse: ${(e as Error).message}`);
    }
    const { entries, label } = entriesFromDocument(json);
    return { kind: 'pasted', entries, label };
  }
  if (text.length > 4096) throw invalid('the search text is over 4096 characters');
  let m: RegExpExecArray | null;
  if (/^[0-9]{1,15}$/.test(text)) return { kind: 'query', query: { logIndex: Number(text) }, label: `log index ${text}` };
  if ((m = /^([0-9]{1,15})\s*(?:-|\.\.)\s*([0-9]{1,15})$/.exec(text))) {
    const start = Number(m[1]);
    const end = Number(m[2]);
    if (end < start) throw invalid(`the range ${text} ends before it starts`);
    const count = end - start + 1;
    if (count > MAX_RANGE_ENTRIES) throw invalid(`a range reads at most ${MAX_RANGE_ENTRIES} entries; ${text} has ${count}`);
    return { kind: 'query', query: { range: { start, count } }, label: `log indexes ${start} to ${end}` };
  }
  const lower = text.toLowerCase();
  if (/^[0-9a-f]{80}$/.test(lower)) return { kind: 'query', query: { uuid: lower }, label: `entry UUID ${lower}` };
  if (/^[0-9a-f]{64}$/.test(lower)) return { kind: 'query', query: { hex64: lower }, label: `${lower} (an entry UUID or a sha256 hash)` };
  if (/^sha256:[0-9a-f]{64}$/.test(lower)) return { kind: 'query', query: { sha256: lower }, label: `artifact hash ${lower}` };
  if (/^sha256:/i.test(text)) throw invalid('a sha256 hash is sha256: followed by 64 hex characters');
  if (/^[^\s@/:]+@[^\s@/]+\.[^\s@/]+$/.test(text)) {
    if (text.length > 320) throw invalid('an email address is at most 320 characters');
    return { kind: 'query', query: { email: text }, label: `email ${text}` };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(text)) {
    if (text.length > 512 || /[\u0000-\u001f]/.test(text)) throw invalid('a URI identity is at most 512 printable characters');
    return { kind: 'query', query: { subject: text }, label: `identity ${text}` };
  }
  if (/^[0-9a-f]+$/i.test(text)) throw invalid(`${text.length} hex characters: an entry UUID is 64 or 80, a sha256 hash 64`);
  throw invalid(`"${printable(text, 80)}" is not a log index, a range (N-M), a UUID, a sha256: hash, an email, a URI identity or a pasted bundle`);
}
