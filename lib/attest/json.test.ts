import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/support/fixtures';
import { boundedCopy, jsonDepthExceeds, own, path, prettyJson, str } from './json';

describe('prettyJson', () => {
  it('matches JSON.stringify(v, null, 2) on real JSON', () => {
    for (const file of [['conformance-sample', 'statement.json'], ['sigstore-go', 'examples', 'statement-provenance-sigstorejs1.3.0.json'], ['public-good-trust-root', 'targets', 'trusted_root.json']]) {
      const value: unknown = JSON.parse(readFixture(...file).toString('utf8'));
      expect(prettyJson(value, 1 << 20)).toEqual({ text: JSON.stringify(value, null, 2), truncated: false });
    }
    const odd = { a: [], b: {}, c: [undefined, () => 1], d: undefined, e: NaN, f: -0.5e-7, g: 'quote " and \\ and \u2028', h: [[[]]] };
    expect(prettyJson(odd, 10_000).text).toBe(JSON.stringify(odd, null, 2));
  });

  it('stops at the budget without serialising a giant string whole', () => {
    const r = prettyJson({ s: 'y'.repeat(50_000_000) }, 1000);
    expect(r.truncated).toBe(true);
    expect(r.text).toHaveLength(1000);
    expect(r.text.startsWith('{\n  "s": "yyy')).toBe(true);
  });

  it('bounds depth and writes bigints as strings', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 500; i++) deep = [deep];
    const r = prettyJson(deep, 1 << 20);
    expect(r.truncated).toBe(true);
    expect(r.text).toContain('"…"');
    expect(prettyJson({ n: BigInt(12) }, 100).text).toBe('{\n  "n": "12"\n}');
  });
});

describe('boundedCopy', () => {
  it('copies small values exactly and marks nothing truncated', () => {
    const v = { a: [1, 'two', { three: true }], b: null };
    expect(boundedCopy(v)).toEqual({ value: v, truncated: false });
  });

  it('cuts strings, keys, items, depth and total size', () => {
    const lim = { maxDepth: 2, maxKeys: 2, maxItems: 2, maxString: 3, maxNodes: 100 };
    expect(boundedCopy({ a: 'abcdef', b: [1, 2, 3], c: 1 }, lim)).toEqual({ value: { a: 'abc…', b: [1, 2] }, truncated: true });
    expect(boundedCopy({ a: { b: { c: 1 } } }, lim)).toEqual({ value: { a: { b: '…' } }, truncated: true });
    const wide = Array.from({ length: 1000 }, (_, i) => i);
    const r = boundedCopy(wide, { ...lim, maxItems: 10_000, maxNodes: 10 });
    expect((r.value as number[]).length).toBeLessThanOrEqual(10);
    expect(r.truncated).toBe(true);
  });

  it('keeps a "__proto__" key as data', () => {
    const r = boundedCopy(JSON.parse('{"__proto__": {"polluted": 1}, "x": 2}'));
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(Object.keys(r.value as object)).toEqual(['__proto__', 'x']);
    expect((r.value as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('readers', () => {
  it('jsonDepthExceeds counts containers only', () => {
    expect(jsonDepthExceeds('x', 0)).toBe(false);
    expect(jsonDepthExceeds({ a: [1] }, 2)).toBe(false);
    expect(jsonDepthExceeds({ a: [[1]] }, 2)).toBe(true);
  });

  it('own/path ignore inherited properties; str caps and skips empty', () => {
    expect(own({}, 'constructor')).toBeUndefined();
    expect(own([1], '0')).toBeUndefined();
    expect(path({ a: { b: 'c' } }, 'a', 'b')).toBe('c');
    expect(path({ a: null }, 'a', 'b')).toBeUndefined();
    expect(str('')).toBeUndefined();
    expect(str(5)).toBeUndefined();
    expect(str('abcdef', 4)).toBe('abc…');
  });
});
