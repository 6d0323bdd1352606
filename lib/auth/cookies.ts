/** Cookie names and attributes for sessions. */
export const SESSION_COOKIE = 'sigscope_session';
/** Readable by the page's scripts (double-submit); the server compares it with the session's stored token. */
export const CSRF_COOKIE = 'sigscope_csrf';

/** Secure cookies when the request arrived over HTTPS (directly or per X-Forwarded-Proto), or when forced. */
export function wantsSecureCookies(request: Request, env: Record<string, string | undefined> = process.env): boolean {
  if (env.SIGSCOPE_SECURE_COOKIES === '1') return true;
  if (env.SIGSCOPE_SECURE_COOKIES === '0') return false;
  return new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

interface CookieSpec {
  name: string;
  value: string;
  expires: Date;
  httpOnly: boolean;
  sameSite: 'Lax' | 'Strict';
  secure: boolean;
}

export function serializeCookie(c: CookieSpec): string {
  return [
    `${c.name}=${encodeURIComponent(c.value)}`,
    'Path=/',
    `Expires=${c.expires.toUTCString()}`,
    `SameSite=${c.sameSite}`,
    ...(c.httpOnly ? ['HttpOnly'] : []),
    ...(c.secure ? ['Secure'] : []),
  ].join('; ');
}

/** Set-Cookie values for a new session, or (token null) for signing out. */
export function sessionCookies(session: { token: string; csrfToken: string; expiresAt: Date } | null, secure: boolean): string[] {
  const expires = session?.expiresAt ?? new Date(0);
  return [
    serializeCookie({ name: SESSION_COOKIE, value: session?.token ?? '', expires, httpOnly: true, sameSite: 'Lax', secure }),
    serializeCookie({ name: CSRF_COOKIE, value: session?.csrfToken ?? '', expires, httpOnly: false, sameSite: 'Strict', secure }),
  ];
}
