/**
 * Registry authentication (Docker token protocol): a 401 carries a challenge;
 * for `Bearer realm=…,service=…,scope=…` we fetch a token from the realm
 * (anonymously, or with Basic credentials when configured for the registry),
 * cache it per scope until it expires, and retry once. For `Basic` we send
 * the stored credentials. Once a registry's challenge is known, later requests
 * send authorization up front instead of collecting a 401 each time.
 */
import { z } from 'zod';
import { SigscopeError } from '../errors';
import { parseBoundedJson } from '../net/json';
import { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate';
import { sanitize } from './registry-errors';
import type { Transport } from './transport';

export interface RegistryCredentials {
  username: string;
  password: string;
}

const tokenResponseSchema = z.object({
  token: z.string().max(16 * 1024).optional(),
  access_token: z.string().max(16 * 1024).optional(),
  expires_in: z.number().positive().max(366 * 24 * 3600).optional(),
});

const TOKEN_MAX_BYTES = 64 * 1024;
/** The token spec's default lifetime when `expires_in` is absent. */
const DEFAULT_TOKEN_SECONDS = 60;
const EXPIRY_MARGIN_MS = 5_000;
/** A token goes into an HTTP header: visible ASCII only. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

interface CachedToken {
  value: string;
  expiresAt: number;
}

export interface AuthTarget {
  /** Host the API is served from (challenges and tokens are remembered per host). */
  apiHost: string;
  /** Registry name as the user configured credentials for it. */
  registry: string;
  /** Scope we need, e.g. "repository:app:pull". */
  scope: string;
  what: string;
}

export class RegistryAuth {
  private readonly challenges = new Map<string, AuthChallenge>();
  private readonly tokens = new Map<string, CachedToken>();
  private readonly credentials: Map<string, RegistryCredentials>;

  constructor(
    private readonly transport: Transport,
    credentials: Record<string, RegistryCredentials> = {},
  ) {
    this.credentials = new Map(Object.entries(credentials).map(([host, c]) => [host.toLowerCase(), c]));
  }

