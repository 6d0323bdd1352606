import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../verify/policy';
import { signerPoliciesFor } from './evaluate';
import { MAX_POLICY_BYTES, PolicyParseError, parsePolicyYaml, toYaml } from './parse';
import { policyHash } from './types';

const PEM = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const indented = (pem: string, n: number) => pem.trim().split('\n').map((l) => `${' '.repeat(n)}${l}`).join('\n');

const VALID = `# Release images must come from the release workflow, on main or a v* tag.
apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: release-signed
  annotations:
    team: platform
spec:
  images:
    - glob: "127.0.0.1:5000/demo/**"
    - glob: ghcr.io/acme/*
  authorities:
    - name: release-workflow
      keyless:
        url: https://fulcio.sigstore.dev
        identities:
          - issuer: https://token.actions.githubusercontent.com
            subjectRegExp: https://github\\.com/acme/widget/\\.github/workflows/release\\.yml@refs/.*
            github:
              repository: acme/widget
              ref: refs/tags/v*
              trigger: push
      ctlog:
        url: https://rekor.sigstore.dev
      attestations:
        - name: provenance
          predicateType: slsaprovenance1
          builderId: https://github.com/actions/runner/github-hosted
    - name: release-key
      key:
        data: |
${indented(PEM, 10)}
---
apiVersion: policy.sigstore.dev/v1alpha1
kind: ClusterImagePolicy
metadata:
  name: everything-warn
spec:
  mode: warn
  images: [{ glob: "**" }]
  authorities:
    - keyless:
        identities:
          - issuerRegExp: https://token\\.actions\\.githubusercontent\\.com
            subject: https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main
`;

/** 1-based line of the first occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split('\n').length;
}

function issuesOf(text: string) {
  try {
    parsePolicyYaml(text);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyParseError);
    return (e as PolicyParseError).issues;
  }
  throw new Error('expected the policy to be refused');
}

function messageOf(text: string): string {
  try {
    parsePolicyYaml(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the policy to be refused');
}

/** VALID with one line replaced (1-based), to put errors at known lines. */
function editLine(n: number, replacement: string): string {
  const lines = VALID.split('\n');
  lines[n - 1] = replacement;
  return lines.join('\n');
}

describe('parsePolicyYaml — valid documents', () => {
  it('reads a ClusterImagePolicy file with two documents into two normalized policies', () => {
    const p = parsePolicyYaml(VALID);
    expect(p.policies).toHaveLength(2);
    const [release, warn] = p.policies;
    expect(release).toMatchObject({ name: 'release-signed', mode: 'enforce', images: [{ glob: '127.0.0.1:5000/demo/**' }, { glob: 'ghcr.io/acme/*' }], attestations: [] });
    expect(release!.annotations).toEqual({ team: 'platform' });
    expect(release!.authorities.map((a) => a.name)).toEqual(['release-workflow', 'release-key']);
    expect(release!.authorities[0]!.keyless!.identities[0]!.github).toEqual({ repository: 'acme/widget', ref: 'refs/tags/v*', trigger: 'push' });
    expect(release!.authorities[1]!.key!.data).toBe(`${PEM.trim()}\n`);
    expect(warn).toMatchObject({ name: 'everything-warn', mode: 'warn' });
    // Unnamed authorities are named as policy-controller names them.
    expect(warn!.authorities[0]!.name).toBe('authority-0');
  });

  it('turns authorities into compilable signer policies (identity, ref glob, key, attestations)', () => {
    const [release] = parsePolicyYaml(VALID).policies;
    const [keyless] = signerPoliciesFor(release!, release!.authorities[0]!);
    expect(keyless!.policy).toEqual({
      identityRegExp: 'https://github\\.com/acme/widget/\\.github/workflows/release\\.yml@refs/.*',
      issuer: 'https://token.actions.githubusercontent.com',
      github: { repository: 'acme/widget', refGlob: 'refs/tags/v*', trigger: 'push' },
      requireAttestations: [{ predicateType: 'https://slsa.dev/provenance/v1', builderId: 'https://github.com/actions/runner/github-hosted' }],
    });
    expect(() => compilePolicy(keyless!.policy)).not.toThrow();
    const [key] = signerPoliciesFor(release!, release!.authorities[1]!);
    expect(compilePolicy(key!.policy).keys).toHaveLength(1);
  });

  it('round-trips through toYaml', () => {
    const p = parsePolicyYaml(VALID);
    const yaml = toYaml(p);
    expect(yaml).toContain('kind: ClusterImagePolicy');
    expect(yaml).toContain('-----BEGIN PUBLIC KEY-----');
    const again = parsePolicyYaml(yaml);
    expect(again).toEqual(p);
    expect(policyHash(again)).toBe(policyHash(p));
    expect(toYaml(again)).toBe(yaml);
  });

  it('hashes the meaning, not the formatting', () => {
    const reformatted = VALID.replace('# Release images', '# Reformatted:   release images').replace('images: [{ glob: "**" }]', 'images:\n    - glob: "**"');
    expect(policyHash(parsePolicyYaml(reformatted))).toBe(policyHash(parsePolicyYaml(VALID)));
    expect(policyHash(parsePolicyYaml(VALID.replace('mode: warn', 'mode: enforce')))).not.toBe(policyHash(parsePolicyYaml(VALID)));
  });
});

