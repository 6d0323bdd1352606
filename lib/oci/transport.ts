/**
 * HTTP to registries: the outbound guard (lib/net/outbound.ts: no loopback,
 * private or metadata addresses unless allowed, connections pinned to checked
 * addresses, checked again on every redirect hop), scheme policy (HTTPS unless
 * a host is explicitly allowed plain HTTP), per-attempt timeout and a total time
 * budget across retries, bounded retries for idempotent requests,
 * redirects followed by hand so the scheme policy applies to every hop and
 * credentials never follow a redirect to another origin, and bounded body
 * reads. Every failure becomes a SigscopeError a person can act on.
 */
import { SigscopeError } from '../errors';
import { wireFromFetch, type OutboundPolicy, type WireResponse } from '../net/outbound';
import { Digester } from './digest';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TransportOptions {
  allowHttp: readonly string[];
  timeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  /** Total time for one send() across attempts and waits. */
  totalTimeoutMs: number;
  /** Checks and pins every connection. */
  outbound: OutboundPolicy;
  /** Only for unit tests of retry/auth: replaces the guarded fetch (and with it the guard). */
  fetch?: typeof fetch;
  userAgent: string;
}

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Names the object for messages, e.g. "manifest app:1.2 on 127.0.0.1:5000". */
  what: string;
  /** Names the server in outbound-guard refusals; default "registry". */
  peer?: string;
}

export interface SentResponse {
  response: WireResponse;
  /** Final URL after redirects (Link headers resolve against it). */
  url: string;
  signal: AbortSignal;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED',
]);
// What OpenSSL reports when an HTTPS client talks to a plain-HTTP server.
const PLAIN_HTTP_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);
const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** "Host:80" and "host" are the same plain-HTTP endpoint. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/:80$/, '');
}

export class Transport {
  private readonly httpHosts: Set<string>;

  constructor(private readonly options: TransportOptions) {
    this.httpHosts = new Set(options.allowHttp.map(normalizeHost));
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  isHttpAllowed(host: string): boolean {
    return this.httpHosts.has(normalizeHost(host));
  }

  /** "http://host" for hosts allowed plain HTTP, else "https://host". */
  baseUrl(host: string): string {
    return `${this.isHttpAllowed(host) ? 'http' : 'https'}://${host}`;
  }

  /** Throws unless `url` may be requested under the scheme policy. */
  assertUrlAllowed(url: URL, what: string): void {
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:') {
      if (this.isHttpAllowed(url.host)) return;
      throw httpNotAllowed(url.host, `${what} would be fetched over plain HTTP (${url.origin})`);
    }
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: refusing to follow a ${url.protocol} URL`);
  }

  /**
   * Sends a request; answers of any status are returned with the body unread.
   * GET/HEAD are retried on network errors, 429 and 5xx (uploads are not idempotent).
   */
  async send(req: HttpRequest): Promise<SentResponse> {
    const idempotent = req.method === 'GET' || req.method === 'HEAD';
    const attempts = idempotent ? this.options.maxRetries + 1 : 1;
    const deadline = Date.now() + this.options.totalTimeoutMs;
    // Another attempt only when its wait still fits in the total budget.
    const fits = (delayMs: number) => Date.now() + delayMs < deadline;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      let sent: SentResponse;
      try {
        sent = await this.sendFollowingRedirects(req);
      } catch (e) {
        const delay = this.backoffMs(attempt);
        if (!last && e instanceof SigscopeError && e.details?.retryable === true && fits(delay)) {
          await sleep(delay);
          continue;
        }
        throw e;
      }
      const status = sent.response.status;
      if (!last && (status === 429 || status >= 500)) {
        const delay = this.retryAfterMs(sent.response) ?? this.backoffMs(attempt);
        if (fits(delay)) {
          await discard(sent.response);
          await sleep(delay);
          continue;
        }
      }
      return sent;
    }
  }

  private async sendFollowingRedirects(req: HttpRequest): Promise<SentResponse> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let url = new URL(req.url);
    const headers: Record<string, string> = { 'User-Agent': this.options.userAgent, ...req.headers };
    for (let hop = 0; ; hop++) {
      this.assertUrlAllowed(url, req.what);
      let response: WireResponse;
      try {
        response = this.options.fetch
          ? wireFromFetch(
              await this.options.fetch(url, {
                method: req.method,
                headers,
                // A copy typed as ArrayBuffer-backed, which BodyInit requires.
                body: req.body === undefined ? undefined : new Uint8Array(req.body),
                redirect: 'manual',
                signal,
              }),
            )
          : await this.options.outbound.request(url, { method: req.method, headers, ...(req.body ? { body: req.body } : {}), signal }, req.peer ?? 'registry');
      } catch (e) {
        throw this.networkError(e, url.host, req.what, signal);
      }
      const location = response.headers.get('location');
      const followable = req.method === 'GET' || req.method === 'HEAD';
      if (!followable || !REDIRECT_STATUSES.has(response.status) || !location) {
        return { response, url: url.toString(), signal };
      }
      await discard(response);
      if (hop >= MAX_REDIRECTS) {
        throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${req.what}: more than ${MAX_REDIRECTS} redirects from ${url.host}`);
      }
      const next = new URL(location, url);
      // A token for the registry must not reach a CDN or any other origin.
      if (next.origin !== url.origin) delete headers.Authorization;
      url = next;
    }
  }

  /** Maps a fetch rejection to a SigscopeError; `details.retryable` marks transient ones. */
  networkError(e: unknown, host: string, what: string, signal?: AbortSignal): SigscopeError {
    if (e instanceof SigscopeError) return e;
    if (isTimeout(e, signal)) {
      return new SigscopeError(
        'TIMEOUT',
        `registry ${host} did not answer within ${formatSeconds(this.options.timeoutMs)} (${what}) — it may be overloaded or unreachable; try again or raise the timeout`,
        { cause: e },
      );
    }
    const code = errorCode(e);
    if (code && PLAIN_HTTP_TLS_CODES.has(code)) {
      return httpNotAllowed(host, `registry ${host} answered an HTTPS request with plain HTTP (${what})`);
    }
    if (code && TLS_TRUST_CODES.has(code)) {
      return new SigscopeError(
        'REGISTRY_UNREACHABLE',
        `the TLS certificate of registry ${host} is not accepted (${code}) — if it is issued by a private CA, point NODE_EXTRA_CA_CERTS at that CA's PEM file`,
        { cause: e },
      );
    }
    const reason =
      code === 'ECONNREFUSED' ? 'connection refused — is the registry running and is the port right?'
      : code === 'ENOTFOUND' ? 'the host name does not resolve — check the spelling'
      : code === 'EAI_AGAIN' ? 'DNS lookup failed temporarily'
      : code ? `network error ${code}`
      : `network error: ${causeMessage(e)}`;
    return new SigscopeError('REGISTRY_UNREACHABLE', `cannot reach registry ${host} (${what}): ${reason}`, {
      cause: e,
      details: { retryable: code !== undefined && RETRYABLE_NETWORK_CODES.has(code), code },
    });
  }

  /**
   * Reads the body, refusing it as soon as it grows past `maxBytes` (never
   * buffers more than that). When `digester` is given every chunk is hashed.
   */
  async readBody(sent: SentResponse, maxBytes: number, what: string, host: string, digester?: Digester): Promise<Buffer> {
    const { response } = sent;
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await discard(response);
      throw sizeLimit(what, `${declared} bytes`, maxBytes);
    }
    if (!response.body) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const value of response.body) {
        total += value.byteLength;
        if (total > maxBytes) {
          await response.cancel();
          throw sizeLimit(what, `more than ${maxBytes} bytes`, maxBytes);
        }
        digester?.update(value);
        chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }
    } catch (e) {
      if (e instanceof SigscopeError) throw e;
      const err = this.networkError(e, host, `${what}, while reading the body`, sent.signal);
      if (err.code !== 'REGISTRY_UNREACHABLE') throw err;
      // The answer started and then the connection went away: say so (it is retried like any reset).
      throw new SigscopeError('REGISTRY_UNREACHABLE', `registry ${host} closed the connection after ${total} bytes of ${what}${Number.isFinite(declared) ? ` (of ${declared} announced)` : ''} — the answer was truncated; try again`, {
          cause: e,
        details: { ...err.details, truncatedAfter: total },
      });
    }
    return Buffer.concat(chunks, total);
  }

  private backoffMs(attempt: number): number {
    const base = this.options.retryBaseDelayMs * 2 ** (attempt - 1);
    return Math.min(this.options.maxRetryDelayMs, base + Math.random() * this.options.retryBaseDelayMs);
  }

  /** Retry-After, capped so a registry cannot stall us (the total budget bounds it too). */
  private retryAfterMs(response: WireResponse): number | undefined {
    const ms = retryAfterMs(response);
    return ms === undefined ? undefined : Math.min(ms, this.options.maxRetryDelayMs);
  }
}

