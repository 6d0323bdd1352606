// Every API route answers 401 without credentials. The list comes from the source tree
// (tests/support/api-routes.ts walks app/api/**/route.ts), so a new route is covered
// the moment it exists — and fails here if it is not guarded.
import { expect, test } from '@playwright/test';
import { PUBLIC_API, apiRoutes } from '../tests/support/api-routes';

test.use({ storageState: { cookies: [], origins: [] }, extraHTTPHeaders: {} });

const routes = apiRoutes();

test('the route tree is found', () => {
  expect(routes.length).toBeGreaterThan(10);
});

for (const r of routes) {
  for (const m of r.methods) {
    const key = `${m.method} ${r.pattern}`;
    if (PUBLIC_API.has(key)) continue;
    test(`unauthenticated ${key} → 401`, async ({ request }) => {
      const res = await request.fetch(r.url, { method: m.method, headers: { 'content-type': 'application/json' }, ...(m.method === 'GET' || m.method === 'HEAD' ? {} : { data: '{}' }) });
      expect(res.status(), `${key} answered ${res.status()}`).toBe(401);
      if (m.method !== 'HEAD') expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
      // A garbage token is no better than none.
      const bad = await request.fetch(r.url, { method: m.method, headers: { authorization: 'Bearer sgs_not-a-real-token' } });
      expect(bad.status()).toBe(401);
    });
  }
}

test('the public routes: sign-in validates, setup is closed once an admin exists', async ({ request, baseURL }) => {
  expect((await request.post('/api/session', { data: {} })).status()).toBe(400);
  expect((await request.post('/api/session', { data: { username: 'nobody-here', password: 'wrong-password-1' } })).status()).toBe(401);
  expect((await request.post('/api/setup', { data: { username: 'intruder', password: 'intruder-password' } })).status()).toBe(409);
  // Cross-site sign-in (login CSRF) is refused.
  const cross = await request.post('/api/session', { data: { username: 'x', password: 'y' }, headers: { origin: 'http://evil.example' } });
  expect(cross.status()).toBe(403);
  expect(baseURL).toBeTruthy();
});
