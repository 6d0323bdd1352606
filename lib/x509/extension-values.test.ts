/**
 * The DER string decoders read the header of a plain string by hand and leave every other
 * encoding to asn1js. Whatever the path, the answer must be the one asn1js alone gives.
 */
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { decodeDerTextString, decodeDerUtf8String, decodeUtf8 } from './extension-values';
import { BER_LIMITS } from './limits';

/** decodeDerTextString as it was, on asn1js alone. */
function referenceText(bytes: Uint8Array): { text: string; utf8String: boolean } | null {
  if (bytes.length === 0) return null;
  const { offset, result } = asn1js.fromBER(bytes, BER_LIMITS);
  if (offset === -1 || offset !== bytes.length || result.error) return null;
  const { idBlock, valueBlock } = result as unknown as { idBlock: { tagClass: number; tagNumber: number; isConstructed: boolean }; valueBlock: { valueHexView?: unknown } };
  if (idBlock.tagClass !== 1 || idBlock.isConstructed || ![12, 19, 22, 26].includes(idBlock.tagNumber)) return null;
  const content = valueBlock.valueHexView instanceof Uint8Array ? valueBlock.valueHexView : new Uint8Array();
  const text = decodeUtf8(content);
  return text === null ? null : { text, utf8String: idBlock.tagNumber === 12 };
}

const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const header = (tag: number, length: number, lengthBytes?: number[]) =>
  lengthBytes ? [tag, ...lengthBytes] : length < 0x80 ? [tag, length] : length < 0x100 ? [tag, 0x81, length] : [tag, 0x82, length >> 8, length & 0xff];

describe('decodeDerTextString / decodeDerUtf8String', () => {
  const text = (n: number) => Array.from({ length: n }, (_, i) => 0x61 + (i % 26));
  const cases: Uint8Array[] = [
    hex(''),
    hex('0c'),
    hex('0c00'),
    hex('0c0161'),
    hex('0c026161'),
    hex('0c0261'), // cut short
    hex('0c016161'), // a byte left over
    hex('0c8100'),
    hex('0c810161'), // non-minimal long form: asn1js decides
    hex('0c820003616263'),
    hex('0c80616200'), // indefinite length on a primitive
    hex('2c0a0c03616263'), // constructed UTF8String
    hex('1f0c0161'), // long-form tag
    hex('1303616263'),
    hex('1603616263'),
    hex('1a03616263'),
    hex('1e0400610062'), // BMPString: not a text type here
    hex('0403616263'),
    hex('0c03ff6263'), // invalid UTF-8
    hex('0c02c3a9'),
    new Uint8Array([...header(0x0c, 0x80), ...text(0x80)]),
    new Uint8Array([...header(0x0c, 0xff), ...text(0xff)]),
    new Uint8Array([...header(0x0c, 0x100), ...text(0x100)]),
    new Uint8Array([...header(0x0c, 0x1234), ...text(0x1234)]),
    new Uint8Array([...header(0x0c, 0x7f, [0x82, 0x00, 0x7f]), ...text(0x7f)]),
    new Uint8Array([...header(0x0c, 0x80, [0x83, 0x00, 0x00, 0x80]), ...text(0x80)]),
    new Uint8Array([...header(0x16, 0x80), ...text(0x7f)]),
  ];

  it('agree with asn1js on crafted encodings', () => {
    for (const c of cases) {
      const label = Buffer.from(c).toString('hex');
      expect(decodeDerTextString(c), label).toEqual(referenceText(c));
      const ref = referenceText(c);
      expect(decodeDerUtf8String(c), label).toBe(ref?.utf8String ? ref.text : null);
      // ArrayBuffer input (as @peculiar/x509 hands values over) reads the same.
      expect(decodeDerTextString(c.slice().buffer), label).toEqual(ref);
    }
  });

  it('agree with asn1js on seeded random headers and contents', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const tags = [0x0c, 0x13, 0x16, 0x1a, 0x04, 0x2c, 0x0c, 0x0c];
    let decoded = 0;
    for (let i = 0; i < 3000; i++) {
      const n = rand(300);
      const binary = rand(5) === 0; // some contents with arbitrary bytes (mostly invalid UTF-8)
      const body = Array.from({ length: n }, () => (binary && rand(10) === 0 ? rand(256) : 0x20 + rand(0x5f)));
      const declared = rand(4) === 0 ? n + rand(3) - 1 : n;
      const bytes = new Uint8Array([...header(tags[rand(tags.length)]!, Math.max(0, declared)), ...body]);
      const ref = referenceText(bytes);
      expect(decodeDerTextString(bytes), Buffer.from(bytes).toString('hex')).toEqual(ref);
      if (ref) decoded++;
    }
    expect(decoded).toBeGreaterThan(500);
  });
});
