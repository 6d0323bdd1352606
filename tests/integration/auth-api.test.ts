// Sign-in, sessions, CSRF, roles, API tokens and write-only secrets, through the real
// route handlers (app/api/**) on a temp SQLite database — the same code Next runs.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigscope-auth-api-'));
process.env.SIGSCOPE_DATA_DIR = tmp;
process.env.DATABASE_URL = `file:${path.join(tmp, 'auth.db')}`;
delete process.env.SIGSCOPE_ADMIN_USER;
delete process.env.SIGSCOPE_ADMIN_PASSWORD;
delete process.env.SIGSCOPE_SECRET_KEY;

const BASE = 'http://127.0.0.1:3999';
const HOST = '127.0.0.1:3999';
type Handler = (req: Request, ctx: unknown) => Promise<Response>;
type Mod = Record<string, Handler>;
let routes: Record<string, Mod>;
let db: import('../../lib/db').Db;

interface Jar {
  session?: string;
  csrf?: string;
}

function jarFrom(res: Response): Jar {
  const jar: Jar = {};
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const [k, v] = pair!.split('=');
    if (k === 'sigscope_session') jar.session = decodeURIComponent(v!);
    if (k === 'sigscope_csrf') jar.csrf = decodeURIComponent(v!);
  }
  return jar;
}

interface CallOptions {
  jar?: Jar;
  json?: unknown;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  /** default: send the CSRF header and a same-origin Origin when a jar is given */
  csrf?: boolean;
}

async function call(route: string, method: string, o: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { host: HOST, ...(o.json !== undefined ? { 'content-type': 'application/json' } : {}) };
  if (o.jar?.session) headers.cookie = `sigscope_session=${o.jar.session}; sigscope_csrf=${o.jar.csrf}`;
  if (o.jar && o.csrf !== false && method !== 'GET') {
    headers['x-csrf-token'] = o.jar.csrf ?? '';
    headers.origin = BASE;
    headers['sec-fetch-site'] = 'same-origin';
  }
  Object.assign(headers, o.headers);
  const url = `${BASE}${route.replace(/\[(\w+)\]/g, (_m, k: string) => o.params?.[k] ?? 'x')}`;
  const req = new Request(url, { method, headers, ...(o.json !== undefined ? { body: JSON.stringify(o.json) } : {}) });
  const handler = routes[route]?.[method];
  if (!handler) throw new Error(`no ${method} ${route}`);
  return handler(req, { params: Promise.resolve(o.params ?? {}) });
}

async function signIn(username: string, password: string): Promise<Jar> {
  const res = await call('/api/session', 'POST', { json: { username, password }, headers: { origin: BASE } });
  expect(res.status).toBe(200);
  return jarFrom(res);
}

let admin: Jar;
let auditor: Jar;
let viewer: Jar;

beforeAll(async () => {
  routes = {
    '/api/session': await import('../../app/api/session/route'),
    '/api/setup': await import('../../app/api/setup/route'),
    '/api/tokens': await import('../../app/api/tokens/route'),
    '/api/tokens/[id]': await import('../../app/api/tokens/[id]/route'),
    '/api/users': await import('../../app/api/users/route'),
    '/api/users/[id]': await import('../../app/api/users/[id]/route'),
    '/api/audit-log': await import('../../app/api/audit-log/route'),
    '/api/registry-credentials': await import('../../app/api/registry-credentials/route'),
    '/api/settings': await import('../../app/api/settings/route'),
    '/api/policies': await import('../../app/api/policies/route'),
    '/api/runs': await import('../../app/api/runs/route'),
    '/api/account/password': await import('../../app/api/account/password/route'),
  } as unknown as Record<string, Mod>;
  db = await (await import('../../lib/db')).getDb();
});

afterAll(async () => {
  await (await import('../../lib/db')).closeDb();
  rmSync(tmp, { recursive: true, force: true });
});

