import { describe, expect, it } from 'vitest';
import { SigscopeError } from '../errors';
import { formatReference, parseReference, withDigest, referenceTarget, type ImageReference } from './reference';

const D256 = `sha256:${'a'.repeat(64)}`;
const D512 = `sha512:${'b'.repeat(128)}`;

type Expected = Partial<Omit<ImageReference, 'original'>>;

const valid: Array<[string, Expected]> = [
  ['nginx', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/nginx', tag: 'latest', digest: undefined }],
  ['nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
  ['library/nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
  ['bitnami/redis:7.2', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7.2' }],
  ['docker.io/nginx', { registry: 'docker.io', repository: 'library/nginx' }],
  ['index.docker.io/library/nginx', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/nginx' }],
  ['ghcr.io/sigstore/cosign/cosign:v2.4.1', { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'sigstore/cosign/cosign', tag: 'v2.4.1' }],
  ['ghcr.io/app', { registry: 'ghcr.io', repository: 'app', tag: 'latest' }],
  ['127.0.0.1:5000/app:1.2', { registry: '127.0.0.1:5000', apiHost: '127.0.0.1:5000', repository: 'app', tag: '1.2' }],
  ['localhost/app', { registry: 'localhost', repository: 'app', tag: 'latest' }],
  ['localhost:5000/team/app', { registry: 'localhost:5000', repository: 'team/app' }],
  ['localhost:5000', { registry: 'docker.io', repository: 'library/localhost', tag: '5000' }],
  ['[::1]:5000/app', { registry: '[::1]:5000', repository: 'app' }],
  ['Registry.Example.COM/app', { registry: 'registry.example.com', repository: 'app' }],
  [`nginx@${D256}`, { repository: 'library/nginx', tag: undefined, digest: D256 }],
  [`nginx:1.27@${D256}`, { repository: 'library/nginx', tag: '1.27', digest: D256 }],
  [`ghcr.io/org/app:v1@${D512}`, { registry: 'ghcr.io', tag: 'v1', digest: D512 }],
  [`127.0.0.1:5000/app@${D256}`, { registry: '127.0.0.1:5000', repository: 'app', digest: D256 }],
  ['a/b_c/d__e/f-g/h.i:T_a.g-1', { repository: 'a/b_c/d__e/f-g/h.i', tag: 'T_a.g-1' }],
  ['my--app:_tag', { repository: 'library/my--app', tag: '_tag' }],
  [`app:${'t'.repeat(128)}`, { tag: 't'.repeat(128) }],
  ['quay.io/coreos/etcd:v3.5.0', { registry: 'quay.io', repository: 'coreos/etcd' }],
  ['gcr.io/distroless/static-debian12:nonroot', { registry: 'gcr.io', repository: 'distroless/static-debian12', tag: 'nonroot' }],
];

const hostile: Array<[string, RegExp]> = [
  ['', /empty/],
  [' nginx', /whitespace at position 1/],
  ['nginx ', /whitespace/],
  ['ngi nx', /whitespace/],
  ['nginx\n', /whitespace/],
  ['nginx\u0000:1', /control character/],
  ['nginx\u001b[31m', /control character/],
  ['Nginx', /lowercase/],
  ['ghcr.io/Org/App', /lowercase/],
  ['ghcr.io/org/../etc', /may not contain "\.\."/],
  ['ghcr.io/./app', /may not contain "\."/],
  ['https://ghcr.io/org/app', /URL/],
  ['http://127.0.0.1:5000/app', /URL/],
  ['ghcr.io//app', /empty component/],
  ['app/', /empty component/],
  ['/app', /empty component/],
  ['nginx:', /tag after ":" is empty/],
  ['nginx:-bad', /tag/],
  ['nginx:.bad', /tag/],
  [`nginx:${'t'.repeat(129)}`, /tag/],
  ['nginx@', /digest/],
  ['nginx@sha256:abc', /64 lowercase hex/],
  [`nginx@sha256:${'A'.repeat(64)}`, /lowercase hex/],
  [`nginx@md5:${'a'.repeat(32)}`, /only sha256 and sha512/],
  [`nginx@sha512:${'a'.repeat(64)}`, /128 lowercase hex/],
  [`nginx@${D256}@${D256}`, /more than one "@"/],
  ['@' + D256, /repository name is missing/],
  [':tag', /repository name is missing/],
  [`${'a'.repeat(256)}`, /at most 255/],
  [`${'a'.repeat(600)}`, /at most 512/],
  ['ghcr.io:99999/app', /port/],
  ['ghcr.io:abc/app', /port/],
  ['-bad.example.com/app', /host name/],
  ['a..b.com/app', /host name/],
  ['::1:5000/app', /more than one ":"|IPv6/],
  ['app_/x', /component/],
  ['a/b-/c', /component/],
  ['café/app', /component/],
  ['app;rm -rf', /whitespace/],
  ['app%2F..', /component/],
];

describe('parseReference — valid references', () => {
  it.each(valid)('%s', (input, expected) => {
    const ref = parseReference(input);
    expect(ref.original).toBe(input);
    for (const [key, value] of Object.entries(expected)) {
      expect(ref[key as keyof ImageReference], key).toBe(value);
    }
  });
});

describe('parseReference — hostile or malformed input', () => {
  it.each(hostile)('%j', (input, message) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SigscopeError);
    expect((caught as SigscopeError).code).toBe('INVALID_REFERENCE');
    expect((caught as SigscopeError).message).toMatch(message);
    // Hostile bytes are never echoed raw into a message.
    expect((caught as SigscopeError).message).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('rejects non-string input', () => {
    expect(() => parseReference(undefined as unknown as string)).toThrow(SigscopeError);
  });
});

describe('formatReference / withDigest / referenceTarget', () => {
  it('formats canonically and familiarly', () => {
    const ref = parseReference('nginx:1.27');
    expect(formatReference(ref)).toBe('docker.io/library/nginx:1.27');
    expect(formatReference(ref, { familiar: true })).toBe('nginx:1.27');
    expect(formatReference(parseReference('127.0.0.1:5000/app:1.2'))).toBe('127.0.0.1:5000/app:1.2');
  });

  it('round-trips through formatReference', () => {
    for (const [input] of valid) {
      const ref = parseReference(input);
      const again = parseReference(formatReference(ref));
      expect({ ...again, original: '' }).toEqual({ ...ref, original: '' });
    }
  });

  it('pins a digest while keeping the tag for display; the digest is what gets fetched', () => {
    const pinned = withDigest(parseReference('ghcr.io/org/app:v1'), D256);
    expect(pinned.tag).toBe('v1');
    expect(pinned.digest).toBe(D256);
    expect(referenceTarget(pinned)).toBe(D256);
    expect(formatReference(pinned)).toBe(`ghcr.io/org/app:v1@${D256}`);
    expect(referenceTarget(parseReference('ghcr.io/org/app'))).toBe('latest');
  });

  it('withDigest refuses a malformed digest', () => {
    expect(() => withDigest(parseReference('app'), 'sha256:nope')).toThrow(/cannot pin/);
  });
});
