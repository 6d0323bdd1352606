/**
 * The API route tree, read from the source: every app/api/**\/route.ts with the HTTP
 * methods it exports and how each is wrapped. Used by the static guard test and by the
 * e2e "every route answers 401 without a session" test, so new routes are covered
 * without anyone listing them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export interface ApiRoute {
  file: string;
  /** URL pattern with Next's segments: /api/runs/[id] */
  pattern: string;
  /** A concrete URL for the pattern (dynamic segments filled with harmless ids). */
  url: string;
  methods: Array<{ method: string; wrapper: 'withRole' | 'publicRoute' | 'unguarded'; role?: string }>;
}

/** Handlers reachable without a session, on purpose. Anything else must answer 401. */
export const PUBLIC_API = new Set(['POST /api/session', 'POST /api/setup']);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name === 'route.ts' || e.name === 'route.tsx' ? [path.join(dir, e.name)] : []));
}

export function apiRoutes(root = process.cwd()): ApiRoute[] {
  const apiDir = path.join(root, 'app', 'api');
  return walk(apiDir)
    .sort()
    .map((file) => {
      const rel = path.relative(path.join(root, 'app'), path.dirname(file)).split(path.sep);
      const segments = rel.filter((s) => !/^\(.*\)$/.test(s));
      const pattern = `/${segments.join('/')}`;
      const url = `/${segments.map((s) => (s.startsWith('[...') || s.startsWith('[[...') ? 'a/b' : s.startsWith('[') ? 'x0' : s)).join('/')}`;
      const source = readFileSync(file, 'utf8');
      const methods = exportedMethods(source);
      return { file: path.relative(root, file), pattern, url, methods };
    });
}

/** The HTTP methods a route module's source exports, and how each is wrapped. */
export function exportedMethods(source: string): ApiRoute['methods'] {
  const methods: ApiRoute['methods'] = [];
  for (const m of HTTP_METHODS) {
    const asFunction = new RegExp(`export\\s+(async\\s+)?function\\s+${m}\\b`).test(source) || new RegExp(`export\\s*\\{[^}]*\\b${m}\\b[^}]*\\}`).test(source);
    const asConst = new RegExp(`export\\s+(const|let|var)\\s+${m}\\s*=\\s*(withRole\\(\\s*'(\\w+)'|publicRoute\\()?`).exec(source);
    if (asFunction) methods.push({ method: m, wrapper: 'unguarded' });
    else if (asConst) methods.push(asConst[2] ? (asConst[3] ? { method: m, wrapper: 'withRole', role: asConst[3] } : { method: m, wrapper: 'publicRoute' }) : { method: m, wrapper: 'unguarded' });
  }
  return methods;
}

/** Pages that must be reachable without a session. */
export const PUBLIC_PAGES = new Set(['app/sign-in/page.tsx', 'app/setup/page.tsx', 'app/forbidden/page.tsx']);

export function pageFiles(root = process.cwd()): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (e.name !== 'api') visit(path.join(dir, e.name));
      } else if (e.name === 'page.tsx' || e.name === 'page.ts') out.push(path.relative(root, path.join(dir, e.name)));
    }
  };
  visit(path.join(root, 'app'));
  return out.sort();
}
