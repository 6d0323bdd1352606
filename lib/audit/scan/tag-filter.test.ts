import { describe, expect, it } from 'vitest';
import { compileTagFilter, compareTagsNewestFirst, isAttachmentTag } from './tag-filter';
import { TagFilterSchema } from './targets';

const tags = ['latest', 'v1.0.0', 'v1.2.0', 'v1.10.0', 'v2.0.0-rc.1', 'v2.0.0', 'main', `sha256-${'a'.repeat(64)}.sig`, `sha256-${'b'.repeat(64)}`, 'nightly-20261101', 'nightly-20261125'];
const f = (x: object) => compileTagFilter(TagFilterSchema.parse(x))(tags);

describe('tag filter', () => {
  it('leaves out cosign attachment and referrers fallback tags by default', () => {
    expect(f({})).not.toContain(`sha256-${'a'.repeat(64)}.sig`);
    expect(f({})).not.toContain(`sha256-${'b'.repeat(64)}`);
    expect(f({ skipSignatureTags: false })).toContain(`sha256-${'a'.repeat(64)}.sig`);
    expect(isAttachmentTag('sha256-abc.sig')).toBe(false);
  });
  it('filters by glob', () => {
    expect(f({ glob: 'nightly-*' })).toEqual(['nightly-20261125', 'nightly-20261101']);
  });
  it('filters by semver range, numerically not lexically', () => {
    expect(f({ semver: '>=1.2.0 <2' })).toEqual(['v1.10.0', 'v1.2.0']);
    expect(f({ semver: '^2.0.0-0' })).toEqual(['v2.0.0', 'v2.0.0-rc.1']);
  });
  it('keeps the most recent N, semver first', () => {
    expect(f({ latest: 3 })).toEqual(['v2.0.0', 'v2.0.0-rc.1', 'v1.10.0']);
    expect(f({ glob: 'v1.*', latest: 1 })).toEqual(['v1.10.0']);
  });
  it('refuses a bad range with a clear message', () => {
    expect(() => f({ semver: 'not a range at all ((' })).toThrow(/not a semver range/);
  });
  it('orders non-semver names newest-looking first', () => {
    expect(['a-1', 'a-3', 'a-2'].sort(compareTagsNewestFirst)).toEqual(['a-3', 'a-2', 'a-1']);
  });
});
