/**
 * A minimal ustar writer (regular files only) and reader, for the evidence archive.
 *
 * Written by hand: the project has no tar or zip package, the format needs ~60 lines for
 * regular files, and a fixed mtime/uid/gid/mode makes the archive byte-for-byte reproducible,
 * which tar packages do not promise. Reading is what `report verify-evidence` needs: regular
 * files only, sizes and paths bounded, no links, no absolute or `..` paths.
 */
import { SigscopeError } from '../errors';

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** A 512-byte ustar header for a regular file. */
export function tarHeader(name: string, size: number, mtimeSeconds: number): Buffer {
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`tar: path too long: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  const h = Buffer.alloc(BLOCK, 0);
  h.write(base, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.max(0, Math.floor(mtimeSeconds)), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest, 0);
}

/** End of archive: two zero blocks. */
export const TAR_END = Buffer.alloc(BLOCK * 2, 0);

export interface TarEntry {
  name: string;
  data: Buffer;
}

/** Reads regular files from an uncompressed tar; refuses links, devices, unsafe paths, files above `maxFileBytes`. */
export function readTar(buf: Buffer, limits: { maxFileBytes: number; maxEntries: number }): TarEntry[] {
  const out: TarEntry[] = [];
  let off = 0;
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    const field = (start: number, len: number) => h.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (Number.parseInt(field(148, 8).trim(), 8) !== sum) throw new SigscopeError('INVALID_INPUT', `evidence archive: corrupt tar header at byte ${off}`);
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    if (type !== '0') throw new SigscopeError('INVALID_INPUT', `evidence archive: ${name} is not a regular file (type ${type})`);
    if (!Number.isSafeInteger(size) || size < 0 || size > limits.maxFileBytes) throw new SigscopeError('INVALID_INPUT', `evidence archive: ${name} is larger than ${limits.maxFileBytes} bytes`);
    if (name.startsWith('/') || name.split('/').some((p) => p === '..' || p === '')) throw new SigscopeError('INVALID_INPUT', `evidence archive: unsafe path ${JSON.stringify(name)}`);
    off += BLOCK;
    if (off + size > buf.length) throw new SigscopeError('INVALID_INPUT', `evidence archive: ${name} is truncated`);
    out.push({ name, data: Buffer.from(buf.subarray(off, off + size)) });
    if (out.length > limits.maxEntries) throw new SigscopeError('INVALID_INPUT', `evidence archive: more than ${limits.maxEntries} files`);
    off += size + tarPadding(size).length;
  }
  return out;
}