describe('parsePolicyYaml — errors name the line and the field', () => {
  it('a missing issuer', () => {
    const text = editLine(17, '          - issuerTypo: x'.replace('issuerTypo: x', 'subject: https://github.com/acme/widget/x'));
    // Line 17 was "- issuer: …"; line 18 (subjectRegExp) now conflicts with the subject given on 17.
    const issues = issuesOf(text);
    expect(issues).toContainEqual(expect.objectContaining({ line: 17, path: 'spec.authorities[0].keyless.identities[0].issuer', message: 'required (or issuerRegExp)' }));
    expect(issues).toContainEqual(expect.objectContaining({ line: 18, path: 'spec.authorities[0].keyless.identities[0].subjectRegExp', message: 'give subject or subjectRegExp, not both' }));
    expect(messageOf(text)).toContain('line 17: spec.authorities[0].keyless.identities[0].issuer: required (or issuerRegExp)');
  });

  it('an unknown field, with a hint for a near miss', () => {
    const text = editLine(18, VALID.split('\n')[17]!.replace('subjectRegExp', 'subjectRegexp'));
    const issues = issuesOf(text);
    expect(issues).toContainEqual({ line: 18, column: 13, path: 'spec.authorities[0].keyless.identities[0].subjectRegexp', message: 'unknown field (did you mean subjectRegExp?)' });
    const typo = issuesOf(editLine(17, VALID.split('\n')[16]!.replace('issuer:', 'isuer:')));
    expect(typo).toContainEqual(expect.objectContaining({ line: 17, message: 'unknown field (did you mean issuer?)' }));
    expect(issuesOf(`${VALID.split('\n---\n')[0]}\nfoo: 1\n`)[0]!.message).toBe('unknown field');
  });

  it('unknown top-level keys', () => {
    const first = `${VALID.split('\n---\n')[0]}\nextra: 1\n`;
    expect(issuesOf(first)).toEqual([expect.objectContaining({ line: lineOf(first, 'extra:'), path: 'extra', message: 'unknown field' })]);
  });

  it('a YAML syntax error', () => {
    const issues = issuesOf('apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nspec:\n  images: [ { glob: a/* }\n  authorities: []\n');
    expect(issues[0]!.message).toMatch(/^YAML syntax error/);
    expect(issues[0]!.line).toBeGreaterThanOrEqual(4);
  });

  it('duplicate keys', () => {
    const issues = issuesOf(editLine(3, 'kind: ClusterImagePolicy\nkind: ClusterImagePolicy'));
    expect(issues[0]).toMatchObject({ line: 4, message: expect.stringMatching(/unique/) });
  });

  it('wrong types', () => {
    const issues = issuesOf(editLine(10, '    - glob: 42').replace('mode: warn', 'mode: audit').replace('  images:\n    - glob: "127', '  images:\n    - glob: "127'));
    expect(issues).toContainEqual(expect.objectContaining({ line: 10, path: 'spec.images[0].glob', message: 'expected a string, got a number' }));
    expect(issues).toContainEqual(expect.objectContaining({ path: 'spec.mode', message: 'must be enforce or warn' }));
    const list = issuesOf('apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata: {name: x}\nspec:\n  images: {glob: "a/*"}\n  authorities: []\n');
    expect(list).toContainEqual({ line: 5, column: 3, path: 'spec.images', message: 'expected a list, got a mapping' });
    expect(list).toContainEqual({ line: 6, column: 3, path: 'spec.authorities', message: 'give at least one authority' });
  });

  it('authority kinds: neither, both, bad key, bad regexp, unsupported features', () => {
    const base = (authority: string) => `apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: p\nspec:\n  images:\n    - glob: "**"\n  authorities:\n${authority}`;
    expect(issuesOf(base('    - name: nothing\n'))).toEqual([{ line: 9, column: 7, path: 'spec.authorities[0]', message: 'give keyless or key' }]);
    expect(issuesOf(base('    - key:\n        data: not a key\n'))[0]).toMatchObject({ line: 10, path: 'spec.authorities[0].key.data', message: expect.stringMatching(/PEM/) });
    expect(issuesOf(base('    - key:\n        kms: gcpkms://x\n'))).toContainEqual(expect.objectContaining({ line: 10, path: 'spec.authorities[0].key.kms', message: expect.stringMatching(/^not supported by Sigscope: KMS/) }));
    expect(issuesOf(base('    - keyless:\n        identities:\n          - issuer: x\n            subjectRegExp: "a)|(b"\n'))).toEqual([
      expect.objectContaining({ line: 12, path: 'spec.authorities[0].keyless.identities[0].subjectRegExp', message: expect.stringMatching(/regexp does not compile/) }),
    ]);
    expect(issuesOf(base('    - static:\n        action: pass\n'))).toContainEqual(expect.objectContaining({ path: 'spec.authorities[0].static', message: expect.stringMatching(/not supported/) }));
    expect(issuesOf(base('    - keyless:\n        identities:\n          - {issuer: x, subject: y}\n      attestations:\n        - name: a\n          predicateType: vuln\n          policy:\n            type: cue\n            data: "x"\n'))).toEqual([
      expect.objectContaining({ line: 15, path: 'spec.authorities[0].attestations[0].policy', message: expect.stringMatching(/CUE\/Rego/) }),
    ]);
    expect(issuesOf(base('    - keyless:\n        identities:\n          - {issuer: x, subject: y}\n      attestations:\n        - predicateType: nonsense\n'))[0]!.message).toMatch(/predicate type URI/);
  });

  it('globs with tags or odd characters', () => {
    expect(issuesOf(editLine(11, '    - glob: ghcr.io/acme/app:1.0'))[0]).toMatchObject({ line: 11, path: 'spec.images[1].glob', message: expect.stringMatching(/leave out the tag/) });
    expect(issuesOf(editLine(11, '    - glob: "ghcr.io/{a,b}/*"'))[0]).toMatchObject({ line: 11, message: expect.stringMatching(/a glob may use/) });
  });

  it('names are DNS-style and unique', () => {
    expect(issuesOf(editLine(5, '  name: Release Signed'))[0]).toMatchObject({ line: 5, path: 'metadata.name' });
    expect(issuesOf(VALID.replace('name: everything-warn', 'name: release-signed'))[0]).toMatchObject({ line: lineOf(VALID, 'name: everything-warn'), message: expect.stringMatching(/duplicate policy name/) });
    expect(issuesOf(VALID.replace('name: release-key', 'name: release-workflow'))[0]).toMatchObject({ line: lineOf(VALID, 'name: release-key') + 0, path: 'spec.authorities[1].name', message: expect.stringMatching(/duplicate authority name/) });
  });
});

