import { describe, expect, it } from 'vitest';
import { nextLinkUrl } from './link-header';
import { parseWwwAuthenticate } from './www-authenticate';

describe('parseWwwAuthenticate', () => {
  it('parses a registry Bearer challenge', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } },
    ]);
  });

  it('separates several challenges and handles tokens, spaces and escapes', () => {
    const got = parseWwwAuthenticate('Basic realm="a \\"quoted\\" realm", Bearer realm=https://x/token , error=invalid_token');
    expect(got).toEqual([
      { scheme: 'basic', params: { realm: 'a "quoted" realm' } },
      { scheme: 'bearer', params: { realm: 'https://x/token', error: 'invalid_token' } },
    ]);
  });

  it('keeps commas inside quoted scope values', () => {
    expect(parseWwwAuthenticate('Bearer realm="r",scope="repository:a:pull,push"')[0]?.params.scope).toBe('repository:a:pull,push');
  });

  it.each([[''], [null], ['=oops'], ['Bearer realm="unterminated'], ['x'.repeat(9000)]])('tolerates garbage %#', (h) => {
    const got = parseWwwAuthenticate(h as string | null);
    expect(Array.isArray(got)).toBe(true);
    expect(got.every((c) => !('realm' in c.params) || c.params.realm !== undefined)).toBe(true);
  });
});

describe('nextLinkUrl', () => {
  const req = 'http://127.0.0.1:5000/v2/_catalog?n=2';

  it('resolves a relative next link against the request URL', () => {
    expect(nextLinkUrl('</v2/_catalog?last=b&n=2>; rel="next"', req)).toBe('http://127.0.0.1:5000/v2/_catalog?last=b&n=2');
  });

  it('picks rel=next among several links and unquoted rel', () => {
    expect(nextLinkUrl('</v2/x?p=1>; rel="prev", </v2/x?p=3>; rel=next', req)).toBe('http://127.0.0.1:5000/v2/x?p=3');
  });

  it('returns undefined when there is no next link', () => {
    expect(nextLinkUrl(null, req)).toBeUndefined();
    expect(nextLinkUrl('</v2/x>; rel="prev"', req)).toBeUndefined();
  });

  it('refuses a link to another origin', () => {
    expect(() => nextLinkUrl('<https://evil.example/v2/_catalog>; rel="next"', req)).toThrow(/another origin/);
  });
});
