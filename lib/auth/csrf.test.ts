import { describe, expect, it } from 'vitest';
import { crossSiteProblem, csrfTokenProblem, isUnsafeMethod } from './csrf';
import { API_TOKEN_RE, newApiToken, safeEqual, sha256Hex } from './tokens';

const h = (o: Record<string, string>) => new Headers(o);

describe('cross-site checks', () => {
  it('accepts same-origin browser requests and non-browser clients', () => {
    expect(crossSiteProblem(h({ origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' }), '127.0.0.1:3000')).toBeUndefined();
    expect(crossSiteProblem(h({}), '127.0.0.1:3000')).toBeUndefined();
  });

  it('refuses other origins, other sites and malformed origins', () => {
    expect(crossSiteProblem(h({ origin: 'http://evil.example' }), '127.0.0.1:3000')).toMatch(/another origin/);
    expect(crossSiteProblem(h({ origin: 'http://127.0.0.1:3001' }), '127.0.0.1:3000')).toMatch(/another origin/);
    expect(crossSiteProblem(h({ 'sec-fetch-site': 'cross-site' }), '127.0.0.1:3000')).toMatch(/another site/);
    expect(crossSiteProblem(h({ 'sec-fetch-site': 'same-site' }), '127.0.0.1:3000')).toMatch(/another site/);
    expect(crossSiteProblem(h({ origin: 'null' }), '127.0.0.1:3000')).toMatch(/invalid Origin/);
    expect(crossSiteProblem(h({ origin: 'http://127.0.0.1:3000' }), null)).toMatch(/another origin/);
  });

  it('requires the session CSRF token in the header', () => {
    expect(csrfTokenProblem(h({}), 'abc')).toMatch(/missing/);
    expect(csrfTokenProblem(h({ 'x-csrf-token': 'abd' }), 'abc')).toMatch(/does not match/);
    expect(csrfTokenProblem(h({ 'x-csrf-token': 'ab' }), 'abc')).toMatch(/does not match/);
    expect(csrfTokenProblem(h({ 'x-csrf-token': 'abc' }), 'abc')).toBeUndefined();
  });

  it('knows which methods change state', () => {
    expect(['POST', 'put', 'PATCH', 'DELETE'].every(isUnsafeMethod)).toBe(true);
    expect(['GET', 'HEAD', 'OPTIONS'].some(isUnsafeMethod)).toBe(false);
  });
});

describe('API tokens', () => {
  it('are sgs_ + 32 random bytes, with a visible prefix and a sha256 digest', () => {
    const a = newApiToken();
    const b = newApiToken();
    expect(a.token).toMatch(API_TOKEN_RE);
    expect(a.token).not.toBe(b.token);
    expect(a.prefix).toBe(a.token.slice(0, 12));
    expect(a.hash).toBe(sha256Hex(a.token));
    expect(a.hash).not.toContain(a.token.slice(4, 20));
  });

  it('compares strings in constant time, length mismatch included', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
