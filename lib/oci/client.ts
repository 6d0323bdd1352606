/**
 * Read (and, for the sandbox, write) access to an OCI Distribution registry.
 *
 * Everything that comes back is treated as hostile: bodies are size-capped
 * while streaming, content is checked against its digest, JSON is validated
 * with zod, and failures carry a SigscopeError code plus a message that says
 * what to do.
 */
import { z } from 'zod';
import { SigscopeError } from '../errors';
import { configuredOutboundPolicy } from '../net/configured';
import type { OutboundPolicy } from '../net/outbound';
import { JsonLimitError, parseBoundedJson } from '../net/json';
import { RegistryAuth, type AuthTarget, type RegistryCredentials } from './auth';
import { Digester, computeDigest, digestMismatch, parseDigest, sha256Digest, verifyDigest } from './digest';
import { nextLinkUrl } from './link-header';
import { parseManifest, type IndexManifest, type Manifest } from './manifest';
import { MANIFEST_ACCEPT, OCI_INDEX, baseMediaType, type ManifestMediaType } from './media-types';
import { resolvePlatforms, type PlatformManifest } from './platforms';
import { apiHostFor, assertRegistryHost, assertRepositoryName, isValidTag, referenceTarget, type ImageReference, type RepositoryLocator } from './reference';
import { errorFromResponse } from './registry-errors';
import { Transport, discard, normalizeHost, sizeLimit, type HttpMethod, type SentResponse } from './transport';

export interface RegistryClientOptions {
  /** Remember registries that lack the referrers API for this client's lifetime (a scan's client). */
  rememberReferrersSupport?: boolean;
  /** Registry hosts (host[:port]) that may be reached over plain HTTP; all others are HTTPS only. */
  allowHttp?: string[];
  /** Credentials per registry host (e.g. "ghcr.io", "127.0.0.1:5000"). */
  credentials?: Record<string, RegistryCredentials>;
  /** Per request attempt, including reading the body. Default SIGSCOPE_REGISTRY_TIMEOUT_MS, else 15000. */
  timeoutMs?: number;
  /** Extra attempts for GET/HEAD on network errors, 429 and 5xx. Default 2. */
  maxRetries?: number;
  /** First backoff delay; doubles per attempt. Default 250. */
  retryBaseDelayMs?: number;
  /** Cap on any backoff or Retry-After wait. Default 5000. */
  maxRetryDelayMs?: number;
  /** Default 4 MiB. */
  maxManifestBytes?: number;
  /** Default 16 MiB. */
  maxBlobBytes?: number;
  /** Total time for one request across retries and waits. Default 4 × timeoutMs. */
  totalTimeoutMs?: number;
  /**
   * Which loopback/private hosts may be reached (lib/net/outbound.ts). Default: the
   * configured policy (Settings → Allowed hosts plus SIGSCOPE_ALLOW_HOSTS).
   */
  outbound?: OutboundPolicy;
  /** Only for unit tests of retry/auth: replaces the guarded fetch, and with it the outbound guard. */
  fetch?: typeof fetch;
  userAgent?: string;
}

export interface ManifestResult {
  digest: string;
  mediaType: ManifestMediaType;
  size: number;
  bytes: Buffer;
  manifest: Manifest;
}

/** A manifest's bytes as served (digest-checked, not parsed). */
export interface RawManifest {
  digest: string;
  /** The response Content-Type without parameters, if any. */
  contentType?: string;
  size: number;
  bytes: Buffer;
  /** "manifest repo:tag from registry host", for error messages. */
  source: string;
}

