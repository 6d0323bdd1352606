/**
 * Bounded HTTP for transparency logs (Rekor v1 API, Rekor v2 tiles), with the
 * discipline of lib/oci/transport.ts: the outbound guard (no private or metadata
 * addresses unless allowed, pinned connections), HTTPS unless the host is loopback or
 * explicitly allowed plain HTTP, a timeout per attempt that covers the body too,
 * bounded retries with capped backoff (Retry-After honoured, capped) on network
 * errors, 429 and 5xx, and bodies read to a byte limit and no further.
 *
 * lib/oci's Transport is not reused because its errors and advice are about
 * registries (REGISTRY_* codes, --allow-http-registry), it never retries a POST
 * (Rekor's search and retrieve are read-only POSTs) and it follows redirects,
 * which a log client has no reason to: an API that redirects is reported, with
 * the address to configure instead.
 */
import { z } from 'zod';
import { SigscopeError, printable } from '../errors';
import { configuredOutboundPolicy } from '../net/configured';
import type { OutboundPolicy } from '../net/outbound';
import { JsonLimitError, parseBoundedJson } from '../net/json';

export interface RekorHttpOptions {
  /** The log's base URL, e.g. https://rekor.sigstore.dev or http://127.0.0.1:3000. */
  baseUrl: string;
  /** Only for tests: replaces the guarded fetch, and with it the outbound guard. */
  fetch?: typeof fetch;
  /** Which loopback/private hosts may be reached; default the configured policy (lib/net/configured.ts). */
  outbound?: OutboundPolicy;
  /** Per attempt, including reading the body. */
  timeoutMs: number;
  /** Further attempts after the first, for network errors, 429 and 5xx. */
  maxRetries: number;
  /** Hosts ("host" or "host:port") that may be reached over plain HTTP besides loopback. */
  allowHttp?: readonly string[];
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
  userAgent?: string;
}

