/**
 * Artifacts that refer to an image (OCI 1.1 `subject`): Sigstore bundles, SBOMs,
 * attestations attached with ORAS or cosign v3.
 *
 * Discovery follows the distribution-spec: ask the referrers API
 * (`GET /v2/<name>/referrers/<digest>`); when the registry does not implement it
 * (404, or 400/405 from some), read the referrers tag schema instead — the OCI image
 * index that pushing clients maintain at tag `<alg>-<hex>` (Distribution 2.8 has no
 * API, so this is the path taken there). Neither → no referrers.
 *
 * Both answers are untrusted: size-capped while reading (RegistryClient), JSON and
 * shape validated with zod, media type checked, descriptor count bounded, duplicates
 * dropped. A listing only says what the registry claims: fetch each referrer with
 * {@link fetchReferrer}, which checks that its `subject` really is the image.
 */
import { z } from 'zod';
import { SigscopeError, printable } from '../errors';
import { JsonLimitError, parseBoundedJson } from '../net/json';
import type { RegistryClient } from './client';
import { parseDigest } from './digest';
import { LIMITS, isIndex, ociImageIndexSchema, type Descriptor, type OciImageManifest } from './manifest';
import { OCI_INDEX, OCI_MANIFEST } from './media-types';
import type { RepositoryLocator } from './reference';

export type ReferrersSource = 'api' | 'tag-fallback' | 'none';

export interface ListReferrersOptions {
  /** Keep only referrers of this artifact type (asked of the API, and enforced here either way). */
  artifactType?: string;
  /** More descriptors than this is an error (SIZE_LIMIT). Default 1024. */
  maxReferrers?: number;
  /** Cap on the bytes read (all API pages together, or the fallback index). Default: the client's maxManifestBytes. */
  maxBytes?: number;
}

export interface ReferrersResult {
  /** Where the list came from: the referrers API, the tag-schema index, or nowhere (neither exists). */
  source: ReferrersSource;
  descriptors: Descriptor[];
  /**
   * True when `descriptors` are restricted to `artifactType`: always when one was
   * asked for (a registry that ignores the filter is filtered here).
   */
  filtered: boolean;
  /** Who applied the filter: the registry (OCI-Filters-Applied: artifactType) or this client. */
  filteredBy?: 'registry' | 'client';
  /** Digest of the tag-schema index (source 'tag-fallback'), e.g. to update it. */
  indexDigest?: string;
}

export const DEFAULT_MAX_REFERRERS = LIMITS.manifests;

// The same grammar as descriptor media types (RFC 6838 type/subtype, no parameters).
const ARTIFACT_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/**
 * Tag of the referrers tag schema for a digest: `<alg>-<hex>`, the algorithm cut to
 * 32 characters and the hex to 64 (distribution-spec), so sha256:ab… → "sha256-ab…".
 */
export function referrersTag(subjectDigest: string): string {
  const { algorithm, hex } = parseDigest(subjectDigest);
  return `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`;
}

/** Lists the referrers of `subjectDigest` in `repo` (API, else tag schema, else none). */
export async function listReferrers(client: RegistryClient, repo: RepositoryLocator, subjectDigest: string, opts: ListReferrersOptions = {}): Promise<ReferrersResult> {
  parseDigest(subjectDigest);
  const { artifactType } = opts;
  if (artifactType !== undefined && !ARTIFACT_TYPE_RE.test(artifactType)) {
    throw new SigscopeError('INVALID_INPUT', `artifact type "${printable(artifactType, 100)}" is not a media type (type/subtype, without parameters)`);
  }
  const maxReferrers = opts.maxReferrers ?? DEFAULT_MAX_REFERRERS;
  if (!Number.isInteger(maxReferrers) || maxReferrers < 1) throw new SigscopeError('INVALID_INPUT', `maxReferrers must be a positive integer, got ${maxReferrers}`);
  const where = `${repo.registry}/${repo.repository}@${subjectDigest}`;

  const pages = await client.fetchReferrersApi(repo, subjectDigest, { artifactType, maxBytes: opts.maxBytes });
  if (pages !== null) {
    const all: Descriptor[] = [];
    let registryFiltered = artifactType !== undefined;
    for (const [i, page] of pages.entries()) {
      const what = `the referrers API answer for ${where}${pages.length > 1 ? ` (page ${i + 1})` : ''}`;
      if (page.contentType !== undefined && page.contentType !== OCI_INDEX) {
        throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what} has Content-Type ${printable(page.contentType, 100)}, expected ${OCI_INDEX}`);
      }
      all.push(...parseReferrersIndex(page.bytes, what, maxReferrers - all.length, maxReferrers));
      if (!page.filtersApplied.includes('artifacttype')) registryFiltered = false;
    }
    return finish('api', all, artifactType, registryFiltered);
  }

  const tag = referrersTag(subjectDigest);
  const raw = await client.getRawManifest(repo, tag, { maxBytes: opts.maxBytes });
  if (raw === null) return { source: 'none', descriptors: [], filtered: artifactType !== undefined };
  const what = `the referrers index at tag ${tag} (${repo.registry}/${repo.repository}; the registry has no referrers API)`;
  if (raw.contentType !== undefined && raw.contentType !== OCI_INDEX) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what} is served as ${printable(raw.contentType, 100)}, expected an OCI image index (${OCI_INDEX})`);
  }
  const descriptors = parseReferrersIndex(raw.bytes, what, maxReferrers, maxReferrers);
  return { ...finish('tag-fallback', descriptors, artifactType, false), indexDigest: raw.digest };
}