/** One page of a referrers API answer, unparsed. */
export interface ReferrersApiPage {
  bytes: Buffer;
  contentType?: string;
  /** OCI-Filters-Applied values, lower-cased (e.g. ["artifacttype"]). */
  filtersApplied: string[];
  url: string;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface RegistryLocator {
  registry: string;
  apiHost?: string;
}

interface Endpoint {
  registry: string;
  apiHost: string;
}

interface Repo extends Endpoint {
  repository: string;
}

const MIB = 1024 * 1024;
const LIST_PAGE_MAX_BYTES = 8 * MIB;
const MAX_PAGES = 10_000;
const DEFAULT_MAX_LIST_ENTRIES = 100_000;
const REFERRERS_MAX_PAGES = 64;
/** First-page answers meaning "no referrers API here" (distribution-spec: 404; some registries 400/405). */
const REFERRERS_API_UNSUPPORTED = new Set([400, 404, 405]);

const tagListSchema = z.object({
  name: z.string().max(255),
  tags: z.array(z.string().refine(isValidTag, 'invalid tag')).max(DEFAULT_MAX_LIST_ENTRIES).nullable().optional(),
});

const catalogSchema = z.object({
  repositories: z
    .array(
      z.string().refine((r) => {
        try {
          assertRepositoryName(r);
          return true;
        } catch {
          return false;
        }
      }, 'invalid repository name'),
    )
    .max(DEFAULT_MAX_LIST_ENTRIES)
    .nullable()
    .optional(),
});

export class RegistryClient {
  /** API hosts that answered the referrers API with 404/400/405: they use the tag fallback. */
  private readonly referrersUnsupported = new Set<string>();
  private readonly rememberReferrersSupport: boolean;
  /** Tag lists a scan already read, per `apiHost/repository` (see useTagSnapshot). */
  private readonly tagSnapshots = new Map<string, { tags: ReadonlySet<string>; at: Date }>();
  readonly maxManifestBytes: number;
  readonly maxBlobBytes: number;
  private readonly maxRetries: number;
  private readonly transport: Transport;
  private readonly auth: RegistryAuth;