export interface RequestOptions {
  /** Names the object for messages, e.g. "entry 1234". */
  what: string;
  maxBytes: number;
  query?: Record<string, string>;
  /** JSON body: makes the request a POST. */
  json?: unknown;
  accept?: string;
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED',
]);
const MAX_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_RETRIES = 10;

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export class RekorHttp {
  readonly baseUrl: URL;
  readonly host: string;
  private readonly fetchFn: typeof fetch;
  private readonly retryBaseDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly userAgent: string;

  constructor(
    private readonly options: RekorHttpOptions,
    /** "Rekor log", "Rekor v2 log": how messages name the server. */
    private readonly label = 'Rekor log',
  ) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new SigscopeError('INVALID_INPUT', `the ${label} URL ${printable(String(options.baseUrl), 200)} is not a URL`);
    }
    if (url.username || url.password) throw new SigscopeError('INVALID_INPUT', `the ${label} URL must not contain credentials`);
    if (url.search || url.hash) throw new SigscopeError('INVALID_INPUT', `the ${label} URL must not have a query or fragment: give the base address, e.g. https://rekor.sigstore.dev`);
    if (url.protocol === 'http:') {
      const allowed = new Set((options.allowHttp ?? []).map((h) => h.trim().toLowerCase()));
      if (!isLoopbackHost(url.hostname) && !allowed.has(url.host.toLowerCase()) && !allowed.has(url.hostname.toLowerCase())) {
        throw new SigscopeError(
          'INVALID_INPUT',
          `the ${label} ${url.host} would be reached over plain HTTP; Sigscope talks HTTPS to transparency logs except on loopback or a host you explicitly allow plain HTTP`,
        );
      }
    } else if (url.protocol !== 'https:') {
      throw new SigscopeError('INVALID_INPUT', `the ${label} URL must be https:// (or http:// on loopback), not ${printable(url.protocol, 20)}`);
    }
    if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1 || options.timeoutMs > MAX_TIMEOUT_MS) {
      throw new SigscopeError('INVALID_INPUT', `timeoutMs must be an integer between 1 and ${MAX_TIMEOUT_MS}`);
    }
    if (!Number.isInteger(options.maxRetries) || options.maxRetries < 0 || options.maxRetries > MAX_RETRIES) {
      throw new SigscopeError('INVALID_INPUT', `maxRetries must be an integer between 0 and ${MAX_RETRIES}`);
    }
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    this.baseUrl = url;
    this.host = url.host;
    // Every connection is checked and pinned by the outbound guard (lib/net/outbound.ts).
    this.fetchFn = options.fetch ?? (options.outbound ?? configuredOutboundPolicy()).fetcher(label);
    this.retryBaseDelayMs = Math.max(0, options.retryBaseDelayMs ?? 200);
    this.maxRetryDelayMs = Math.max(0, options.maxRetryDelayMs ?? 5000);
    this.userAgent = options.userAgent ?? 'sigscope/0.1';
  }

  /** `path` is relative to the base URL ("api/v1/log"). */
  url(path: string, query?: Record<string, string>): URL {
    const u = new URL(path.replace(/^\/+/, ''), this.baseUrl);
    for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, v);
    return u;
  }

  /** Sends the request (retrying transient failures) and returns the body of a 2xx answer. */
  async request(path: string, req: RequestOptions): Promise<Buffer> {
    const url = this.url(path, req.query);
    const attempts = this.options.maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      let outcome: { body: Buffer } | { retry: SigscopeError; delayMs?: number };
      try {
        outcome = await this.attempt(url, req);
      } catch (e) {
        const err = e instanceof SigscopeError ? e : this.networkError(e, req.what);
        if (!last && err.details?.retryable === true) {
          await sleep(this.backoffMs(attempt));
          continue;
        }
        throw err;
      }
      if ('body' in outcome) return outcome.body;
      if (last) {
        const err = outcome.retry;
        throw new SigscopeError(err.code, attempts > 1 ? `${err.message} (after ${attempts} attempts)` : err.message, { details: err.details });
      }
      await sleep(outcome.delayMs ?? this.backoffMs(attempt));
    }
  }

  /** request() then JSON.parse and zod: a body that does not match is REKOR_BAD_RESPONSE. */
  async requestJson<T>(path: string, schema: z.ZodType<T>, req: RequestOptions): Promise<T> {
    const body = await this.request(path, { ...req, accept: 'application/json' });
    let json: unknown;
    try {
      json = parseBoundedJson(body);
    } catch (e) {
      throw this.badResponse(e instanceof JsonLimitError ? `${req.what}: the answer is ${e.message}` : `${req.what}: the answer is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.badResponse(`${req.what}: the answer does not have the expected shape (at ${issue?.path.join('.') || '(root)'}: ${issue?.message})`);
    }
    return parsed.data;
  }

  badResponse(message: string, details?: Record<string, unknown>): SigscopeError {
    return new SigscopeError('REKOR_BAD_RESPONSE', `${this.label} ${this.host} sent a bad answer — ${message}`, { details });
  }

  private async attempt(url: URL, req: RequestOptions): Promise<{ body: Buffer } | { retry: SigscopeError; delayMs?: number }> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const headers: Record<string, string> = { 'User-Agent': this.userAgent, Accept: req.accept ?? '*/*' };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(req.json);
    }
    let response: Response;
    try {
      response = await this.fetchFn(url, { method: body === undefined ? 'GET' : 'POST', headers, body, redirect: 'manual', signal });
    } catch (e) {
      throw this.networkError(e, req.what, signal);
    }
    const status = response.status;
    if (status >= 200 && status < 300) return { body: await this.readBody(response, req, signal) };
    const text = await this.readErrorText(response, signal);
    if (status === 429 || status >= 500) {
      return {
        retry: new SigscopeError('REKOR_UNREACHABLE', `${this.label} ${this.host} answered HTTP ${status} to ${req.what}${text ? `: ${text}` : ''} — the log is failing or rate-limiting; try again later`, {
          details: { status },
        }),
        delayMs: this.retryAfterMs(response),
      };
    }
    if (status === 404) {
      throw new SigscopeError('REKOR_NOT_FOUND', `${req.what} is not in ${this.label} ${this.host} (HTTP 404)${text ? `: ${text}` : ''}`, { details: { status } });
    }
    if (status >= 300 && status < 400) {
      const location = response.headers.get('location');
      throw this.badResponse(`${req.what}: HTTP ${status} redirect${location ? ` to ${printable(location, 200)}` : ''}; Sigscope does not follow redirects from a transparency log — configure the log's final address instead`, { status });
    }
    throw this.badResponse(`${req.what}: HTTP ${status}${text ? `: ${text}` : ''}`, { status });
  }

  /** Reads at most maxBytes, refusing the body as soon as it grows past that. */
  private async readBody(response: Response, req: RequestOptions, signal: AbortSignal): Promise<Buffer> {
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > req.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw sizeLimit(req.what, `${declared} bytes`, req.maxBytes, this.label, this.host);
    }
    if (!response.body) return Buffer.alloc(0);
    const reader = response.body.getReader();
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > req.maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw sizeLimit(req.what, `more than ${req.maxBytes} bytes`, req.maxBytes, this.label, this.host);
        }
        chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }
    } catch (e) {
      if (e instanceof SigscopeError) throw e;
      throw this.networkError(e, `${req.what}, while reading the answer`, signal);
    }
    return Buffer.concat(chunks, total);
  }

  /** The first few hundred bytes of an error answer, made printable (Rekor sends {code, message}). */
  private async readErrorText(response: Response, signal: AbortSignal): Promise<string> {
    try {
      const body = await this.readBody(response, { what: 'error', maxBytes: 16 * 1024 }, signal);
      const text = body.toString('utf8');
      try {
        const j = JSON.parse(text) as { message?: unknown };
        if (typeof j.message === 'string') return printable(j.message, 300);
      } catch {
        // not JSON: show the text
      }
      return printable(text.trim(), 300);
    } catch {
      await response.body?.cancel().catch(() => undefined);
      return '';
    }
  }

  private networkError(e: unknown, what: string, signal?: AbortSignal): SigscopeError {
    if (e instanceof SigscopeError) return e;
    if (signal?.aborted || (e instanceof Error && (e.name === 'TimeoutError' || (e.cause instanceof Error && e.cause.name === 'TimeoutError')))) {
      return new SigscopeError('TIMEOUT', `${this.label} ${this.host} did not answer within ${this.options.timeoutMs} ms (${what}) — it may be overloaded or unreachable; try again or raise the timeout`, { cause: e });
    }
    const code = errorCode(e);
    const reason =
      code === 'ECONNREFUSED' ? 'connection refused — is the log running and is the port right?'
      : code === 'ENOTFOUND' ? 'the host name does not resolve — check the spelling'
      : code ? `network error ${code}`
      : `network error: ${causeMessage(e)}`;
    return new SigscopeError('REKOR_UNREACHABLE', `cannot reach ${this.label} ${this.host} (${what}): ${reason}`, {
      cause: e,
      details: { retryable: code !== undefined && RETRYABLE_NETWORK_CODES.has(code), code },
    });
  }

  private backoffMs(attempt: number): number {
    const base = this.retryBaseDelayMs * 2 ** (attempt - 1);
    return Math.min(this.maxRetryDelayMs, base + Math.random() * this.retryBaseDelayMs);
  }

  private retryAfterMs(response: Response): number | undefined {
    const value = response.headers.get('retry-after')?.trim();
    if (!value) return undefined;
    const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
    if (!Number.isFinite(ms)) return undefined;
    return Math.min(Math.max(ms, 0), this.maxRetryDelayMs);
  }
}

function sizeLimit(what: string, found: string, maxBytes: number, label: string, host: string): SigscopeError {
  return new SigscopeError('SIZE_LIMIT', `${label} ${host} sent ${found} for ${what}, over the limit of ${maxBytes} bytes — refusing to read it`, { details: { maxBytes } });
}

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

function causeMessage(e: unknown): string {
  const cause = (e as { cause?: unknown } | null)?.cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
