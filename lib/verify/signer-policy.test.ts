import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/support/fixtures';
import { decodeCertificate, type DecodedCertificate } from '../x509';
import { compilePolicy } from './policy';
import { Checks } from './result';
import { extensionConflicts, githubClaims, matchSignerPolicy, PolicyMismatch } from './signer-policy';

const real = decodeCertificate(readFixture('x509-from-bundles', 'sigstore-js-release-2023-08-18.pem'));
const ISSUER = 'https://token.actions.githubusercontent.com';
const ID = 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main';

function edited(fulcio: Record<string, string>): DecodedCertificate {
  return { ...real, fulcio: { ...real.fulcio, ...fulcio } } as DecodedCertificate;
}

describe('signer policy on a real GitHub Actions certificate', () => {
  it('reads the workflow claims and finds no disagreement between legacy and current extensions', () => {
    expect(githubClaims(real)).toMatchObject({ repository: 'sigstore/sigstore-js', ref: 'refs/heads/main', trigger: 'push' });
    expect(extensionConflicts(real)).toEqual([]);
    const checks = new Checks();
    matchSignerPolicy(real, compilePolicy({ identity: ID, issuer: ISSUER, github: { repository: 'sigstore/sigstore-js', ref: 'refs/heads/main' } }), checks);
    expect(checks.list.map((c) => c.name)).toEqual(['identity', 'issuer', 'github-repository', 'github-ref']);
  });

  it('refuses a certificate whose legacy and current extensions disagree, whatever the policy checks', () => {
    const forged = edited({ issuer: 'https://evil.example', sourceRepositoryUri: 'https://github.com/evil/fork' });
    expect(extensionConflicts(forged)).toHaveLength(2);
    const run = () => matchSignerPolicy(forged, compilePolicy({ identity: ID, issuer: ISSUER, github: { repository: 'sigstore/sigstore-js' } }), new Checks());
    expect(run).toThrow(PolicyMismatch);
    expect(run).toThrow(/legacy and current Fulcio extensions disagree: issuer is "https:\/\/evil.example" but issuerV2 is/);
  });
});
