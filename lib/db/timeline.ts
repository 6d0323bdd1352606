/**
 * Timeline queries (model: lib/audit/timeline.ts): the signing events of an image, a
 * repository, an identity (keyless or key) or an organization, newest first, within a
 * from/to window, at most `take` (≤ 5000). Each source is read newest first with the same
 * bound, then merged; `truncated` says when more events exist in the window.
 */
import 'server-only';
import { SigscopeError, isSigscopeError } from '../errors';
import {
  DEFAULT_TIMELINE_EVENTS,
  MAX_TIMELINE_EVENTS,
  deriveTagEvents,
  inWindow,
  mergeEvents,

  type TimelineEvent,
  type TimelineEventKind,
  type TimelineScope,
  type TimelineWindow,
} from '../audit/timeline';
import type { Db } from './client';
import type { Prisma } from './generated/client';

export interface TimelineOptions extends Partial<TimelineWindow> {
  /** 1..5000, default 2000. */
  take?: number;
}

export interface TimelineResult {
  scope: TimelineScope;
  /** The image, when the scope is one (null: no such image). */
  image?: { id: string; registry: string; repository: string; digest: string } | null;
  events: TimelineEvent[];
  truncated: boolean;
  counts: Partial<Record<TimelineEventKind, number>>;
}

/** Tag observations read to tell moves from first sightings (newest first; older ones are dropped beyond this). */
const MAX_TAG_OBSERVATIONS = 50_000;
const RUN_KINDS = new Set<string>(['verified', 'signed-unchecked', 'failed', 'unsigned', 'error']);

async function dbCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isSigscopeError(e)) throw e;
    const message = e instanceof Error ? e.message.trim().split('\n').filter(Boolean).slice(-1)[0] ?? e.message : String(e);
    throw new SigscopeError('DATABASE', `${what} failed: ${message}`, { cause: e });
  }
}

function timeFilter(w: Partial<TimelineWindow>): Prisma.DateTimeFilter | undefined {
  if (!w.from && !w.to) return undefined;
  return { ...(w.from ? { gte: w.from } : {}), ...(w.to ? { lte: w.to } : {}) };
}

function summaryText(summary: string): string {
  try {
    const v = JSON.parse(summary) as unknown;
    return v && typeof v === 'object' && typeof (v as { text?: unknown }).text === 'string' ? (v as { text: string }).text : '';
  } catch {
    return '';
  }
}

function signerText(s: { identity: string | null; publicKeyFingerprint: string | null }): string {
  return s.identity ?? (s.publicKeyFingerprint ? `key sha256:${s.publicKeyFingerprint.slice(0, 16)}…` : 'an unknown signer');
}

/** IN lists are split in chunks of this many ids (SQLite binds at most 32766 values; Prisma's own batching stays far below). */
const CHUNK = 500;

/** Runs `fn` on chunks of `ids` one after the other and concatenates the results. */
async function chunked<T>(ids: string[], fn: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await fn(ids.slice(i, i + CHUNK))));
  return out;
}

const sigSelect = {
  id: true,
  imageId: true,
  kind: true,
  certificateId: true,
  identity: true,
  oidcIssuer: true,
  publicKeyFingerprint: true,
  rekorIntegratedTime: true,
  rekorLogIndex: true,
  firstSeenAt: true,
} as const;

interface ImageInfo {
  registry: string;
  repository: string;
  digest: string;
}

/**
 * How the queries stay on indexes: a scope is first resolved to image ids (Image's
 * (registry, repository, digest) index), certificate ids (Certificate.identity) or, for a
 * key, signatures by fingerprint; then each source is read by those ids in chunks
 * (Signature's (imageId, …) and certificateId indexes, VerificationRun's and TagObservation's
 * (imageId, time) indexes), newest first, `take + 1` per chunk, and merged.
 */
