import { describe, expect, it } from 'vitest';
import { isCosignSignatureType, parseSimpleSigningPayload, MAX_PAYLOAD_BYTES } from './payload';
import { attachmentTag, signatureTag } from './tags';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const doc = (over: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': 'ghcr.io/acme/app' }, image: { 'docker-manifest-digest': DIGEST }, type: 'cosign container image signature' }, optional: null, ...over }));

describe('parseSimpleSigningPayload', () => {
  it('reads the fields cosign writes (optional null or object)', () => {
    const r = parseSimpleSigningPayload(doc());
    expect(r).toEqual({ ok: true, payload: { dockerReference: 'ghcr.io/acme/app', manifestDigest: DIGEST, type: 'cosign container image signature', optional: {} } });
    const withOptional = parseSimpleSigningPayload(doc({ optional: { sha: 'abc' } }));
    expect(withOptional.ok && withOptional.payload.optional).toEqual({ sha: 'abc' });
  });

  it('gives a reason for every malformed payload instead of throwing', () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from('not json'), /not JSON/],
      [Buffer.from('[]'), /not a cosign simple-signing document/],
      [doc({ critical: { identity: {}, image: { 'docker-manifest-digest': DIGEST }, type: 'x' } }), /critical\.identity\.docker-reference/],
      [doc({ critical: { identity: { 'docker-reference': 'r' }, image: { 'docker-manifest-digest': 'sha256:XYZ' }, type: 'x' } }), /docker-manifest-digest/],
      [Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 32), /above the/],
    ];
    for (const [bytes, re] of cases) {
      const r = parseSimpleSigningPayload(bytes);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(re);
    }
  });

  it('recognises the cosign signature type only', () => {
    expect(isCosignSignatureType('cosign container image signature')).toBe(true);
    expect(isCosignSignatureType('Cosign Container Image Signature')).toBe(true);
    expect(isCosignSignatureType('atomic container signature')).toBe(false);
  });
});

describe('cosign tags', () => {
  it('maps a digest to its .sig/.att tag and refuses non-digests', () => {
    expect(signatureTag(DIGEST)).toBe(`sha256-${'ab'.repeat(32)}.sig`);
    expect(attachmentTag(DIGEST, 'att')).toBe(`sha256-${'ab'.repeat(32)}.att`);
    expect(() => signatureTag('latest')).toThrow(/not a digest/);
  });
});
