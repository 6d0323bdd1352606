import { describe, expect, it } from 'vitest';
import { SigscopeError } from '../errors';
import { computeDigest, parseDigest, sha256Digest, verifyDigest } from './digest';
import { isIndex, parseManifest } from './manifest';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_CONFIG, OCI_INDEX, OCI_MANIFEST } from './media-types';
import { resolvePlatforms } from './platforms';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const desc = (mediaType: string, c: string, extra: object = {}) => ({ mediaType, digest: d(c), size: 10, ...extra });
const bytes = (o: unknown) => Buffer.from(JSON.stringify(o));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof SigscopeError ? e.code : 'not-a-SigscopeError';
  }
  return undefined;
}

describe('digest', () => {
  it('computes and verifies sha256 and sha512', () => {
    const b = Buffer.from('hello');
    expect(sha256Digest(b)).toBe('sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(() => verifyDigest(b, computeDigest(b, 'sha512'), 'x')).not.toThrow();
    expect(codeOf(() => verifyDigest(b, d('0'), 'blob x'))).toBe('DIGEST_MISMATCH');
  });

  it('rejects malformed digests', () => {
    expect(parseDigest(d('a'))).toEqual({ algorithm: 'sha256', hex: 'a'.repeat(64) });
    for (const bad of ['sha256', 'sha256:', `sha256:${'a'.repeat(63)}`, `SHA256:${'a'.repeat(64)}`, `sha256:${'g'.repeat(64)}`]) {
      expect(codeOf(() => parseDigest(bad))).toBe('INVALID_REFERENCE');
    }
  });
});

describe('parseManifest', () => {
  const ociImage = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc(OCI_CONFIG, 'c'), layers: [desc('application/vnd.oci.image.layer.v1.tar+gzip', 'f')] };

  it('accepts an OCI image manifest with subject, artifactType and annotations', () => {
    const m = parseManifest(bytes({ ...ociImage, artifactType: 'application/vnd.example+json', subject: desc(OCI_MANIFEST, '5'), annotations: { a: 'b' } }), OCI_MANIFEST, 'm');
    expect(m.mediaType).toBe(OCI_MANIFEST);
    expect(isIndex(m)).toBe(false);
  });

  it('takes the media type from Content-Type when the body omits it', () => {
    const { mediaType: _omit, ...noType } = ociImage;
    expect(parseManifest(bytes(noType), OCI_MANIFEST, 'm').mediaType).toBe(OCI_MANIFEST);
    expect(parseManifest(bytes({ schemaVersion: 2, manifests: [] }), 'application/json', 'm').mediaType).toBe(OCI_INDEX);
  });

  it('accepts Docker v2 manifests and manifest lists; resolves platforms', () => {
    const list = parseManifest(
      bytes({
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST_LIST,
        manifests: [
          desc(DOCKER_MANIFEST, 'a', { platform: { os: 'linux', architecture: 'amd64' } }),
          desc(DOCKER_MANIFEST, 'b', { platform: { os: 'linux', architecture: 'arm', variant: 'v7' } }),
          desc(OCI_MANIFEST, 'c', { platform: { os: 'unknown', architecture: 'unknown' } }),
          desc(OCI_MANIFEST, 'e'),
        ],
      }),
      DOCKER_MANIFEST_LIST,
      'm',
    );
    expect(isIndex(list)).toBe(true);
    if (!isIndex(list)) return;
    expect(resolvePlatforms(list).map((p) => [p.digest, p.platform])).toEqual([
      [d('a'), { os: 'linux', architecture: 'amd64' }],
      [d('b'), { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ]);
    expect(parseManifest(bytes({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: desc('x/y', 'c'), layers: [] }), undefined, 'm').mediaType).toBe(DOCKER_MANIFEST);
  });

  it.each([
    ['not JSON', Buffer.from('{nope'), OCI_MANIFEST],
    ['a JSON array', bytes([]), OCI_MANIFEST],
    ['schema 1', bytes({ schemaVersion: 1, name: 'x' }), 'application/vnd.docker.distribution.manifest.v1+prettyjws'],
    ['Content-Type contradicting mediaType', bytes(ociImage), OCI_INDEX],
    ['unknown mediaType', bytes({ ...ociImage, mediaType: 'text/html' }), undefined],
    ['bad digest in a layer', bytes({ ...ociImage, layers: [{ ...desc('a/b', 'f'), digest: 'sha256:zz' }] }), OCI_MANIFEST],
    ['negative size', bytes({ ...ociImage, config: { ...desc(OCI_CONFIG, 'c'), size: -1 } }), OCI_MANIFEST],
    ['too many layers', bytes({ ...ociImage, layers: Array.from({ length: 1025 }, () => desc('a/b', 'f')) }), OCI_MANIFEST],
    ['too many annotations', bytes({ ...ociImage, annotations: Object.fromEntries(Array.from({ length: 513 }, (_, i) => [`k${i}`, 'v'])) }), OCI_MANIFEST],
    ['index mediaType with image fields', bytes({ schemaVersion: 2, mediaType: OCI_INDEX, config: {} }), OCI_INDEX],
  ])('refuses %s', (_name, body, contentType) => {
    expect(codeOf(() => parseManifest(body, contentType, 'm'))).toBe('REGISTRY_BAD_RESPONSE');
  });
});