describe('first start', () => {
  it('asks for setup while no user exists, then creates one admin exactly once', async () => {
    expect((await call('/api/session', 'POST', { json: { username: 'root', password: 'whatever-long' } })).status).toBe(409);
    const refused = await call('/api/setup', 'POST', { json: { username: 'root', password: 'short' } });
    expect(refused.status).toBe(400);
    const cross = await call('/api/setup', 'POST', { json: { username: 'root', password: 'root-password-1' }, headers: { origin: 'http://evil.example' } });
    expect(cross.status).toBe(403);
    const [a, b] = await Promise.all([
      call('/api/setup', 'POST', { json: { username: 'root', password: 'root-password-1' } }),
      call('/api/setup', 'POST', { json: { username: 'mallory', password: 'mallory-password' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(await db.user.count()).toBe(1);
    const first = a.status === 201 ? a : b;
    admin = jarFrom(first);
    expect(admin.session).toBeTruthy();
    expect((await call('/api/setup', 'POST', { json: { username: 'again', password: 'again-password' } })).status).toBe(409);
  });
});

describe('sessions', () => {
  it('sets an HTTP-only SameSite session cookie, Secure behind HTTPS, and stores only its hash', async () => {
    const user = (await db.user.findFirstOrThrow()).username;
    const pw = user === 'root' ? 'root-password-1' : 'mallory-password';
    const res = await call('/api/session', 'POST', { json: { username: user, password: pw } });
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('sigscope_session='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).not.toMatch(/Secure/);
    expect(cookies.find((c) => c.startsWith('sigscope_csrf='))).not.toMatch(/HttpOnly/);
    const jar = jarFrom(res);
    const rows = await db.session.findMany();
    expect(rows.some((r) => r.tokenHash === jar.session)).toBe(false);
    expect(JSON.stringify(rows)).not.toContain(jar.session!);
    const https = await call('/api/session', 'POST', { json: { username: user, password: pw }, headers: { 'x-forwarded-proto': 'https' } });
    expect(https.headers.getSetCookie().every((c) => /Secure/.test(c))).toBe(true);
    // normalize the admin name for the rest of the file
    if (user !== 'root') await db.user.update({ where: { username: user }, data: { username: 'root' } });
  });

  it('answers 401 without a session, with a forged one, and after sign-out', async () => {
    expect((await call('/api/runs', 'GET')).status).toBe(401);
    expect((await call('/api/runs', 'GET', { jar: { session: 'forged', csrf: 'x' } })).status).toBe(401);
    const jar = await signIn('root', 'root-password-1');
    expect((await call('/api/runs', 'GET', { jar })).status).toBe(200);
    expect((await call('/api/session', 'DELETE', { jar })).status).toBe(200);
    expect((await call('/api/runs', 'GET', { jar })).status).toBe(401);
    const expired = await signIn('root', 'root-password-1');
    const row = (await db.session.findMany({ orderBy: { createdAt: 'desc' }, take: 1 }))[0]!;
    await db.session.update({ where: { id: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await call('/api/runs', 'GET', { jar: expired })).status).toBe(401);
    admin = await signIn('root', 'root-password-1');
  });
});

describe('CSRF', () => {
  it('refuses cookie-authenticated changes without the token or from another origin', async () => {
    const noToken = await call('/api/tokens', 'POST', { jar: admin, json: { name: 'x' }, csrf: false });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('CSRF');
    const wrong = await call('/api/tokens', 'POST', { jar: admin, json: { name: 'x' }, csrf: false, headers: { 'x-csrf-token': 'not-the-token' } });
    expect(wrong.status).toBe(403);
    const otherSession = await signIn('root', 'root-password-1');
    const crossed = await call('/api/tokens', 'POST', { jar: admin, json: { name: 'x' }, csrf: false, headers: { 'x-csrf-token': otherSession.csrf! } });
    expect(crossed.status).toBe(403);
    const evil = await call('/api/tokens', 'POST', { jar: admin, json: { name: 'x' }, headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(evil.status).toBe(403);
    expect(await db.apiToken.count()).toBe(0);
    expect((await call('/api/tokens', 'POST', { jar: admin, json: { name: 'ok' } })).status).toBe(201);
  });
});

describe('roles', () => {
  it('admin creates users; each role gets 403 above its level', async () => {
    for (const [username, role] of [['ann', 'auditor'], ['vic', 'viewer']] as const) {
      const res = await call('/api/users', 'POST', { jar: admin, json: { username, password: `${username}-password-1`, role } });
      expect(res.status).toBe(201);
    }
    auditor = await signIn('ann', 'ann-password-1');
    viewer = await signIn('vic', 'vic-password-1');
    expect((await call('/api/runs', 'GET', { jar: viewer })).status).toBe(200);
    const forbidden = await call('/api/users', 'GET', { jar: viewer });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    expect((await call('/api/settings', 'PUT', { jar: viewer, json: { allowHttpRegistries: [], trustedRoots: [] } })).status).toBe(403);
    expect((await call('/api/policies', 'POST', { jar: auditor, json: { name: 'p', yaml: 'x: 1' } })).status).toBe(403);
    expect((await call('/api/audit-log', 'GET', { jar: auditor })).status).toBe(403);
    expect((await call('/api/registry-credentials', 'GET', { jar: auditor })).status).toBe(403);
    expect((await call('/api/audit-log', 'GET', { jar: admin })).status).toBe(200);
  });

  it('never removes the last active admin; disabling a user ends their sessions', async () => {
    const root = await db.user.findUniqueOrThrow({ where: { username: 'root' } });
    const demote = await call('/api/users/[id]', 'PATCH', { jar: admin, params: { id: root.id }, json: { role: 'viewer' } });
    expect(demote.status).toBe(400);
    expect(((await demote.json()) as { error: { message: string } }).error.message).toMatch(/last active admin/);
    const vic = await db.user.findUniqueOrThrow({ where: { username: 'vic' } });
    expect((await call('/api/users/[id]', 'PATCH', { jar: admin, params: { id: vic.id }, json: { disabled: true } })).status).toBe(200);
    expect((await call('/api/runs', 'GET', { jar: viewer })).status).toBe(401);
    expect((await call('/api/session', 'POST', { json: { username: 'vic', password: 'vic-password-1' } })).status).toBe(401);
    expect((await call('/api/users/[id]', 'PATCH', { jar: admin, params: { id: vic.id }, json: { disabled: false } })).status).toBe(200);
    viewer = await signIn('vic', 'vic-password-1');
  });
});

describe('API tokens', () => {
  it('are shown once, work as Bearer without CSRF, record last use, and stop working when revoked', async () => {
    const created = await call('/api/tokens', 'POST', { jar: auditor, json: { name: 'CI' } });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { token: string; id: string; prefix: string };
    expect(body.token).toMatch(/^sgs_/);
    expect(body.prefix).toBe(body.token.slice(0, 12));
    const list = await (await call('/api/tokens', 'GET', { jar: auditor })).text();
    expect(list).not.toContain(body.token);
    expect(list).toContain(body.prefix);
    const bearer = { authorization: `Bearer ${body.token}` };
    const who = (await (await call('/api/session', 'GET', { headers: bearer })).json()) as { user: { username: string }; via: string };
    expect(who).toMatchObject({ user: { username: 'ann' }, via: 'token' });
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: body.id } })).lastUsedAt).not.toBeNull();
    // State changes need no CSRF header with a token; the role still applies.
    expect((await call('/api/tokens', 'POST', { headers: bearer, json: { name: 'from-token' } })).status).toBe(201);
    expect((await call('/api/users', 'GET', { headers: bearer })).status).toBe(403);
    // Another user cannot revoke it.
    expect((await call('/api/tokens/[id]', 'DELETE', { jar: viewer, params: { id: body.id } })).status).toBe(404);
    expect((await call('/api/tokens/[id]', 'DELETE', { jar: auditor, params: { id: body.id } })).status).toBe(200);
    expect((await call('/api/runs', 'GET', { headers: bearer })).status).toBe(401);
    // A bad token is refused even when a valid cookie comes along.
    expect((await call('/api/runs', 'GET', { jar: auditor, headers: bearer })).status).toBe(401);
    expect((await call('/api/runs', 'GET', { headers: { authorization: 'Bearer sgs_' + 'A'.repeat(43) } })).status).toBe(401);
  });
});

describe('registry credentials are write-only', () => {
  const SECRET = 'hunter2-registry-TOKEN-9f8e7d';

  it('are stored encrypted and never returned by the API or written to the audit log', async () => {
    const saved = await call('/api/registry-credentials', 'PUT', { jar: admin, json: { host: 'Registry.Example.com:5000', username: 'robot', password: SECRET } });
    expect(saved.status).toBe(200);
    const savedText = await saved.text();
    expect(savedText).not.toContain(SECRET);
    expect(JSON.parse(savedText)).toMatchObject({ host: 'registry.example.com:5000', username: 'robot' });
    const listed = await (await call('/api/registry-credentials', 'GET', { jar: admin })).text();
    expect(listed).toContain('robot');
    expect(listed).not.toContain(SECRET);
    const rows = await db.secret.findMany();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(SECRET);
    expect(JSON.stringify(rows)).not.toContain(Buffer.from(SECRET).toString('base64'));
    const audit = await (await call('/api/audit-log', 'GET', { jar: admin })).text();
    expect(audit).toContain('credential-change');
    expect(audit).not.toContain(SECRET);
    const { registryCredentials } = await import('../../lib/secrets/registry-credentials');
    const creds = await registryCredentials(db);
    expect(creds['registry.example.com:5000']).toEqual({ username: 'robot', password: SECRET });
    expect((await call('/api/registry-credentials', 'DELETE', { jar: admin, json: { host: 'registry.example.com:5000' } })).status).toBe(200);
    expect(await db.secret.count()).toBe(0);
  });
});

describe('own password', () => {
  it('needs the current password; changing it ends the other sessions and renews this one', async () => {
    const other = await signIn('vic', 'vic-password-1');
    const wrong = await call('/api/account/password', 'PUT', { jar: viewer, json: { current: 'not-it-at-all', next: 'vic-password-2' } });
    expect(wrong.status).toBe(400);
    expect((await call('/api/account/password', 'PUT', { jar: viewer, json: { current: 'vic-password-1', next: 'short' } })).status).toBe(400);
    const ok = await call('/api/account/password', 'PUT', { jar: viewer, json: { current: 'vic-password-1', next: 'vic-password-2' } });
    expect(ok.status).toBe(200);
    const renewed = jarFrom(ok);
    expect((await call('/api/runs', 'GET', { jar: other })).status).toBe(401);
    expect((await call('/api/runs', 'GET', { jar: viewer })).status).toBe(401);
    expect((await call('/api/runs', 'GET', { jar: renewed })).status).toBe(200);
    expect((await call('/api/session', 'POST', { json: { username: 'vic', password: 'vic-password-1' } })).status).toBe(401);
    viewer = await signIn('vic', 'vic-password-2');
  });
});

describe('sign-in throttling and the audit log', () => {
  it('audits failed sign-ins and answers 429 after 5 failures for a username', async () => {
    for (let i = 0; i < 5; i++) expect((await call('/api/session', 'POST', { json: { username: 'ann', password: `wrong-${i}-password` } })).status).toBe(401);
    const throttled = await call('/api/session', 'POST', { json: { username: 'ann', password: 'ann-password-1' } });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other users are not affected.
    expect((await call('/api/session', 'POST', { json: { username: 'vic', password: 'vic-password-2' } })).status).toBe(200);
    const failed = await db.auditEvent.findMany({ where: { action: 'sign-in-failed', actor: 'ann' } });
    expect(failed).toHaveLength(5);
    expect(JSON.stringify(failed)).not.toContain('wrong-0-password');
  });

  it('records who did what', async () => {
    const events = await db.auditEvent.findMany({ orderBy: { at: 'asc' } });
    const actions = new Set(events.map((e) => `${e.actor}:${e.action}`));
    for (const expected of ['root:setup', 'root:sign-in', 'root:sign-out', 'root:token-create', 'root:user-change', 'ann:token-create', 'ann:token-revoke', 'root:credential-change', 'ann:sign-in-failed']) {
      expect(actions, expected).toContain(expected);
    }
    const res = await call('/api/audit-log', 'GET', { jar: admin });
    expect(res.status).toBe(200);
    const filtered = (await (await routes['/api/audit-log']!.GET!(new Request(`${BASE}/api/audit-log?actor=ann&action=token-revoke`, { headers: { host: HOST, cookie: `sigscope_session=${admin.session}` } }), {})).json()) as { events: Array<{ actor: string; action: string }> };
    expect(filtered.events.length).toBe(1);
    expect(filtered.events[0]).toMatchObject({ actor: 'ann', action: 'token-revoke' });
  });
});