/**
 * Fetches one listed referrer manifest by digest and checks it is what the listing
 * claims: an OCI manifest whose `subject` is `subjectDigest` and whose artifact type
 * (artifactType, else config media type) is the descriptor's. A referrers index is
 * written by whoever can push a tag, so this check is what ties an artifact to the image.
 */
export async function fetchReferrer(
  client: RegistryClient,
  repo: RepositoryLocator,
  subjectDigest: string,
  descriptor: Descriptor,
): Promise<{ digest: string; manifest: OciImageManifest; artifactType: string; bytes: Buffer }> {
  const got = await client.getManifest(repo, descriptor.digest);
  const what = `referrer ${descriptor.digest} of ${repo.registry}/${repo.repository}@${subjectDigest}`;
  const m = got.manifest;
  if (isIndex(m) || m.mediaType !== OCI_MANIFEST) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what} is a ${got.mediaType}, not an OCI image manifest`);
  }
  if (m.subject?.digest !== subjectDigest) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what} does not refer to this image: its subject is ${m.subject ? m.subject.digest : 'missing'}`);
  }
  const artifactType = m.artifactType ?? m.config.mediaType;
  if (descriptor.artifactType !== undefined && descriptor.artifactType !== artifactType) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what} is listed as ${printable(descriptor.artifactType, 100)} but its manifest says ${printable(artifactType, 100)}`);
  }
  return { digest: got.digest, manifest: m, artifactType, bytes: got.bytes };
}

function finish(source: 'api' | 'tag-fallback', all: Descriptor[], artifactType: string | undefined, registryFiltered: boolean): ReferrersResult {
  const seen = new Set<string>();
  const unique = all.filter((d) => !seen.has(d.digest) && (seen.add(d.digest), true));
  if (artifactType === undefined) return { source, descriptors: unique, filtered: false };
  return {
    source,
    // Even when the registry says it filtered, a stray entry must not get through.
    descriptors: unique.filter((d) => d.artifactType === artifactType),
    filtered: true,
    filteredBy: registryFiltered ? 'registry' : 'client',
  };
}

/**
 * An OCI image index listing referrers: JSON object, mediaType (when present) the OCI
 * index type, at most `room` descriptors (counted before the schema runs, so a huge
 * list fails with a size error rather than a schema dump).
 */
function parseReferrersIndex(bytes: Buffer, what: string, room: number, maxReferrers: number): Descriptor[] {
  let json: unknown;
  try {
    json = parseBoundedJson(bytes);
  } catch (e) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', e instanceof JsonLimitError ? `${what} is ${e.message}` : `${what} is not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what} is not a JSON object (expected an OCI image index)`);
  }
  const body = json as Record<string, unknown>;
  if (body.mediaType !== undefined && body.mediaType !== OCI_INDEX) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what} declares mediaType ${printable(String(body.mediaType), 100)}, expected an OCI image index (${OCI_INDEX})`);
  }
  if (Array.isArray(body.manifests) && body.manifests.length > room) {
    throw new SigscopeError('SIZE_LIMIT', `${what} lists more than ${maxReferrers} referrers (${body.manifests.length}${room < maxReferrers ? ' more' : ''}); refusing to process it`, {
      details: { maxReferrers },
    });
  }
  const parsed = ociImageIndexSchema.safeParse(body);
  if (!parsed.success) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what} is not a valid OCI image index: ${z.prettifyError(parsed.error).replace(/\s*\n\s*/g, ' ').slice(0, 400)}`);
  }
  return parsed.data.manifests;
}
