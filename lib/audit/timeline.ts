/**
 * Timeline model: signing events of a scope (an image, a repository, an identity, an
 * organization) on a time axis. Pure (no database, no `server-only`): the chart, a client
 * component, uses the kinds, colours and bucketing here; lib/db/timeline.ts loads events.
 *
 * Event kinds and their time:
 * - `signed`: the Rekor integrated time of a signature (or, for one without a verified
 *   Rekor entry, when Sigscope first stored it; `approximate` says so);
 * - `certificate-issued`: a signing certificate's notBefore;
 * - `tag-observed`: the first time Sigscope saw a tag (on the digest it pointed at);
 * - `tag-moved`: a tag observed on a digest other than its previous observation's;
 * - `verified` | `signed-unchecked` | `failed` | `unsigned` | `error`: a verification run
 *   (its creation time) and its verdict.
 */
import { decodeIdentityKey, encodeIdentityKey } from '../db/identity-key';

export const TIMELINE_EVENT_KINDS = ['signed', 'certificate-issued', 'tag-observed', 'tag-moved', 'verified', 'signed-unchecked', 'failed', 'unsigned', 'error'] as const;
export type TimelineEventKind = (typeof TIMELINE_EVENT_KINDS)[number];

export const EVENT_KIND_LABEL: Record<TimelineEventKind, string> = {
  signed: 'Signed',
  'certificate-issued': 'Certificate issued',
  'tag-observed': 'Tag first seen',
  'tag-moved': 'Tag moved',
  verified: 'Run: verified',
  'signed-unchecked': 'Run: signer not checked',
  failed: 'Run: not verified',
  unsigned: 'Run: unsigned',
  error: 'Run: error',
};

/** Chart colours (Tailwind palette hex values), one per kind. */
export const EVENT_KIND_COLOR: Record<TimelineEventKind, string> = {
  signed: '#0ea5e9',
  'certificate-issued': '#8b5cf6',
  'tag-observed': '#64748b',
  'tag-moved': '#f59e0b',
  verified: '#10b981',
  'signed-unchecked': '#eab308',
  failed: '#ef4444',
  unsigned: '#94a3b8',
  error: '#7f1d1d',
};

export const MAX_TIMELINE_EVENTS = 5000;
export const DEFAULT_TIMELINE_EVENTS = 2000;

export type TimelineScope =
  | { kind: 'image'; imageId: string }
  | { kind: 'repository'; registry: string; repository: string }
  | { kind: 'identity'; issuer: string; subject: string }
  | { kind: 'key'; fingerprint: string }
  | { kind: 'org'; registry: string; org: string };

export interface TimelineWindow {
  from: Date | null;
  to: Date | null;
}

export interface TimelineEvent {
  /** Unique within a timeline: `<kind>:<row id>`. */
  id: string;
  kind: TimelineEventKind;
  at: Date;
  /** The time is not the event's own (a signature with no verified Rekor entry: when first stored). */
  approximate?: boolean;
  registry: string | null;
  repository: string | null;
  imageId: string | null;
  digest: string | null;
  tag?: string | null;
  previousDigest?: string | null;
  previousImageId?: string | null;
  signatureId?: string | null;
  /** 'cosign-sig' | 'bundle' | 'attestation' for `signed`. */
  signatureKind?: string | null;
  certificateId?: string | null;
  runId?: string | null;
  identity?: string | null;
  issuer?: string | null;
  keyFingerprint?: string | null;
  /** One line for people. */
  detail: string;
}

// ---------------------------------------------------------------------------
// Scope and window from query parameters

type Params = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;

const REGISTRY = /^[A-Za-z0-9.[\]:-]{1,255}$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const CUID = /^[a-z0-9]{1,64}$/;

export interface ParsedTimelineQuery {
  scope: TimelineScope | null;
  window: TimelineWindow;
  /** What was wrong with the parameters, for people; the scope is null then. */
  error?: string;
}

function parseTime(value: string | undefined, name: string): Date | null | string {
  if (!value) return null;
  const d = /^\d{10,13}$/.test(value) ? new Date(Number(value.length === 10 ? Number(value) * 1000 : value)) : new Date(value);
  return Number.isNaN(d.getTime()) ? `"${name}" is not a date or time: ${value.slice(0, 40)}` : d;
}

