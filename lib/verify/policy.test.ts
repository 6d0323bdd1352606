import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compilePolicy, describePolicy } from './policy';

const ID = 'https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

describe('compilePolicy', () => {
  it('exact identity matches only the identical string', () => {
    const p = compilePolicy({ identity: ID, issuer: ISSUER });
    expect(p.identity!.test(ID)).toBe(true);
    expect(p.identity!.test(`${ID}-hotfix`)).toBe(false);
    expect(p.identity!.test(ID.slice(0, -1))).toBe(false);
    expect(p.identity!.test(undefined)).toBe(false);
    expect(p.empty).toBe(false);
  });

  it('regexps are anchored: a prefix pattern does not accept a longer value', () => {
    const p = compilePolicy({ identityRegExp: '.*@refs/heads/main', issuer: ISSUER });
    expect(p.identity!.test(ID)).toBe(true);
    expect(p.identity!.test(`${ID}-hotfix`)).toBe(false);
    expect(p.identity!.test(`x${ID}`)).toBe(true);
    const alt = compilePolicy({ identityRegExp: 'a|b', issuerRegExp: 'https://.*' });
    // Anchoring wraps alternations too: "xa" must not match "a|b".
    expect(alt.identity!.test('xa')).toBe(false);
    expect(alt.identity!.test('b')).toBe(true);
  });

  it('a pattern cannot close the anchoring group and escape the anchors', () => {
    expect(() => compilePolicy({ identityRegExp: 'https://github\\.com/acme/.*)|(?:evil', issuer: ISSUER })).toThrow(/does not compile/);
  });

  it('refuses half a keyless policy, both exact and regexp, bad regexps and unknown fields', () => {
    expect(() => compilePolicy({ identity: ID })).toThrow(/needs an OIDC issuer/);
    expect(() => compilePolicy({ issuer: ISSUER })).toThrow(/needs a certificate identity/);
    expect(() => compilePolicy({ identity: ID, identityRegExp: '.*', issuer: ISSUER })).toThrow(/either an exact/);
    expect(() => compilePolicy({ identityRegExp: '(', issuer: ISSUER })).toThrow(/does not compile/);
    expect(() => compilePolicy({ identity: ID, issuer: ISSUER, colour: 'blue' })).toThrow(/INVALID|Unrecognized|unrecognized/);
    expect(() => compilePolicy({ github: { ref: 'refs/heads/main' } })).toThrow(/refine a keyless identity/);
  });

  it('reads PEM public keys, refuses other key material, and fingerprints keys', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const p = compilePolicy({ keys: [pem] });
    expect(p.keys[0]!.fingerprint).toMatch(/^[a-f0-9]{64}$/);
    expect(describePolicy(p)).toContain(`key sha256:${p.keys[0]!.fingerprint.slice(0, 16)}`);
    expect(() => compilePolicy({ keys: ['not a key'] })).toThrow(/BEGIN PUBLIC KEY/);
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => compilePolicy({ keys: [k1] })).toThrow(/curve secp256k1 is not supported/);
  });

  it('an empty policy is marked empty, and the hash tracks the content', () => {
    expect(compilePolicy({}).empty).toBe(true);
    expect(compilePolicy(undefined).empty).toBe(true);
    const a = compilePolicy({ identity: ID, issuer: ISSUER });
    const b = compilePolicy({ identity: `${ID}x`, issuer: ISSUER });
    expect(a.hash).not.toBe(b.hash);
    expect(compilePolicy({ issuer: ISSUER, identity: ID }).hash).toBe(a.hash);
  });
});
