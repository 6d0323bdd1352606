/**
 * Outbound guard: every request Sigscope makes to an address a user typed (a
 * registry, its token service, a Rekor log) goes through here.
 *
 * - Host names are resolved (all addresses) and each address must be public
 *   unicast, or allowed by an administrator (Settings → Allowed hosts, or
 *   SIGSCOPE_ALLOW_HOSTS). Loopback, private, link-local (cloud metadata),
 *   carrier-grade NAT, unspecified, multicast and reserved ranges are refused,
 *   also when written as IPv4-mapped IPv6.
 * - The connection goes to an address that was checked: the resolved list is
 *   handed to the socket through http.request's `lookup` hook, so a DNS answer
 *   that changes between check and connect (rebinding) is never used.
 *
 * The fetch here is written on node:http/https rather than the global fetch
 * because Node 20's bundled undici exposes no way to pin the address of a
 * connection (its Agent is not public), and `lookup` is the documented hook of
 * node:http for exactly this. It implements the subset Sigscope's clients use:
 * method, headers, a Uint8Array/string body, an AbortSignal; redirects are never
 * followed here (callers follow them by hand, so each hop is checked again).
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { SigscopeError } from '../errors';
import { classifyAddress, inSubnet, type AddressKind } from './addresses';

export const ALLOW_HOSTS_ENV = 'SIGSCOPE_ALLOW_HOSTS';

type AllowEntry =
  | { kind: 'name'; host: string; port?: number }
  | { kind: 'address'; address: string; port?: number }
  | { kind: 'subnet'; network: string; prefix: number };

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Parses one allowed-host entry: "host", "host:port", "[v6]:port", "10.0.0.0/8", "fc00::/7". */
export function parseAllowEntry(raw: string): AllowEntry {
  const s = raw.trim().toLowerCase();
  const bad = () => new SigscopeError('INVALID_INPUT', `allowed host "${raw.slice(0, 100)}" must be a host, host:port, [IPv6]:port or an address range such as 10.0.0.0/8`);
  if (s === '' || s.length > 270 || /[\s/@?#]/.test(s.replace(/\/\d{1,3}$/, ''))) throw bad();
  const cidr = /^([0-9a-f:.]+)\/(\d{1,3})$/.exec(s);
  if (cidr) {
    const family = isIP(cidr[1]!);
    const prefix = Number(cidr[2]);
    if (family === 0 || prefix > (family === 4 ? 32 : 128)) throw bad();
    return { kind: 'subnet', network: cidr[1]!, prefix };
  }
  let host = s;
  let port: number | undefined;
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(s);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
  } else if (isIP(s) !== 6) {
    const m = /^([a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(s);
    if (!m) throw bad();
    host = m[1]!;
    port = m[2] === undefined ? undefined : Number(m[2]);
  }
  if (port !== undefined && (port < 1 || port > 65535)) throw bad();
  return isIP(host) ? { kind: 'address', address: host, port } : { kind: 'name', host: host.replace(/\.$/, ''), port };
}

export interface OutboundPolicyOptions {
  /** Entries an administrator allowed (Settings → Allowed hosts plus SIGSCOPE_ALLOW_HOSTS). */
  allowHosts?: readonly string[];
  /** Resolver; the default is dns.lookup with all addresses. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

/** An HTTP answer whose body is read at most once: what the registry client needs of a fetch Response. */
export interface WireResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  /** A web stream (fetch) or a Node stream (`request`); both are async-iterable. */
  readonly body: AsyncIterable<Uint8Array> | null;
  /** Drops the unread body. */
  cancel(): Promise<void>;
}

/** A fetch Response seen as a WireResponse (the injectable fetch of unit tests). */
export function wireFromFetch(response: Response): WireResponse {
  return {
    status: response.status,
    headers: response.headers,
    body: response.body ? chunksOf(response.body) : null,
    cancel: async () => {
      await response.body?.cancel().catch(() => undefined);
    },
  };
}

/** A web stream's chunks; leaving early cancels the stream. */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

export class OutboundPolicy {
  private readonly entries: AllowEntry[];
  private readonly resolveName: (hostname: string) => Promise<ResolvedAddress[]>;

  constructor(options: OutboundPolicyOptions = {}) {
    this.entries = (options.allowHosts ?? []).map(parseAllowEntry);
    this.resolveName = options.resolve ?? defaultResolve;
  }

  /** The allow list from the environment only (library default when no settings are given). */
  static fromEnv(env: Record<string, string | undefined> = process.env): OutboundPolicy {
    return new OutboundPolicy({ allowHosts: allowHostsFromEnv(env) });
  }

  /** Is the name itself allowed (a "name" entry)? */
  private nameAllowed(hostname: string, port: number): boolean {
    const h = hostname.toLowerCase().replace(/\.$/, '');
    return this.entries.some((e) => e.kind === 'name' && e.host === h && (e.port === undefined || e.port === port));
  }

  private addressAllowed(address: string, port: number): boolean {
    return this.entries.some((e) =>
      e.kind === 'address' ? sameAddress(e.address, address) && (e.port === undefined || e.port === port)
      : e.kind === 'subnet' ? inSubnet(address, e.network, e.prefix)
      : false,
    );
  }

  /**
   * Resolves the URL's host and checks every address. Returns the addresses to
   * connect to; throws OUTBOUND_BLOCKED naming the address and what to do.
   * `label` names the server in messages ("registry", "token service", "Rekor log").
   */
  async check(url: URL, label: string): Promise<ResolvedAddress[]> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SigscopeError('OUTBOUND_BLOCKED', `${label} URL ${url.protocol}//… is not http(s); refusing to fetch it`);
    }
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const literal = isIP(hostname);
    const addresses: ResolvedAddress[] = literal ? [{ address: hostname, family: literal as 4 | 6 }] : await this.resolveName(hostname);
    if (addresses.length === 0) {
      throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
    }
    if (!literal && this.nameAllowed(hostname, port)) return addresses;
    for (const a of addresses) {
      const kind = classifyAddress(a.address);
      if (kind === undefined || this.addressAllowed(a.address, port)) continue;
      throw blocked(label, url.host, literal ? undefined : a.address, kind);
    }
    return addresses;
  }

  /** A fetch that checks and pins every connection (see the module comment). */
  fetcher(label: string): typeof fetch {
    return ((input: string | URL | Request, init?: RequestInit) => this.fetch(input, init, label)) as typeof fetch;
  }

  /**
   * The same guarded request, answered as the plain Node response: for the registry client,
   * whose thousands of small requests per scan paid more for fetch's Response, Headers and web
   * stream than for HTTP itself (~100 µs of ~170 per request, measured on loopback).
   */
  async request(url: URL, init: { method: string; headers: Record<string, string>; body?: Uint8Array; signal?: AbortSignal }, label: string): Promise<WireResponse> {
    init.signal?.throwIfAborted();
    const addresses = await this.check(url, label);
    const headers = { ...init.headers };
    const payload = init.body ? Buffer.from(init.body.buffer, init.body.byteOffset, init.body.byteLength) : undefined;
    if (payload) headers['content-length'] = String(payload.length);
    const method = init.method.toUpperCase();
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise<WireResponse>((resolve, reject) => {
      const req = mod.request(url, { method, headers, lookup: pinnedLookup(addresses), signal: init.signal, agent: url.protocol === 'https:' ? HTTPS_AGENT : HTTP_AGENT }, (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 599) {
          res.destroy();
          reject(Object.assign(new Error(`${label} ${url.host} answered with HTTP status ${status}`), { code: 'EPROTO' }));
          return;
        }
        const nullBody = method === 'HEAD' || status === 204 || status === 205 || status === 304;
        if (nullBody) res.resume();
        resolve({
          status,
          headers: {
            get(name: string) {
              const v = res.headers[name.toLowerCase()];
              return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
            },
          },
          body: nullBody ? null : res,
          cancel: async () => {
            if (nullBody || res.readableEnded) return;
            // A small unread body (a 404's, a 401's) is drained so the connection goes back to the pool.
            const length = Number(res.headers['content-length']);
            if (!res.complete && !(Number.isFinite(length) && length <= DRAIN_LIMIT_BYTES)) return void res.destroy();
            await new Promise<void>((done) => {
              res.once('end', done).once('close', done).once('error', done).resume();
            });
          },
        });
      });
      req.on('error', (e) => reject(withTlsCode(e)));
      req.end(payload);
    });
  }

  async fetch(input: string | URL | Request, init: RequestInit = {}, label = 'server'): Promise<Response> {
    if (input instanceof Request) throw new TypeError('the guarded fetch takes a URL, not a Request');
    const url = new URL(String(input));
    init.signal?.throwIfAborted();
    const addresses = await this.check(url, label);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const body = init.body;
    let payload: Buffer | undefined;
    if (typeof body === 'string') payload = Buffer.from(body, 'utf8');
    else if (body instanceof Uint8Array) payload = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    else if (body !== undefined && body !== null) throw new TypeError('the guarded fetch sends string or Uint8Array bodies only');
    if (payload) headers['content-length'] = String(payload.length);
    const method = (init.method ?? 'GET').toUpperCase();
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const req = mod.request(
        url,
        { method, headers, lookup: pinnedLookup(addresses), signal: init.signal ?? undefined, agent: url.protocol === 'https:' ? HTTPS_AGENT : HTTP_AGENT },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 599) {
            res.destroy();
            reject(Object.assign(new Error(`${label} ${url.host} answered with HTTP status ${status}`), { code: 'EPROTO' }));
            return;
          }
          const responseHeaders = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) for (const x of v) responseHeaders.append(k, x);
            else if (v !== undefined) responseHeaders.set(k, v);
          }
          const nullBody = method === 'HEAD' || status === 204 || status === 205 || status === 304;
          if (nullBody) res.resume();
          const stream = nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
          resolve(new Response(stream, { status, statusText: res.statusMessage, headers: responseHeaders }));
        },
      );
      req.on('error', (e) => reject(withTlsCode(e)));
      req.end(payload);
    });
  }
}

