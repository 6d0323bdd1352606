import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from './csv';

describe('csvCell: formula injection', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+SUM(A1:A2)', "'+SUM(A1:A2)"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\r=1', "\"'\r=1\""],
    ['  =cmd|\' /C calc\'!A0', `'  =cmd|' /C calc'!A0`],
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
  ])('neutralises %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it.each([
    ['https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1', 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1'],
    ['sha256:abc', 'sha256:abc'],
    ['a-b', 'a-b'],
    ['user@example.com', 'user@example.com'],
  ])('leaves %j alone', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('quotes separators, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
  });

  it('writes numbers and empty cells', () => {
    expect(csvCell(42)).toBe('42');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvLine(['a', null, 3, '=x'])).toBe("a,,3,'=x\r\n");
  });
});
