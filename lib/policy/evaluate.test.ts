import { describe, expect, it } from 'vitest';
import { authorityOutcome, decideImage, decidePolicy, runStatusUnderPolicy, signerPoliciesFor, type SignerOutcome, type SignerStatus } from './evaluate';
import type { PolicyAuthority } from './types';

const keyless: PolicyAuthority = {
  name: 'release',
  keyless: {
    identities: [
      { issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main', github: { ref: 'refs/heads/main', workflow: 'Release' } },
      { issuerRegExp: 'https://accounts\\.google\\.com', subjectRegExp: '.*@acme\\.example' },
    ],
  },
  attestations: [{ predicateType: 'spdxjson' }],
};
const keyed: PolicyAuthority = { name: 'key', key: { data: 'PEM' }, insecureIgnoreTlog: true, attestations: [] };

const signer = (status: SignerStatus): SignerOutcome => ({ identity: 0, describe: 'x', status, summary: status });

describe('signer policies from authorities', () => {
  it('one per keyless identity, attestations from the authority and the spec, workflow → name claim', () => {
    const out = signerPoliciesFor({ attestations: [{ predicateType: 'https://slsa.dev/provenance/v1', sourceRepository: 'image' }] }, keyless);
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({
      authority: 'release',
      identity: 0,
      policy: {
        identity: 'https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main',
        issuer: 'https://token.actions.githubusercontent.com',
        github: { ref: 'refs/heads/main', name: 'Release' },
        requireAttestations: [{ predicateType: 'https://spdx.dev/Document' }, { predicateType: 'https://slsa.dev/provenance/v1', sourceRepository: 'image' }],
      },
    });
    expect(out[1]!.policy).toMatchObject({ identityRegExp: '.*@acme\\.example', issuerRegExp: 'https://accounts\\.google\\.com' });
  });

  it('a key authority becomes keys, with the tlog waiver passed through', () => {
    expect(signerPoliciesFor({ attestations: [] }, keyed)).toEqual([{ authority: 'key', identity: null, policy: { keys: ['PEM'], insecureIgnoreTlog: true } }]);
  });
});

describe('verdicts', () => {
  const ok = authorityOutcome(keyless, [signer('failed'), signer('verified')]);
  const bad = authorityOutcome(keyed, [signer('failed')]);
  const unsigned = authorityOutcome(keyed, [signer('unsigned')]);

  it('an authority is satisfied when one of its identities verifies', () => {
    expect(ok).toMatchObject({ satisfied: true, status: 'verified', kind: 'keyless' });
    expect(bad).toMatchObject({ satisfied: false, status: 'failed', kind: 'key' });
  });

  it('enforce: pass when one authority is satisfied, fail otherwise', () => {
    expect(decidePolicy({ name: 'p', mode: 'enforce' }, '**', [bad, ok])).toMatchObject({ verdict: 'pass', satisfiedBy: 'release' });
    const failed = decidePolicy({ name: 'p', mode: 'enforce' }, '**', [bad]);
    expect(failed).toMatchObject({ verdict: 'fail', satisfiedBy: null });
    expect(decideImage([failed])).toBe('fail');
    expect(runStatusUnderPolicy([failed], 'failed')).toBe('failed');
    expect(runStatusUnderPolicy([decidePolicy({ name: 'p', mode: 'enforce' }, '**', [unsigned])], 'unsigned')).toBe('unsigned');
  });

  it('warn: the verdict is warn, the run status is what the signatures say', () => {
    const warned = decidePolicy({ name: 'w', mode: 'warn' }, '**', [bad]);
    expect(warned.verdict).toBe('warn');
    expect(decideImage([warned])).toBe('warn');
    expect(runStatusUnderPolicy([warned], 'failed')).toBe('failed');
    expect(runStatusUnderPolicy([warned], 'unsigned')).toBe('unsigned');
  });

  it('every matching policy must pass; a failing enforce policy wins over a warning; no policy is no-match', () => {
    const pass = decidePolicy({ name: 'a', mode: 'enforce' }, '**', [ok]);
    const warn = decidePolicy({ name: 'w', mode: 'warn' }, '**', [bad]);
    const fail = decidePolicy({ name: 'f', mode: 'enforce' }, '**', [bad]);
    expect(decideImage([pass, warn])).toBe('warn');
    expect(runStatusUnderPolicy([pass, warn], 'verified')).toBe('verified');
    expect(decideImage([pass, warn, fail])).toBe('fail');
    expect(runStatusUnderPolicy([pass, fail], 'verified')).toBe('failed');
    expect(decideImage([pass])).toBe('pass');
    expect(decideImage([])).toBe('no-match');
  });

  it('unknown (stored evidence cannot tell) is neither pass nor fail', () => {
    const unknown = decidePolicy({ name: 'u', mode: 'enforce' }, '**', [authorityOutcome(keyed, [signer('unknown')])]);
    expect(unknown.verdict).toBe('unknown');
    expect(decideImage([unknown])).toBe('unknown');
    expect(runStatusUnderPolicy([unknown], 'unknown')).toBe('unknown');
  });
});