/** Retry-After (delta-seconds or HTTP date) in milliseconds, or undefined when absent or unreadable. */
export function retryAfterMs(response: Pick<WireResponse, 'headers'>): number | undefined {
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  if (!Number.isFinite(ms)) return undefined;
  return Math.max(ms, 0);
}

export function httpNotAllowed(host: string, what: string): SigscopeError {
  return new SigscopeError(
    'REGISTRY_HTTP_NOT_ALLOWED',
    `${what}; Sigscope only talks HTTPS to registries unless you allow plain HTTP for this one with --allow-http-registry ${host} (only do that for a registry on a trusted network)`,
  );
}

export function sizeLimit(what: string, found: string, maxBytes: number): SigscopeError {
  return new SigscopeError('SIZE_LIMIT', `${what} is ${found}, over the limit of ${maxBytes} bytes — refusing to download it; raise the limit only if you expect objects this large`, {
    details: { maxBytes },
  });
}

/** Drops an unread body so the connection can be reused. */
export async function discard(response: WireResponse): Promise<void> {
  await response.cancel().catch(() => undefined);
}

function isTimeout(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return e instanceof Error && (e.name === 'TimeoutError' || (e.cause instanceof Error && e.cause.name === 'TimeoutError'));
}

/** The system error code inside fetch's "fetch failed" TypeError (or its AggregateError). */
function errorCode(e: unknown): string | undefined {
  const candidates: unknown[] = [e];
  if (e instanceof Error) {
    candidates.push(e.cause);
    const cause = e.cause as { errors?: unknown[] } | undefined;
    if (cause && Array.isArray(cause.errors)) candidates.push(...cause.errors);
  }
  for (const c of candidates) {
    const code = (c as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return undefined;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** fetch() wraps the real reason ("bad port", a socket error) in `cause`. */
function causeMessage(e: unknown): string {
  const cause = (e as { cause?: unknown } | null)?.cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
}