describe('parsePolicyYaml — hostile input', () => {
  it('refuses YAML aliases (billion laughs) without expanding them', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const started = Date.now();
    const issues = issuesOf(lines.join('\n'));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(issues[0]).toMatchObject({ line: 2, message: expect.stringMatching(/aliases \(\*a\) are not accepted/) });
    // Even a single harmless alias.
    expect(issuesOf(`${VALID.split('\n---\n')[0]!.replace('team: platform', 'team: &t platform\n    owner: *t')}`)[0]).toMatchObject({ line: 8 });
  });

  it('refuses documents above 256 KiB before parsing', () => {
    const huge = `${VALID}\n# ${'x'.repeat(MAX_POLICY_BYTES)}\n`;
    expect(messageOf(huge)).toMatch(/above the 256 KiB limit/);
  });

  it('refuses too many documents, empty input, non-mappings, deep nesting', () => {
    expect(messageOf(Array(40).fill('a: 1').join('\n---\n'))).toMatch(/at most 32/);
    expect(messageOf('')).toMatch(/empty/);
    expect(messageOf('- just\n- a list\n')).toMatch(/line 1: expected a ClusterImagePolicy mapping, got a list/);
    expect(messageOf('just a string')).toMatch(/got a string/);
    const deep = `apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata: {name: x}\nspec: {images: ${'['.repeat(20000)}${']'.repeat(20000)}, authorities: []}\n`;
    expect(messageOf(deep)).toBe('line 4: the document nests too deeply');
  });

  it('refuses control characters and overlong values', () => {
    expect(messageOf(VALID.replace('repository: acme/widget', 'repository: "acme/\\u001b[31mwidget"'))).toMatch(/control character/);
    expect(messageOf(VALID.replace('trigger: push', `trigger: ${'p'.repeat(2000)}`))).toMatch(/at most 1024 characters/);
  });

  it('refuses an exact ref and a subject without an issuer at compile time too', () => {
    expect(messageOf(VALID.replace('kind: ClusterImagePolicy', 'kind: ImagePolicy'))).toMatch(/line 3: kind: must be ClusterImagePolicy/);
  });
});
