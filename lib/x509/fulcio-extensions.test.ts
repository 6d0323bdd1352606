import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/support/fixtures';
import { FULCIO_EXTENSION_BY_KEY, FULCIO_EXTENSION_BY_OID, FULCIO_EXTENSIONS } from './index';

describe('FULCIO_EXTENSIONS table', () => {
  it('covers 1.3.6.1.4.1.57264.1.1 to .1.24 in order, once each', () => {
    expect(FULCIO_EXTENSIONS.map((e) => e.oid)).toEqual(Array.from({ length: 24 }, (_, i) => `1.3.6.1.4.1.57264.1.${i + 1}`));
    expect(FULCIO_EXTENSION_BY_OID.size).toBe(24);
    expect(FULCIO_EXTENSION_BY_KEY.size).toBe(24);
  });

  it('uses the agreed stable keys', () => {
    expect(FULCIO_EXTENSIONS.map((e) => e.key)).toEqual([
      'issuer', 'githubWorkflowTrigger', 'githubWorkflowSha', 'githubWorkflowName', 'githubWorkflowRepository', 'githubWorkflowRef',
      'otherName', 'issuerV2', 'buildSignerUri', 'buildSignerDigest', 'runnerEnvironment', 'sourceRepositoryUri',
      'sourceRepositoryDigest', 'sourceRepositoryRef', 'sourceRepositoryIdentifier', 'sourceRepositoryOwnerUri',
      'sourceRepositoryOwnerIdentifier', 'buildConfigUri', 'buildConfigDigest', 'buildTrigger', 'runInvocationUri',
      'sourceRepositoryVisibilityAtSigning', 'deploymentEnvironment', 'tokenSubject',
    ]);
  });

  it('records the encoding split described in oid-info.md', () => {
    const encodings = FULCIO_EXTENSIONS.map((e) => e.encoding);
    expect(encodings.slice(0, 6).every((e) => e === 'raw-utf8')).toBe(true);
    expect(encodings[6]).toBe('san-other-name');
    expect(encodings.slice(7).every((e) => e === 'der-utf8string')).toBe(true);
    const doc = readFixture('fulcio', 'docs', 'oid-info.md').toString('utf8');
    expect(doc).toContain('`1.3.6.1.4.1.57264.1.1` through `1.3.6.1.4.1.57264.1.6` are formatted as raw strings');
    expect(doc).toContain('`1.3.6.1.4.1.57264.1.8` through `1.3.6.1.4.1.57264.1.24` are formatted as DER-encoded strings');
  });

  it('has a label and one-sentence meaning for each, and deprecations that point at real keys', () => {
    for (const e of FULCIO_EXTENSIONS) {
      expect(e.label.length).toBeGreaterThan(3);
      expect(e.meaning).toMatch(/^[A-Z].*\.$/);
      expect(e.meaning).not.toMatch(/\.\s+[A-Z]/); // one sentence
      if ('supersededBy' in e) expect(FULCIO_EXTENSION_BY_KEY.get(e.supersededBy)?.deprecated).toBe(false);
    }
    expect(FULCIO_EXTENSIONS.filter((e) => e.deprecated).map((e) => e.oid.split('.').pop())).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('matches the headings of oid-info.md', () => {
    const doc = readFixture('fulcio', 'docs', 'oid-info.md').toString('utf8');
    for (const e of FULCIO_EXTENSIONS) {
      const heading = new RegExp(`^### ${e.oid.replace(/\./g, '\\.')} \\| (.+)$`, 'm').exec(doc)?.[1];
      expect(heading, e.oid).toBeDefined();
      const core = heading!.replace(/ \((deprecated|V2)\)$/, '');
      expect(e.label.toLowerCase(), e.oid).toContain(core.toLowerCase().replace(' at signing', ''));
    }
  });
});
