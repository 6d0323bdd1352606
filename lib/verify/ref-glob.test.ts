import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/support/fixtures';
import { decodeCertificate, type DecodedCertificate } from '../x509';
import { compilePolicy, describePolicy, refGlobMatcher } from './policy';
import { Checks } from './result';
import { matchSignerPolicy, PolicyMismatch } from './signer-policy';

const real = decodeCertificate(readFixture('x509-from-bundles', 'sigstore-js-release-2023-08-18.pem'));
const ISSUER = 'https://token.actions.githubusercontent.com';
const ID = 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main';

function withRef(ref: string): DecodedCertificate {
  return { ...real, fulcio: { ...real.fulcio, githubWorkflowRef: ref, sourceRepositoryRef: ref } } as DecodedCertificate;
}

describe('GitHub ref globs', () => {
  it('* stays within one segment, ** crosses segments, the whole ref must match', () => {
    const tags = refGlobMatcher('refs/tags/v*');
    expect(tags.test('refs/tags/v1.2.0')).toBe(true);
    expect(tags.test('refs/tags/v')).toBe(true);
    expect(tags.test('refs/tags/v1/evil')).toBe(false);
    expect(tags.test('refs/heads/v1')).toBe(false);
    expect(tags.test('xrefs/tags/v1')).toBe(false);
    expect(tags.test(undefined)).toBe(false);
    const deep = refGlobMatcher('refs/heads/release/**');
    expect(deep.test('refs/heads/release/1.x/hotfix')).toBe(true);
    expect(deep.test('refs/heads/main')).toBe(false);
  });

  it('treats regexp metacharacters literally', () => {
    const m = refGlobMatcher('refs/tags/v1.(0|1)+[a]?');
    expect(m.test('refs/tags/v1.(0|1)+[a]?')).toBe(true);
    expect(m.test('refs/tags/v1x0')).toBe(false);
    expect(m.test('refs/tags/v1.0')).toBe(false);
  });

  it('a refGlob policy accepts a tag build and refuses a branch build, with a reason naming the glob', () => {
    const policy = compilePolicy({ identityRegExp: 'https://github\\.com/sigstore/sigstore-js/.*', issuer: ISSUER, github: { refGlob: 'refs/tags/v*' } });
    expect(describePolicy(policy)).toContain('github ref ~ glob refs/tags/v*');
    const checks = new Checks();
    matchSignerPolicy(withRef('refs/tags/v2.0.1'), policy, checks);
    expect(checks.list.at(-1)).toMatchObject({ name: 'github-ref', passed: true });
    expect(() => matchSignerPolicy(real, policy, new Checks())).toThrow(PolicyMismatch);
    expect(() => matchSignerPolicy(real, policy, new Checks())).toThrow('GitHub workflow ref is refs/heads/main, policy expects glob refs/tags/v*');
  });

  it('exact refs keep their exact semantics and canonical form', () => {
    const exact = compilePolicy({ identity: ID, issuer: ISSUER, github: { ref: 'refs/heads/main' } });
    expect(exact.canonical).toContain('"github":{"ref":"refs/heads/main"}');
    expect(() => matchSignerPolicy(withRef('refs/heads/main-hotfix'), exact, new Checks())).toThrow(/policy expects refs\/heads\/main$/);
    const glob = compilePolicy({ identity: ID, issuer: ISSUER, github: { refGlob: 'refs/heads/main' } });
    expect(glob.canonical).toContain('"github":{"refGlob":"refs/heads/main"}');
    expect(glob.hash).not.toBe(exact.hash);
  });

  it('refuses an exact ref and a ref glob together', () => {
    expect(() => compilePolicy({ identity: ID, issuer: ISSUER, github: { ref: 'refs/heads/main', refGlob: 'refs/tags/*' } })).toThrow(/not both/);
  });
});
