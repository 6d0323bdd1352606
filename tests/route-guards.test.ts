// Every API handler goes through withRole/publicRoute and every page checks the session:
// read from the source tree, so a new unguarded route or page fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PUBLIC_API, PUBLIC_PAGES, apiRoutes, exportedMethods, pageFiles } from './support/api-routes';

describe('API route guards', () => {
  const routes = apiRoutes();

  it('finds the route tree', () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.map((r) => r.pattern)).toContain('/api/runs/[id]');
    expect(routes.every((r) => r.methods.length > 0)).toBe(true);
  });

  it('wraps every exported HTTP method in withRole, or publicRoute for the few public ones', () => {
    const problems: string[] = [];
    for (const r of routes) {
      for (const m of r.methods) {
        const key = `${m.method} ${r.pattern}`;
        if (m.wrapper === 'unguarded') problems.push(`${key} (${r.file}) is not wrapped: export const ${m.method} = withRole('viewer' | 'auditor' | 'admin', async (request, ctx, auth) => …)`);
        if (m.wrapper === 'publicRoute' && !PUBLIC_API.has(key)) problems.push(`${key} is public but not in PUBLIC_API`);
        if (m.wrapper === 'withRole' && !['viewer', 'auditor', 'admin'].includes(m.role!)) problems.push(`${key} names an unknown role ${m.role}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('recognises unguarded handlers in every export style (the check can fail)', () => {
    expect(exportedMethods('export async function GET() {}')).toEqual([{ method: 'GET', wrapper: 'unguarded' }]);
    expect(exportedMethods('export function POST(r: Request) {}')).toEqual([{ method: 'POST', wrapper: 'unguarded' }]);
    expect(exportedMethods('const handler = () => 1;\nexport { handler as GET, handler as DELETE };')).toEqual([{ method: 'GET', wrapper: 'unguarded' }, { method: 'DELETE', wrapper: 'unguarded' }]);
    expect(exportedMethods('export const PUT = async () => new Response();')).toEqual([{ method: 'PUT', wrapper: 'unguarded' }]);
    expect(exportedMethods("export const GET = withRole('auditor', async () => x);\nexport const POST = publicRoute(async () => x);")).toEqual([
      { method: 'GET', wrapper: 'withRole', role: 'auditor' },
      { method: 'POST', wrapper: 'publicRoute' },
    ]);
  });

  it('gives state changes on admin areas the admin role', () => {
    const role = (method: string, pattern: string) => routes.find((r) => r.pattern === pattern)?.methods.find((m) => m.method === method)?.role;
    expect(role('PUT', '/api/settings')).toBe('admin');
    expect(role('POST', '/api/policies')).toBe('admin');
    expect(role('POST', '/api/users')).toBe('admin');
    expect(role('PUT', '/api/registry-credentials')).toBe('admin');
    expect(role('GET', '/api/audit-log')).toBe('admin');
    expect(role('POST', '/api/verify')).toBe('auditor');
    expect(role('POST', '/api/findings/ack')).toBe('auditor');
  });
});

describe('page guards', () => {
  it('every page except sign-in, setup and forbidden calls requirePage', () => {
    const missing = pageFiles().filter((f) => !PUBLIC_PAGES.has(f) && !/await requirePage\(/.test(readFileSync(f, 'utf8')));
    expect(missing).toEqual([]);
  });
});