/**
 * `?image=<id>`, `?registry=R&repository=P` (or `?repository=R/P`), `?identity=<identity key>`
 * (lib/db/identity-key: `kl.…` or `key.<hex>`; a raw certificate identity works too, with
 * `&issuer=`), `?org=<registry>/<first path segment>`; plus `from` / `to` (ISO time, date, or
 * Unix seconds/milliseconds).
 */
export function parseTimelineQuery(params: Params): ParsedTimelineQuery {
  const from = parseTime(first(params.from), 'from');
  const to = parseTime(first(params.to), 'to');
  const window: TimelineWindow = { from: from instanceof Date ? from : null, to: to instanceof Date ? to : null };
  const bad = (error: string): ParsedTimelineQuery => ({ scope: null, window, error });
  if (typeof from === 'string') return bad(from);
  if (typeof to === 'string') return bad(to);
  if (window.from && window.to && window.from > window.to) return bad('"from" is after "to".');

  const image = first(params.image);
  const repository = first(params.repository);
  const registry = first(params.registry);
  const identity = first(params.identity);
  const org = first(params.org);
  if (image) return CUID.test(image) ? { scope: { kind: 'image', imageId: image }, window } : bad('"image" is not an image id.');
  if (repository) {
    let reg = registry;
    let repo = repository;
    if (!reg) {
      const i = repository.indexOf('/');
      if (i <= 0) return bad('"repository" needs a "registry" too (or give registry/repository).');
      reg = repository.slice(0, i);
      repo = repository.slice(i + 1);
    }
    if (!REGISTRY.test(reg) || !REPOSITORY.test(repo)) return bad('"registry" / "repository" is not a valid repository name.');
    return { scope: { kind: 'repository', registry: reg, repository: repo }, window };
  }
  if (identity) {
    const decoded = decodeIdentityKey(identity);
    if (decoded?.kind === 'key') return { scope: { kind: 'key', fingerprint: decoded.fingerprint }, window };
    if (decoded?.kind === 'keyless') return { scope: { kind: 'identity', issuer: decoded.issuer, subject: decoded.subject }, window };
    if (identity.length > 2048) return bad('"identity" is too long.');
    return { scope: { kind: 'identity', issuer: first(params.issuer) ?? '', subject: identity }, window };
  }
  if (org) {
    const i = org.indexOf('/');
    const reg = i > 0 ? org.slice(0, i) : '';
    const name = i > 0 ? org.slice(i + 1).replace(/\/+$/, '') : '';
    if (!REGISTRY.test(reg) || !REPOSITORY.test(name) || name.includes('/')) return bad('"org" must be <registry>/<organization>, e.g. ghcr.io/acme.');
    return { scope: { kind: 'org', registry: reg, org: name }, window };
  }
  return { scope: null, window };
}

/** Query string (without `?`) for a scope and window; parseTimelineQuery reads it back. */
export function timelineQuery(scope: TimelineScope, window: Partial<TimelineWindow> = {}): string {
  const q = new URLSearchParams();
  switch (scope.kind) {
    case 'image':
      q.set('image', scope.imageId);
      break;
    case 'repository':
      q.set('registry', scope.registry);
      q.set('repository', scope.repository);
      break;
    case 'identity':
      try {
        q.set('identity', encodeIdentityKey({ kind: 'keyless', issuer: scope.issuer, subject: scope.subject }));
      } catch {
        q.set('identity', scope.subject);
        if (scope.issuer) q.set('issuer', scope.issuer);
      }
      break;
    case 'key':
      q.set('identity', `key.${scope.fingerprint}`);
      break;
    case 'org':
      q.set('org', `${scope.registry}/${scope.org}`);
      break;
  }
  if (window.from) q.set('from', window.from.toISOString());
  if (window.to) q.set('to', window.to.toISOString());
  return q.toString();
}

export function timelineHref(scope: TimelineScope, window: Partial<TimelineWindow> = {}): string {
  return `/timeline?${timelineQuery(scope, window)}`;
}

export function describeScope(scope: TimelineScope): string {
  switch (scope.kind) {
    case 'image':
      return `image ${scope.imageId}`;
    case 'repository':
      return `${scope.registry}/${scope.repository}`;
    case 'identity':
      return scope.issuer ? `${scope.subject} (issuer ${scope.issuer})` : scope.subject;
    case 'key':
      return `key sha256:${scope.fingerprint}`;
    case 'org':
      return `${scope.registry}/${scope.org}/*`;
  }
}

// ---------------------------------------------------------------------------
// Tag events from observations

