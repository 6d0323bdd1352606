/**
 * fetch for the dashboard's own API: adds the session's CSRF token (read from the
 * `sigscope_csrf` cookie) to state-changing requests. Every client component that
 * POSTs/PUTs/PATCHes/DELETEs to /api uses this instead of bare fetch; the server
 * refuses such requests without the header (lib/auth/csrf.ts).
 */
export const CSRF_COOKIE = 'sigscope_csrf';

export function csrfToken(): string {
  if (typeof document === 'undefined') return '';
  for (const part of document.cookie.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === CSRF_COOKIE) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return '';
}

export function apiFetch(input: string, init: RequestInit = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  if (method !== 'GET' && method !== 'HEAD') headers.set('x-csrf-token', csrfToken());
  return fetch(input, { ...init, headers, credentials: 'same-origin' });
}

/** JSON in, JSON out; throws an Error with the server's message (and `.code`, `.status`). */
export async function apiJson<T>(input: string, init: Omit<RequestInit, 'body'> & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const res = await apiFetch(input, {
    ...rest,
    ...(json !== undefined ? { body: JSON.stringify(json), headers: { 'content-type': 'application/json', ...(rest.headers as Record<string, string> | undefined) } } : {}),
  });
  const body = (await res.json().catch(() => null)) as (T & { error?: { code: string; message: string } }) | null;
  if (!res.ok || !body || body.error) {
    const err = body?.error ?? { code: 'HTTP', message: `the server answered ${res.status}` };
    throw Object.assign(new Error(err.message), { code: err.code, status: res.status });
  }
  return body;
}