  constructor(options: RegistryClientOptions = {}) {
    this.rememberReferrersSupport = options.rememberReferrersSupport ?? false;
    const allowHttp = (options.allowHttp ?? []).map((h) => {
      if (/[/\s]/.test(h) || h.trim() === '') {
        throw new SigscopeError('INVALID_INPUT', `allowed HTTP registry "${h}" must be host or host:port, without scheme or path (e.g. 127.0.0.1:5000)`);
      }
      return normalizeHost(h);
    });
    this.maxManifestBytes = positive(options.maxManifestBytes, 4 * MIB, 'maxManifestBytes');
    this.maxBlobBytes = positive(options.maxBlobBytes, 16 * MIB, 'maxBlobBytes');
    this.maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 2));
    const timeoutMs = positive(options.timeoutMs ?? envMs('SIGSCOPE_REGISTRY_TIMEOUT_MS'), 15_000, 'timeoutMs');
    this.transport = new Transport({
      allowHttp,
      timeoutMs,
      maxRetries: this.maxRetries,
      retryBaseDelayMs: Math.max(0, options.retryBaseDelayMs ?? 250),
      maxRetryDelayMs: Math.max(0, options.maxRetryDelayMs ?? 5_000),
      totalTimeoutMs: positive(options.totalTimeoutMs, 4 * timeoutMs, 'totalTimeoutMs'),
      outbound: options.outbound ?? configuredOutboundPolicy(),
      fetch: options.fetch,
      userAgent: options.userAgent ?? 'sigscope/0.1',
    });
    this.auth = new RegistryAuth(this.transport, options.credentials);
  }

  /**
   * Fetches and validates a manifest. `tagOrDigest` defaults to the
   * reference's digest, else its tag. By digest, the bytes must hash to it; by
   * tag, the digest is computed from the bytes and checked against
   * Docker-Content-Digest when the registry sends one.
   */
  async getManifest(target: ImageReference | RepositoryLocator, tagOrDigest?: string, options?: { maxBytes?: number }): Promise<ManifestResult> {
    const absent = this.absentFromSnapshot(resolveRepo(target), resolveTagOrDigest(target, tagOrDigest));
    if (absent) throw absent;
    const raw = await this.fetchManifestBytesRetrying(resolveRepo(target), resolveTagOrDigest(target, tagOrDigest), options?.maxBytes);
    if ('sent' in raw) throw await this.failure(raw.sent, raw.repo, raw.what, notFoundHintFor(raw.ref));
    const manifest = parseManifest(raw.bytes, raw.contentType, raw.source);
    return { digest: raw.digest, mediaType: manifest.mediaType, size: raw.bytes.length, bytes: raw.bytes, manifest };
  }

  /**
   * A manifest's bytes, checked against its digest like getManifest but not parsed
   * (for callers that validate a specific shape themselves, e.g. referrers indexes);
   * null when the registry answers 404 (no such tag, digest or repository).
   */
  async getRawManifest(target: ImageReference | RepositoryLocator, tagOrDigest?: string, options?: { maxBytes?: number }): Promise<RawManifest | null> {
    if (this.inSnapshot(resolveRepo(target), resolveTagOrDigest(target, tagOrDigest)) === false) return null;
    const raw = await this.fetchManifestBytesRetrying(resolveRepo(target), resolveTagOrDigest(target, tagOrDigest), options?.maxBytes);
    if (!('sent' in raw)) return raw;
    if (raw.sent.response.status === 404) {
      await discard(raw.sent.response);
      return null;
    }
    throw await this.failure(raw.sent, raw.repo, raw.what, notFoundHintFor(raw.ref));
  }

  /**
   * The referrers API (OCI distribution-spec 1.1, `GET /v2/<name>/referrers/<digest>`),
   * following Link pagination: the raw pages, to be validated by the caller
   * (lib/oci/referrers.ts). Null when the registry does not implement the API: a 404,
   * 400 or 405 on the first page (Distribution 2.8 answers 404). `maxBytes` bounds all
   * pages together (default maxManifestBytes).
   */
  async fetchReferrersApi(
    target: RepositoryLocator,
    subjectDigest: string,
    options?: { artifactType?: string; maxBytes?: number; maxPages?: number },
  ): Promise<ReferrersApiPage[] | null> {
    const repo = resolveRepo(target);
    parseDigest(subjectDigest);
    const what = `referrers of ${repo.repository}@${subjectDigest}`;
    const query = options?.artifactType === undefined ? '' : `?artifactType=${encodeURIComponent(options.artifactType)}`;
    let budget = options?.maxBytes ?? this.maxManifestBytes;
    const maxPages = options?.maxPages ?? REFERRERS_MAX_PAGES;
    const pages: ReferrersApiPage[] = [];
    const seen = new Set<string>();
    // A registry without the API says so once; a scan does not ask it again for every image.
    if (this.rememberReferrersSupport && this.referrersUnsupported.has(repo.apiHost)) return null;
    let url: string | undefined = `${this.transport.baseUrl(repo.apiHost)}/v2/${repo.repository}/referrers/${subjectDigest}${query}`;
    while (url !== undefined) {
      if (seen.has(url) || seen.size >= maxPages) {
        throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: registry ${repo.registry} paginates in a loop or past ${maxPages} pages (page ${url})`);
      }
      seen.add(url);
      const sent = await this.request(repo, 'GET', url, pullScope(repo), what, { Accept: OCI_INDEX });
      const status = sent.response.status;
      if (pages.length === 0 && REFERRERS_API_UNSUPPORTED.has(status)) {
        await discard(sent.response);
        this.referrersUnsupported.add(repo.apiHost);
        return null;
      }
      if (status !== 200) throw await this.failure(sent, repo, what);
      const bytes = await this.transport.readBody(sent, budget, pages.length === 0 ? what : `${what} (all pages together)`, repo.registry);
      budget -= bytes.length;
      const filters = sent.response.headers.get('oci-filters-applied') ?? '';
      pages.push({
        bytes,
        contentType: baseMediaType(sent.response.headers.get('content-type')),
        filtersApplied: filters.split(',').map((f) => f.trim().toLowerCase()).filter(Boolean),
        url: sent.url,
      });
      try {
        url = nextLinkUrl(sent.response.headers.get('link'), sent.url);
      } catch (e) {
        throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return pages;
  }

  /** Digest, media type and size of a manifest without downloading it; null when it does not exist. */
  async headManifest(target: ImageReference | RepositoryLocator, tagOrDigest?: string): Promise<ManifestHead | null> {
    const repo = resolveRepo(target);
    const ref = resolveTagOrDigest(target, tagOrDigest);
    if (this.inSnapshot(repo, ref) === false) return null;
    const what = manifestWhat(repo, ref);
    const sent = await this.request(repo, 'HEAD', this.manifestUrl(repo, ref), pullScope(repo), what, { Accept: MANIFEST_ACCEPT });
    const status = sent.response.status;
    await discard(sent.response);
    if (status === 404) return null;
    if (status !== 200) throw await this.failure(sent, repo, what, notFoundHintFor(ref));

    const source = `${what} from registry ${repo.registry}`;
    const claimed = this.claimedDigest(sent, source);
    const size = Number(sent.response.headers.get('content-length') ?? NaN);
    const mediaType = baseMediaType(sent.response.headers.get('content-type'));
    if (ref.kind === 'digest' && claimed && claimed !== ref.value) throw digestMismatch(`${source} (HEAD)`, ref.value, claimed);
    const digest = ref.kind === 'digest' ? ref.value : claimed;
    if (!digest || !Number.isSafeInteger(size) || !mediaType) {
      // Some registries omit headers on HEAD: fall back to downloading the manifest.
      const full = await this.getManifest(repo, ref.value);
      return { digest: full.digest, mediaType: full.mediaType, size: full.size };
    }
    return { digest, mediaType, size };
  }

  /** A blob, hashed while streaming and refused as soon as it exceeds `maxBytes` (default maxBlobBytes). */
  async getBlob(target: RepositoryLocator, digest: string, maxBytes?: number): Promise<Buffer> {
    return this.retryingTruncated(() => this.getBlobOnce(target, digest, maxBytes));
  }

  private async getBlobOnce(target: RepositoryLocator, digest: string, maxBytes?: number): Promise<Buffer> {
    const repo = resolveRepo(target);
    const { algorithm } = parseDigest(digest);
    const what = `blob ${digest} of ${repo.repository}`;
    const url = `${this.transport.baseUrl(repo.apiHost)}/v2/${repo.repository}/blobs/${digest}`;
    const sent = await this.request(repo, 'GET', url, pullScope(repo), what);
    if (sent.response.status !== 200) throw await this.failure(sent, repo, what, 'the blob does not exist in this repository');
    const digester = new Digester(algorithm);
    const bytes = await this.transport.readBody(sent, maxBytes ?? this.maxBlobBytes, what, repo.registry, digester);
    const actual = digester.digest();
    if (actual !== digest) throw digestMismatch(`${what} from registry ${repo.registry}`, digest, actual);
    return bytes;
  }

  /** All tags of a repository, following Link pagination. */
  async listTags(target: RepositoryLocator, options?: { pageSize?: number; maxTags?: number }): Promise<string[]> {
    const repo = resolveRepo(target);
    const what = `tag list of ${repo.repository}`;
    const first = withPageSize(`${this.transport.baseUrl(repo.apiHost)}/v2/${repo.repository}/tags/list`, options?.pageSize);
    const limit = options?.maxTags ?? DEFAULT_MAX_LIST_ENTRIES;
    const tags: string[] = [];
    for await (const page of this.pages(repo, first, pullScope(repo), what, (json) => tagListSchema.parse(json).tags ?? [])) {
      tags.push(...page);
      if (tags.length > limit) throw sizeLimit(what, `more than ${limit} tags`, limit);
    }
    return tags;
  }

  /**
   * Makes this client trust a tag list it was given (read once by a scan, with listTags):
   * from now on a manifest asked for *by a tag not in the list* is answered "not found"
   * without a request. A scan lists each repository anyway, and most of the tags a
   * verifier probes (`.att`, `.sbom`, the referrers fallback tag) do not exist, so this
   * saves three 404s per image. The cost is a point-in-time view: an attachment pushed
   * after the listing is seen by the next scan. Digests are always asked for.
   */
  useTagSnapshot(target: RepositoryLocator, tags: Iterable<string>, at = new Date()): void {
    const repo = resolveRepo(target);
    this.tagSnapshots.set(`${repo.apiHost}/${repo.repository}`, { tags: new Set(tags), at });
  }

  hasTagSnapshot(target: RepositoryLocator): boolean {
    const repo = resolveRepo(target);
    return this.tagSnapshots.has(`${repo.apiHost}/${repo.repository}`);
  }

  /**
   * True when the repository's tag list, read for this scan, does not name `tag`: getManifest
   * would throw REGISTRY_NOT_FOUND without asking the registry. Lets callers looking for optional
   * attachments (.att, .sbom) skip building that error for every image.
   */
  isListedAbsent(target: RepositoryLocator, tag: string): boolean {
    return this.inSnapshot(resolveRepo(target), { kind: 'tag', value: tag }) === false;
  }

  /** Whether the tag list read for the repository names this tag; undefined without a list (or for a digest). */
  private inSnapshot(repo: Repo, ref: TagOrDigest): boolean | undefined {
    if (ref.kind !== 'tag') return undefined;
    return this.tagSnapshots.get(`${repo.apiHost}/${repo.repository}`)?.tags.has(ref.value);
  }

  private absentFromSnapshot(repo: Repo, ref: TagOrDigest): SigscopeError | null {
    if (this.inSnapshot(repo, ref) !== false) return null;
    const snapshot = this.tagSnapshots.get(`${repo.apiHost}/${repo.repository}`)!;
    return new SigscopeError(
      'REGISTRY_NOT_FOUND',
      `${manifestWhat(repo, ref)} from registry ${repo.registry}: the tag is not in the repository's tag list read at ${snapshot.at.toISOString()}`,
    );
  }

  /** Repository names from `/v2/_catalog`, one page at a time (`n` = pageSize). */
  async *catalogPages(target: RegistryLocator, options?: { pageSize?: number }): AsyncGenerator<string[]> {
    const endpoint = resolveEndpoint(target);
    const first = withPageSize(`${this.transport.baseUrl(endpoint.apiHost)}/v2/_catalog`, options?.pageSize);
    yield* this.pages(endpoint, first, 'registry:catalog:*', `catalog of ${endpoint.registry}`, (json) => catalogSchema.parse(json).repositories ?? []);
  }

  /** Every repository in the registry's catalog (bounded by maxRepositories, default 100000). */
  async catalog(target: RegistryLocator, options?: { pageSize?: number; maxRepositories?: number }): Promise<string[]> {
    const limit = options?.maxRepositories ?? DEFAULT_MAX_LIST_ENTRIES;
    const all: string[] = [];
    for await (const page of this.catalogPages(target, options)) {
      all.push(...page);
      if (all.length > limit) throw sizeLimit(`catalog of ${target.registry}`, `more than ${limit} repositories`, limit);
    }
    return all;
  }

  resolvePlatforms(index: IndexManifest): PlatformManifest[] {
    return resolvePlatforms(index);
  }

  // ---- push helpers (sandbox and tests) ----

  /** Uploads a blob (monolithic: POST to open an upload, PUT with the digest); skipped if already present. */
  async putBlob(target: RepositoryLocator, bytes: Uint8Array): Promise<string> {
    const repo = resolveRepo(target);
    const digest = sha256Digest(bytes);
    const what = `upload of blob ${digest} to ${repo.repository}`;
    const base = this.transport.baseUrl(repo.apiHost);
    const scope = pushScope(repo);

    const head = await this.request(repo, 'HEAD', `${base}/v2/${repo.repository}/blobs/${digest}`, scope, what);
    await discard(head.response);
    if (head.response.status === 200) return digest;

    const started = await this.request(repo, 'POST', `${base}/v2/${repo.repository}/blobs/uploads/`, scope, what);
    const location = started.response.headers.get('location');
    if (started.response.status !== 202 || !location) throw await this.failure(started, repo, what);
    await discard(started.response);

    const uploadUrl = new URL(location, started.url);
    if (uploadUrl.origin !== new URL(base).origin) {
      throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: registry ${repo.registry} sent the upload to another origin (${uploadUrl.origin}); refusing`);
    }
    uploadUrl.searchParams.set('digest', digest);
    const put = await this.request(repo, 'PUT', uploadUrl.toString(), scope, what, { 'Content-Type': 'application/octet-stream' }, bytes);
    if (put.response.status !== 201) throw await this.failure(put, repo, what);
    await discard(put.response);
    return digest;
  }

  /** Stores a manifest under a tag (or its digest) and returns its digest. */
  async putManifest(target: RepositoryLocator, tagOrDigest: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const repo = resolveRepo(target);
    const ref = resolveTagOrDigest(target, tagOrDigest);
    const digest = sha256Digest(bytes);
    const what = `upload of ${manifestWhat(repo, ref)}`;
    if (ref.kind === 'digest') verifyDigest(bytes, ref.value, what);
    const sent = await this.request(repo, 'PUT', this.manifestUrl(repo, ref), pushScope(repo), what, { 'Content-Type': mediaType }, bytes);
    if (sent.response.status !== 201) throw await this.failure(sent, repo, what);
    await discard(sent.response);
    const claimed = this.claimedDigest(sent, what);
    if (claimed && claimed !== digest) throw digestMismatch(`${what} (registry's Docker-Content-Digest)`, digest, claimed);
    return digest;
  }

  // ---- internals ----

  /** Sends with authorization; on a 401 answers the challenge and retries once. */
  private async request(
    endpoint: Endpoint,
    method: HttpMethod,
    url: string,
    scope: string,
    what: string,
    headers: Record<string, string> = {},
    body?: Uint8Array,
  ): Promise<SentResponse> {
    const target: AuthTarget = { apiHost: endpoint.apiHost, registry: endpoint.registry, scope, what };
    const sendHeaders = { ...headers };
    const upFront = await this.auth.authorizationFor(target);
    if (upFront) sendHeaders.Authorization = upFront;
    const first = await this.transport.send({ method, url, headers: sendHeaders, body, what });
    if (first.response.status !== 401) return first;

    const challenge = first.response.headers.get('www-authenticate');
    await discard(first.response);
    sendHeaders.Authorization = await this.auth.answerChallenge(challenge, target);
    const second = await this.transport.send({ method, url, headers: sendHeaders, body, what });
    if (second.response.status === 401) {
      await discard(second.response);
      this.auth.forget(target);
      const withCredentials = this.auth.hasCredentials(endpoint.registry, endpoint.apiHost);
      throw new SigscopeError(
        'REGISTRY_AUTH',
        `registry ${endpoint.registry} still answered 401 for ${what} after authenticating — ${
          withCredentials ? `the credentials configured for ${endpoint.registry} do not grant ${scope}` : `anonymous access is not allowed; configure credentials for ${endpoint.registry}`
        }`,
      );
    }
    return second;
  }

  private async *pages<T>(endpoint: Endpoint, firstUrl: string, scope: string, what: string, parse: (json: unknown) => T[]): AsyncGenerator<T[]> {
    const seen = new Set<string>();
    let url: string | undefined = firstUrl;
    while (url !== undefined) {
      if (seen.has(url) || seen.size >= MAX_PAGES) {
        throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: registry ${endpoint.registry} paginates in a loop (page ${url} again)`);
      }
      seen.add(url);
      const sent = await this.request(endpoint, 'GET', url, scope, what, { Accept: 'application/json' });
      if (sent.response.status !== 200) throw await this.failure(sent, endpoint, what);
      const bytes = await this.transport.readBody(sent, LIST_PAGE_MAX_BYTES, `a page of the ${what}`, endpoint.registry);
      let items: T[];
      try {
        items = parse(parseBoundedJson(bytes));
      } catch (e) {
        const why = e instanceof z.ZodError ? z.prettifyError(e).replace(/\s*\n\s*/g, ' ').slice(0, 300) : e instanceof JsonLimitError ? e.message : 'not valid JSON';
        throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: registry ${endpoint.registry} sent a malformed page: ${why}`);
      }
      try {
        url = nextLinkUrl(sent.response.headers.get('link'), sent.url);
      } catch (e) {
        throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
      yield items;
    }
  }

  /**
   * Runs `fn` again when an answer was cut off mid-body (the request itself already
   * retries network errors, 429 and 5xx; a truncated body surfaces only while reading).
   */
  private async retryingTruncated<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const truncated = e instanceof SigscopeError && e.details?.truncatedAfter !== undefined;
        if (!truncated || attempt >= this.maxRetries) throw e;
      }
    }
  }

  private fetchManifestBytesRetrying(repo: Repo, ref: TagOrDigest, maxBytes: number | undefined): ReturnType<RegistryClient['fetchManifestBytes']> {
    return this.retryingTruncated(() => this.fetchManifestBytes(repo, ref, maxBytes));
  }

  /** GET of a manifest, digest-checked; the response itself when the status is not 200. */
  private async fetchManifestBytes(
    repo: Repo,
    ref: TagOrDigest,
    maxBytes: number | undefined,
  ): Promise<RawManifest | { sent: SentResponse; repo: Repo; ref: TagOrDigest; what: string }> {
    const what = manifestWhat(repo, ref);
    const sent = await this.request(repo, 'GET', this.manifestUrl(repo, ref), pullScope(repo), what, { Accept: MANIFEST_ACCEPT });
    if (sent.response.status !== 200) return { sent, repo, ref, what };

    const bytes = await this.transport.readBody(sent, maxBytes ?? this.maxManifestBytes, what, repo.registry);
    const source = `${what} from registry ${repo.registry}`;
    let digest: string;
    if (ref.kind === 'digest') {
      verifyDigest(bytes, ref.value, source);
      digest = ref.value;
    } else {
      digest = sha256Digest(bytes);
      const claimed = this.claimedDigest(sent, source);
      if (claimed) {
        const actual = computeDigest(bytes, parseDigest(claimed).algorithm);
        if (actual !== claimed) throw digestMismatch(`${source} (Docker-Content-Digest header)`, claimed, actual);
      }
    }
    return { digest, contentType: baseMediaType(sent.response.headers.get('content-type')), size: bytes.length, bytes, source };
  }

  private manifestUrl(repo: Repo, ref: TagOrDigest): string {
    return `${this.transport.baseUrl(repo.apiHost)}/v2/${repo.repository}/manifests/${ref.value}`;
  }

  /** Docker-Content-Digest when present; a malformed one is a bad response. */
  private claimedDigest(sent: SentResponse, source: string): string | undefined {
    const header = sent.response.headers.get('docker-content-digest')?.trim();
    if (!header) return undefined;
    try {
      parseDigest(header);
    } catch {
      throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${source}: the Docker-Content-Digest header is not a valid digest`);
    }
    return header;
  }

  private failure(sent: SentResponse, endpoint: Endpoint, what: string, notFoundHint?: string): Promise<SigscopeError> {
    return errorFromResponse(sent, { host: endpoint.registry, what, notFoundHint }, this.transport);
  }
}

type TagOrDigest = { kind: 'tag' | 'digest'; value: string };

function resolveEndpoint(target: RegistryLocator): Endpoint {
  assertRegistryHost(target.registry);
  const apiHost = target.apiHost ?? apiHostFor(target.registry);
  if (apiHost !== target.registry) assertRegistryHost(apiHost);
  return { registry: target.registry, apiHost };
}

function resolveRepo(target: RepositoryLocator): Repo {
  assertRepositoryName(target.repository);
  return { ...resolveEndpoint(target), repository: target.repository };
}

function resolveTagOrDigest(target: ImageReference | RepositoryLocator, explicit: string | undefined): TagOrDigest {
  const fromRef = 'tag' in target || 'digest' in target ? referenceTarget(target as ImageReference) : undefined;
  const value = explicit ?? fromRef;
  if (value === undefined) {
    throw new SigscopeError('INVALID_REFERENCE', `no tag or digest given for ${target.registry}/${target.repository}`);
  }
  if (value.includes(':')) {
    parseDigest(value);
    return { kind: 'digest', value };
  }
  if (!isValidTag(value)) {
    throw new SigscopeError('INVALID_REFERENCE', `"${value.slice(0, 140)}" is neither a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}) nor a digest`);
  }
  return { kind: 'tag', value };
}

function manifestWhat(repo: Repo, ref: TagOrDigest): string {
  return `manifest ${repo.repository}${ref.kind === 'digest' ? '@' : ':'}${ref.value}`;
}

function notFoundHintFor(ref: TagOrDigest): string {
  // Distribution answers MANIFEST_UNKNOWN for a missing repository too, so mention both.
  return ref.kind === 'digest'
    ? 'no manifest with this digest exists in the repository (or the repository does not exist)'
    : 'the tag does not exist (or the repository does not exist)';
}

function pullScope(repo: Repo): string {
  return `repository:${repo.repository}:pull`;
}

function pushScope(repo: Repo): string {
  return `repository:${repo.repository}:pull,push`;
}

function withPageSize(url: string, pageSize: number | undefined): string {
  if (pageSize === undefined) return url;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) {
    throw new SigscopeError('INVALID_INPUT', `page size must be an integer from 1 to 10000, got ${pageSize}`);
  }
  return `${url}?n=${pageSize}`;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new SigscopeError('INVALID_INPUT', `${name} must be a positive number, got ${value}`);
  return value;
}

/** A positive millisecond count from the environment (an administrator's default), or undefined. */
function envMs(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new SigscopeError('INVALID_INPUT', `${name} must be a positive whole number of milliseconds, got "${raw.slice(0, 40)}"`);
  return n;
}