export function loadTimeline(db: Db, scope: TimelineScope, options: TimelineOptions = {}): Promise<TimelineResult> {
  return dbCall('Reading the timeline', async () => {
    const take = Math.min(MAX_TIMELINE_EVENTS, Math.max(1, Math.trunc(options.take ?? DEFAULT_TIMELINE_EVENTS)));
    const window: TimelineWindow = { from: options.from ?? null, to: options.to ?? null };
    const when = timeFilter(window);
    const newest = <T>(rows: T[], at: (r: T) => Date, id: (r: T) => string) =>
      rows.sort((a, b) => at(b).getTime() - at(a).getTime() || (id(a) < id(b) ? -1 : 1)).slice(0, take + 1);

    let image: TimelineResult['image'];
    let imageIds: string[] | null = null;
    let signatureScope: { certificateIds: string[] } | { keyFingerprint: string } | null = null;
    switch (scope.kind) {
      case 'image':
        image = await db.image.findUnique({ where: { id: scope.imageId }, select: { id: true, registry: true, repository: true, digest: true } });
        if (!image) return { scope, image: null, events: [], truncated: false, counts: {} };
        imageIds = [image.id];
        break;
      case 'repository':
        imageIds = (await db.image.findMany({ where: { registry: scope.registry, repository: scope.repository }, select: { id: true } })).map((i) => i.id);
        break;
      case 'org':
        imageIds = (await db.image.findMany({ where: { registry: scope.registry, repository: { startsWith: `${scope.org}/` } }, select: { id: true } })).map((i) => i.id);
        break;
      case 'identity':
        signatureScope = {
          certificateIds: (await db.certificate.findMany({ where: { identity: scope.subject, oidcIssuer: scope.issuer === '' ? null : scope.issuer }, select: { id: true } })).map((c) => c.id),
        };
        break;
      case 'key':
        signatureScope = { keyFingerprint: scope.fingerprint };
        break;
    }

    // Signatures: with a verified Rekor time (in the window by that time), and without (by first-seen time).
    type SigRow = Awaited<ReturnType<typeof db.signature.findMany<{ select: typeof sigSelect }>>>[number];
    const sigQueries = (where: Prisma.SignatureWhereInput) =>
      Promise.all([
        db.signature.findMany({ where: { ...where, rekorIntegratedTime: when ?? { not: null } }, select: sigSelect, orderBy: [{ rekorIntegratedTime: 'desc' }, { id: 'asc' }], take: take + 1 }),
        db.signature.findMany({ where: { ...where, rekorIntegratedTime: null, ...(when ? { firstSeenAt: when } : {}) }, select: sigSelect, orderBy: [{ firstSeenAt: 'desc' }, { id: 'asc' }], take: take + 1 }),
      ]).then(([a, b]) => [...a, ...b]);
    let sigRows: SigRow[];
    if (imageIds) sigRows = await chunked(imageIds, (chunk) => sigQueries({ imageId: { in: chunk } }));
    else if (signatureScope && 'certificateIds' in signatureScope) sigRows = await chunked(signatureScope.certificateIds, (chunk) => sigQueries({ certificateId: { in: chunk } }));
    else sigRows = await sigQueries({ publicKeyFingerprint: (signatureScope as { keyFingerprint: string }).keyFingerprint });
    const sigAt = (s: SigRow) => s.rekorIntegratedTime ?? s.firstSeenAt;
    const sigsTruncated = sigRows.length > take;
    sigRows = newest(sigRows, sigAt, (s) => s.id);

    // Certificates issued in the window: for image scopes, those of the images' signatures.
    type CertRow = { id: string; notBefore: Date; notAfter: Date; identity: string | null; oidcIssuer: string | null; fingerprintSha256: string; signatureId: string | null; imageId: string | null };
    let certRows: CertRow[] = [];
    const certSelect = { id: true, notBefore: true, notAfter: true, identity: true, oidcIssuer: true, fingerprintSha256: true } as const;
    if (imageIds) {
      const rows = await chunked(imageIds, (chunk) =>
        db.signature.findMany({
          where: { imageId: { in: chunk }, certificateId: { not: null }, ...(when ? { certificate: { is: { notBefore: when } } } : {}) },
          select: { id: true, imageId: true, certificate: { select: certSelect } },
          orderBy: [{ certificate: { notBefore: 'desc' } }, { id: 'asc' }],
          take: take + 1,
        }),
      );
      const seen = new Set<string>();
      for (const r of rows) {
        if (!r.certificate || seen.has(r.certificate.id)) continue;
        seen.add(r.certificate.id);
        certRows.push({ ...r.certificate, signatureId: r.id, imageId: r.imageId });
      }
    } else if (signatureScope && 'certificateIds' in signatureScope && scope.kind === 'identity') {
      const rows = await db.certificate.findMany({
        where: { identity: scope.subject, oidcIssuer: scope.issuer === '' ? null : scope.issuer, ...(when ? { notBefore: when } : {}) },
        select: certSelect,
        orderBy: [{ notBefore: 'desc' }, { id: 'asc' }],
        take: take + 1,
      });
      const firstSig = new Map<string, { id: string; imageId: string }>();
      for (const s of await chunked(rows.map((r) => r.id), (chunk) => db.signature.findMany({ where: { certificateId: { in: chunk } }, select: { id: true, imageId: true, certificateId: true }, orderBy: { id: 'asc' } }))) {
        if (s.certificateId && !firstSig.has(s.certificateId)) firstSig.set(s.certificateId, s);
      }
      certRows = rows.map((r) => ({ ...r, signatureId: firstSig.get(r.id)?.id ?? null, imageId: firstSig.get(r.id)?.imageId ?? null }));
    }
    const certsTruncated = certRows.length > take;
    certRows = newest(certRows, (c) => c.notBefore, (c) => c.id);

    // Runs: of the images; for identities and keys, those that judged the signatures shown.
    const runSelect = { id: true, createdAt: true, status: true, input: true, summary: true, tag: true, imageId: true } as const;
    const runWhere = { status: { not: 'running' }, ...(when ? { createdAt: when } : {}) };
    let runRows;
    if (imageIds) {
      runRows = await chunked(imageIds, (chunk) => db.verificationRun.findMany({ where: { imageId: { in: chunk }, ...runWhere }, select: runSelect, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: take + 1 }));
    } else {
      const runIds = [...new Set((await chunked(sigRows.map((s) => s.id), (chunk) => db.signatureResult.findMany({ where: { signatureId: { in: chunk } }, select: { runId: true } }))).map((r) => r.runId))];
      runRows = await chunked(runIds, (chunk) => db.verificationRun.findMany({ where: { id: { in: chunk }, ...runWhere }, select: runSelect, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: take + 1 }));
    }
    const runsTruncated = runRows.length > take;
    runRows = newest(runRows, (r) => r.createdAt, (r) => r.id);

    const tagEvents = await loadTagEvents(db, scope, image ?? null, imageIds, window);

    // Image names for every event, in one pass.
    const wanted = new Set<string>();
    for (const s of sigRows) wanted.add(s.imageId);
    for (const c of certRows) if (c.imageId) wanted.add(c.imageId);
    for (const r of runRows) if (r.imageId) wanted.add(r.imageId);
    const images = new Map<string, ImageInfo>(
      (await chunked([...wanted], (chunk) => db.image.findMany({ where: { id: { in: chunk } }, select: { id: true, registry: true, repository: true, digest: true } }))).map((i) => [i.id, i]),
    );

    const signed: TimelineEvent[] = sigRows.map((s) => {
      const img = images.get(s.imageId);
      return {
        id: `signed:${s.id}`,
        kind: 'signed',
        at: sigAt(s),
        ...(s.rekorIntegratedTime ? {} : { approximate: true }),
        registry: img?.registry ?? null,
        repository: img?.repository ?? null,
        imageId: s.imageId,
        digest: img?.digest ?? null,
        signatureId: s.id,
        signatureKind: s.kind,
        certificateId: s.certificateId,
        identity: s.identity,
        issuer: s.oidcIssuer,
        keyFingerprint: s.publicKeyFingerprint,
        detail:
          `${s.kind === 'attestation' ? 'Attested' : 'Signed'} by ${signerText(s)}` +
          (s.rekorIntegratedTime && s.rekorLogIndex != null ? ` · Rekor #${String(s.rekorLogIndex)}` : ' · no verified Rekor entry (time: first seen)'),
      };
    });
    const issued: TimelineEvent[] = certRows.map((c) => {
      const img = c.imageId ? images.get(c.imageId) : undefined;
      return {
        id: `certificate-issued:${c.id}`,
        kind: 'certificate-issued',
        at: c.notBefore,
        registry: img?.registry ?? null,
        repository: img?.repository ?? null,
        imageId: c.imageId,
        digest: img?.digest ?? null,
        signatureId: c.signatureId,
        certificateId: c.id,
        identity: c.identity,
        issuer: c.oidcIssuer,
        detail: `Certificate sha256:${c.fingerprintSha256.slice(0, 12)}… for ${c.identity ?? 'an unnamed identity'}, valid to ${c.notAfter.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')}`,
      };
    });
    const runEvents: TimelineEvent[] = runRows
      .filter((r) => RUN_KINDS.has(r.status))
      .map((r) => {
        const img = r.imageId ? images.get(r.imageId) : undefined;
        return {
          id: `run:${r.id}`,
          kind: r.status as TimelineEventKind,
          at: r.createdAt,
          registry: img?.registry ?? null,
          repository: img?.repository ?? null,
          imageId: r.imageId,
          digest: img?.digest ?? null,
          tag: r.tag,
          runId: r.id,
          detail: summaryText(r.summary) || r.input,
        };
      });

    const merged = mergeEvents([signed, issued, runEvents, tagEvents.events], take);
    const counts: Partial<Record<TimelineEventKind, number>> = {};
    for (const e of merged.events) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
    return {
      scope,
      ...(image !== undefined ? { image } : {}),
      events: merged.events,
      truncated: merged.truncated || sigsTruncated || certsTruncated || runsTruncated || tagEvents.truncated,
      counts,
    };
  });
}

