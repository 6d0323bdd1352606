import { describe, expect, it } from 'vitest';
import { SigscopeError } from '../errors';
import { compilePolicy } from '../verify/policy';
import { PolicyParseError, parsePolicyYaml } from './parse';
import { MAX_MATCHED_LENGTH, regExpProblem } from './regex-safety';

const policyWith = (subjectRegExp: string) => `apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: hostile
spec:
  images: [{ glob: "**" }]
  authorities:
    - keyless:
        identities:
          - issuer: https://token.actions.githubusercontent.com
            subjectRegExp: '${subjectRegExp}'
`;

describe('catastrophic regexps', () => {
  it.each(['(a+)+$', '(a*)*b', '(x+x+)+y', '((ab)*)+c', '(.*a){30}'])('refuses %s', (pattern) => {
    expect(regExpProblem(pattern)).toMatch(/exponential time/);
  });

  it.each(['https://github\\.com/acme/.*', '^[a-z0-9._-]+@example\\.com$', 'refs/(heads|tags)/v[0-9]+'])('accepts %s', (pattern) => {
    expect(regExpProblem(pattern)).toBeUndefined();
  });

  it('refuses (a+)+$ at policy import with the line and an explanation', () => {
    let error: unknown;
    try {
      parsePolicyYaml(policyWith('(a+)+$'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyParseError);
    const issues = (error as PolicyParseError).issues;
    expect(issues.some((i) => /subjectRegExp/.test(i.path) && /exponential time/.test(i.message) && i.line === 11)).toBe(true);
  });

  it('refuses it from a verify request too (cosign-style flags)', () => {
    expect(() => compilePolicy({ identityRegExp: '(a+)+$', issuer: 'https://issuer.example' })).toThrow(SigscopeError);
    expect(() => compilePolicy({ identityRegExp: '(a+)+$', issuer: 'https://issuer.example' })).toThrow(/identity regexp "\(a\+\)\+\$" could take exponential time/);
  });

  it('evaluates accepted patterns, and never against absurdly long values', () => {
    const policy = compilePolicy({ identityRegExp: '[a-z]+@example\\.com', issuer: 'https://issuer.example' });
    expect(policy.identity!.test(`${'a'.repeat(MAX_MATCHED_LENGTH - 20)}@example.com`)).toBe(true);
    expect(policy.identity!.test(`${'a'.repeat(MAX_MATCHED_LENGTH)}@example.com`)).toBe(false); // too long to be an identity
    expect(policy.identity!.test(`${'a'.repeat(100_000)}!`)).toBe(false);
  });
});