/** Unread bodies up to this size are drained rather than closing the connection. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

// Keep-alive pools keyed by host:port; a pooled socket was opened to a checked address.
const HTTP_AGENT = new http.Agent({ keepAlive: true, maxSockets: 16 });
const HTTPS_AGENT = new https.Agent({ keepAlive: true, maxSockets: 16 });

export function allowHostsFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  return (env[ALLOW_HOSTS_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * node:tls reports OpenSSL failures as EPROTO with the reason in the message; undici
 * (and lib/oci's messages) use ERR_SSL_* codes. Give the error the specific code.
 */
function withTlsCode(e: Error & { code?: string }): Error {
  if (e.code !== 'EPROTO') return e;
  const reason = /wrong version number|packet length too long|http request/i.exec(e.message)?.[0];
  if (reason) e.code = `ERR_SSL_${reason.toUpperCase().replace(/ /g, '_')}`;
  return e;
}

function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return ((_hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, addresses.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  }) as LookupFunction;
}

async function defaultResolve(hostname: string): Promise<ResolvedAddress[]> {
  const found = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  // Compare canonical forms ("::ffff:127.0.0.1" and "127.0.0.1" are different entries on purpose).
  try {
    const canon = (x: string) => (isIP(x) === 6 ? new URL(`http://[${x}]`).hostname : x);
    return canon(a) === canon(b);
  } catch {
    return false;
  }
}

function blocked(label: string, host: string, resolvedTo: string | undefined, kind: AddressKind): SigscopeError {
  const what = resolvedTo === undefined ? `is a ${kind} address` : `resolves to a ${kind} address (${resolvedTo})`;
  return new SigscopeError(
    'OUTBOUND_BLOCKED',
    `${label} host ${host} ${what}; Sigscope does not connect to ${kind} addresses unless an administrator allows the host in Settings → Allowed hosts (or ${ALLOW_HOSTS_ENV})`,
    { details: { host, address: resolvedTo, kind } },
  );
}