/** Tag events of the scope's images (none for identity and key scopes), within the window. */
async function loadTagEvents(
  db: Db,
  scope: TimelineScope,
  image: { id: string; registry: string; repository: string } | null,
  imageIds: string[] | null,
  window: TimelineWindow,
): Promise<{ events: TimelineEvent[]; truncated: boolean }> {
  if (!imageIds) return { events: [], truncated: false };
  let ids = imageIds;
  let tags: string[] | null = null;
  if (scope.kind === 'image' && image) {
    // Moves onto this image need the tag's earlier observations on other digests of the repository.
    tags = (await db.tagObservation.findMany({ where: { imageId: image.id }, select: { tag: true }, distinct: ['tag'] })).map((t) => t.tag);
    if (tags.length === 0) return { events: [], truncated: false };
    ids = (await db.image.findMany({ where: { registry: image.registry, repository: image.repository }, select: { id: true } })).map((i) => i.id);
  }
  const select = { id: true, imageId: true, tag: true, digest: true, observedAt: true } as const;
  const rows = await chunked(ids, (chunk) =>
    db.tagObservation.findMany({
      where: { imageId: { in: chunk }, ...(tags ? { tag: { in: tags } } : {}), ...(window.to ? { observedAt: { lte: window.to } } : {}) },
      select,
      orderBy: [{ observedAt: 'desc' }, { id: 'desc' }],
      take: MAX_TAG_OBSERVATIONS + 1,
    }),
  );
  rows.sort((a, b) => b.observedAt.getTime() - a.observedAt.getTime() || (a.id < b.id ? 1 : -1));
  const truncated = rows.length > MAX_TAG_OBSERVATIONS;
  const kept = rows.slice(0, MAX_TAG_OBSERVATIONS);
  const names = new Map(
    (await chunked([...new Set(kept.map((r) => r.imageId))], (chunk) => db.image.findMany({ where: { id: { in: chunk } }, select: { id: true, registry: true, repository: true } }))).map((i) => [i.id, i]),
  );
  const events = deriveTagEvents(
    kept.flatMap((r) => {
      const n = names.get(r.imageId);
      return n ? [{ id: r.id, imageId: r.imageId, registry: n.registry, repository: n.repository, tag: r.tag, digest: r.digest, observedAt: r.observedAt }] : [];
    }),
  ).filter((e) => inWindow(e.at, window) && (scope.kind !== 'image' || e.imageId === image?.id));
  return { events, truncated };
}

export interface TimelineScopeChoice {
  registry: string;
  repository: string;
  images: number;
}

/** Repositories with stored images (for picking a scope), most images first, at most `take`. */
export function listTimelineRepositories(db: Db, take = 200): Promise<TimelineScopeChoice[]> {
  return dbCall('Listing repositories', async () => {
    const rows = await db.image.groupBy({ by: ['registry', 'repository'], _count: { _all: true }, orderBy: [{ registry: 'asc' }, { repository: 'asc' }], take: Math.min(1000, Math.max(1, take)) });
    return rows.map((r) => ({ registry: r.registry, repository: r.repository, images: r._count._all }));
  });
}

