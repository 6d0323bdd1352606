import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTar, tarHeader, tarPadding, TAR_END } from './tar';

function tar(files: Array<[string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, text] of files) {
    const data = Buffer.from(text);
    parts.push(tarHeader(name, data.length, 1_700_000_000), data, tarPadding(data.length));
  }
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

const limits = { maxFileBytes: 1024 * 1024, maxEntries: 100 };

describe('tar', () => {
  it('writes archives the system tar reads, and reads them back', () => {
    const long = `images/00001-0123456789abcdef/${'d'.repeat(60)}/${'f'.repeat(60)}.json`;
    const buf = tar([
      ['README.txt', 'hello\n'],
      ['images/00001-abc/evidence.json', '{"a":1}\n'],
      [long, 'x'.repeat(1000)],
    ]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-tar-'));
    writeFileSync(path.join(dir, 'a.tar'), buf);
    const listed = execFileSync('tar', ['-tf', path.join(dir, 'a.tar')]).toString().trim().split('\n');
    expect(listed).toEqual(['README.txt', 'images/00001-abc/evidence.json', long]);
    execFileSync('tar', ['-xf', path.join(dir, 'a.tar'), '-C', dir]);
    expect(readFileSync(path.join(dir, long), 'utf8')).toBe('x'.repeat(1000));
    expect(readTar(buf, limits).map((e) => [e.name, e.data.toString()])).toEqual([
      ['README.txt', 'hello\n'],
      ['images/00001-abc/evidence.json', '{"a":1}\n'],
      [long, 'x'.repeat(1000)],
    ]);
  });

  it('refuses unsafe paths, links, corrupt headers, truncation and oversized files', () => {
    expect(() => readTar(tar([['../etc/passwd', 'x']]), limits)).toThrow(/unsafe path/);
    expect(() => readTar(tar([['/abs', 'x']]), limits)).toThrow(/unsafe path/);
    const link = tar([['a', 'x']]);
    link.write('2', 156, 'ascii');
    expect(() => readTar(link, limits)).toThrow(/corrupt tar header/);
    // A symlink with a correct checksum.
    const h = tarHeader('a', 0, 0);
    h.write('2', 156, 'ascii');
    h.write('        ', 148, 'ascii');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    expect(() => readTar(Buffer.concat([h, TAR_END]), limits)).toThrow(/not a regular file/);
    expect(() => readTar(tar([['a', 'x'.repeat(600)]]).subarray(0, 700), limits)).toThrow(/truncated/);
    expect(() => readTar(tar([['a', 'x'.repeat(2000)]]), { ...limits, maxFileBytes: 1000 })).toThrow(/larger than/);
  });
});