export interface TagObservationFact {
  id: string;
  imageId: string;
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  observedAt: Date;
}

/**
 * Per (repository, tag), oldest first: the first observation is `tag-observed`; one on a
 * digest other than the previous observation's is `tag-moved`; repeats are no event.
 */
export function deriveTagEvents(observations: TagObservationFact[]): TimelineEvent[] {
  const groups = new Map<string, TagObservationFact[]>();
  for (const o of observations) {
    const k = `${o.registry}/${o.repository}:${o.tag}`;
    const list = groups.get(k);
    if (list) list.push(o);
    else groups.set(k, [o]);
  }
  const out: TimelineEvent[] = [];
  for (const list of groups.values()) {
    list.sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let prev: TagObservationFact | undefined;
    for (const o of list) {
      if (!prev || prev.digest !== o.digest) {
        const moved = prev !== undefined;
        out.push({
          id: `${moved ? 'tag-moved' : 'tag-observed'}:${o.id}`,
          kind: moved ? 'tag-moved' : 'tag-observed',
          at: o.observedAt,
          registry: o.registry,
          repository: o.repository,
          imageId: o.imageId,
          digest: o.digest,
          tag: o.tag,
          previousDigest: prev?.digest ?? null,
          previousImageId: prev?.imageId ?? null,
          detail: moved ? `${o.tag} moved from ${shortDigest(prev!.digest)} to ${shortDigest(o.digest)}` : `${o.tag} → ${shortDigest(o.digest)}`,
        });
      }
      prev = o;
    }
  }
  return out;
}

export function shortDigest(d: string): string {
  const [alg, hex] = d.split(':');
  return hex ? `${alg}:${hex.slice(0, 12)}` : d;
}

export function inWindow(at: Date, w: TimelineWindow): boolean {
  return (!w.from || at >= w.from) && (!w.to || at <= w.to);
}

/** Newest first (then by id, for a stable order), at most `take`. */
export function mergeEvents(lists: TimelineEvent[][], take: number): { events: TimelineEvent[]; truncated: boolean } {
  const all = lists.flat().sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { events: all.slice(0, take), truncated: all.length > take };
}

// ---------------------------------------------------------------------------
// Chart buckets

const BUCKET_SIZES_MS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400, 30 * 86400, 91 * 86400, 365 * 86400].map((s) => s * 1000);

/** The smallest bucket size that keeps the span within `maxBuckets` buckets. */
export function bucketSize(spanMs: number, maxBuckets = 120): number {
  return BUCKET_SIZES_MS.find((b) => spanMs / b <= maxBuckets) ?? BUCKET_SIZES_MS[BUCKET_SIZES_MS.length - 1]!;
}

/** Fewest buckets drawn when the span is short and no window was asked for. */
export const MIN_BUCKETS = 12;

export type Bucket = { start: number; end: number; total: number } & Partial<Record<TimelineEventKind, number>>;

/**
 * Counts per kind in consecutive buckets covering [from, to] (default: the events' span),
 * oldest first, empty buckets included so the axis is linear in time.
 */
export function bucketEvents(events: Array<Pick<TimelineEvent, 'kind'> & { at: Date | string | number }>, window: Partial<TimelineWindow> = {}, maxBuckets = 120): { sizeMs: number; buckets: Bucket[] } {
  const times = events.map((e) => new Date(e.at).getTime());
  if (times.length === 0 && !(window.from && window.to)) return { sizeMs: 0, buckets: [] };
  const lo = window.from?.getTime() ?? Math.min(...times);
  const hi = window.to?.getTime() ?? Math.max(...times);
  const sizeMs = bucketSize(Math.max(1, hi - lo), maxBuckets);
  let start = Math.floor(lo / sizeMs) * sizeMs;
  let count = Math.max(1, Math.floor((hi - start) / sizeMs) + 1);
  if (count < MIN_BUCKETS && !(window.from && window.to)) {
    // A short history (or one event) still gets an axis with room around it.
    start -= Math.floor((MIN_BUCKETS - count) / 2) * sizeMs;
    count = MIN_BUCKETS;
  }
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({ start: start + i * sizeMs, end: start + (i + 1) * sizeMs, total: 0 }));
  events.forEach((e, i) => {
    const b = buckets[Math.floor((times[i]! - start) / sizeMs)];
    if (!b) return;
    b[e.kind] = (b[e.kind] ?? 0) + 1;
    b.total++;
  });
  return { sizeMs, buckets };
}