  /** Authorization header to send before any 401, when this host's challenge is already known. */
  async authorizationFor(target: AuthTarget): Promise<string | undefined> {
    const challenge = this.challenges.get(target.apiHost);
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') return this.basicHeader(target);
    const cached = this.tokens.get(tokenKey(target));
    if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.value}`;
    return `Bearer ${await this.fetchToken(challenge, target, target.scope)}`;
  }

  /** Answers a 401: returns the Authorization header to retry with, or throws REGISTRY_AUTH. */
  async answerChallenge(wwwAuthenticate: string | null, target: AuthTarget): Promise<string> {
    const challenges = parseWwwAuthenticate(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (bearer) {
      if (!bearer.params.realm) {
        throw new SigscopeError('REGISTRY_AUTH', `registry ${target.registry} asked for a Bearer token for ${target.what} but named no token service (realm)`);
      }
      this.challenges.set(target.apiHost, bearer);
      this.tokens.delete(tokenKey(target));
      // The challenge's scope is what the registry will check; fall back to ours.
      return `Bearer ${await this.fetchToken(bearer, target, bearer.params.scope ?? target.scope)}`;
    }
    if (basic) {
      const header = this.basicHeader(target);
      if (!header) {
        throw new SigscopeError(
          'REGISTRY_AUTH',
          `registry ${target.registry} requires a username and password for ${target.what}, and none are configured for ${target.registry}`,
        );
      }
      this.challenges.set(target.apiHost, basic);
      return header;
    }
    throw new SigscopeError(
      'REGISTRY_AUTH',
      `registry ${target.registry} answered 401 for ${target.what} without a usable WWW-Authenticate challenge (got ${wwwAuthenticate ? `"${sanitize(wwwAuthenticate, 120)}"` : 'none'})`,
    );
  }

  /** Forget a token the registry refused, so the next attempt asks again. */
  forget(target: AuthTarget): void {
    this.tokens.delete(tokenKey(target));
  }

  hasCredentials(registry: string, apiHost: string): boolean {
    return this.lookupCredentials(registry, apiHost) !== undefined;
  }

  private basicHeader(target: AuthTarget): string | undefined {
    const c = this.lookupCredentials(target.registry, target.apiHost);
    return c && `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
  }

  /**
   * Basic credentials for a token request to `realm`: those stored for the realm's own
   * host, else the registry's when the realm is on the registry's host (same host and
   * port as the registry or its API host), or Docker Hub's known token service.
   */
  private realmCredentialsHeader(realm: URL, target: AuthTarget): string | undefined {
    const realmHost = realm.host.toLowerCase();
    const own = this.credentials.get(realmHost);
    const belongs =
      realmHost === target.registry.toLowerCase() ||
      realmHost === target.apiHost.toLowerCase() ||
      (realmHost === 'auth.docker.io' && target.registry.toLowerCase() === 'docker.io');
    const c = own ?? (belongs ? this.lookupCredentials(target.registry, target.apiHost) : undefined);
    return c && `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
  }

  private lookupCredentials(registry: string, apiHost: string): RegistryCredentials | undefined {
    return this.credentials.get(registry.toLowerCase()) ?? this.credentials.get(apiHost.toLowerCase());
  }

  private async fetchToken(challenge: AuthChallenge, target: AuthTarget, scope: string): Promise<string> {
    const realm = challenge.params.realm ?? '';
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new SigscopeError('REGISTRY_AUTH', `registry ${target.registry} named an invalid token service "${sanitize(realm, 100)}"`);
    }
    const what = `a token for ${target.what} from ${url.origin}`;
    // Credentials and tokens must not travel in clear text unless the user allowed that host.
    this.transport.assertUrlAllowed(url, what);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const s of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', s);

    const headers: Record<string, string> = { Accept: 'application/json' };
    // Credentials go to the token service only when it is the registry's own host (or
    // credentials were stored for the token service's host itself): a registry cannot
    // send them to a realm of its choosing.
    const basic = this.realmCredentialsHeader(url, target);
    if (basic) headers.Authorization = basic;
    const foreignRealm = !basic && this.hasCredentials(target.registry, target.apiHost);
    const sent = await this.transport.send({ method: 'GET', url: url.toString(), headers, what, peer: 'token service' });
    const status = sent.response.status;
    if (status !== 200) {
      await sent.response.cancel().catch(() => undefined);
      const who = basic ? `the credentials configured for ${target.registry}` : 'anonymous access';
      const advice = basic
        ? 'check the username and password'
        : foreignRealm
          ? `the token service is on another host than registry ${target.registry}, so Sigscope did not send ${target.registry}'s credentials there; if you trust ${url.host}, store credentials for it as well`
          : `configure credentials for ${target.registry}`;
      throw new SigscopeError(
        'REGISTRY_AUTH',
        `token service ${url.origin} answered ${status} when asked for ${scope} — ${who} ${status === 401 || status === 403 ? 'was refused' : 'failed'}; ${advice}`,
        { details: { status } },
      );
    }
    const bytes = await this.transport.readBody(sent, TOKEN_MAX_BYTES, `token response from ${url.origin}`, url.host);
    let parsed: z.infer<typeof tokenResponseSchema>;
    try {
      parsed = tokenResponseSchema.parse(parseBoundedJson(bytes, 8));
    } catch {
      throw new SigscopeError('REGISTRY_BAD_RESPONSE', `token service ${url.origin} returned something that is not a token response (expected JSON with "token")`);
    }
    const value = parsed.token ?? parsed.access_token;
    if (!value || !HEADER_SAFE.test(value)) {
      throw new SigscopeError('REGISTRY_BAD_RESPONSE', `token service ${url.origin} returned no usable token`);
    }
    const lifetimeMs = (parsed.expires_in ?? DEFAULT_TOKEN_SECONDS) * 1000;
    this.tokens.set(tokenKey(target), { value, expiresAt: Date.now() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, 1_000) });
    return value;
  }
}

function tokenKey(target: AuthTarget): string {
  return `${target.apiHost} ${target.scope}`;
}
