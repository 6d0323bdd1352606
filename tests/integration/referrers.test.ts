/**
 * OCI referrers discovery (lib/oci/referrers.ts) and attachment (sandbox/attach.ts):
 *
 * - against Distribution 2.8 (sandbox/registry.ts), which has no referrers API, so
 *   listing takes the tag-schema fallback that pushReferrer maintains;
 * - against small node:http peers for what Distribution cannot show: a hostile
 *   tag-schema index, and a registry that implements the referrers API.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNOTATION } from '@/lib/cosign/types';
import { SigscopeError, type SigscopeErrorCode } from '@/lib/errors';
import { RegistryClient } from '@/lib/oci/client';
import { sha256Digest } from '@/lib/oci/digest';
import { isIndex, type Descriptor } from '@/lib/oci/manifest';
import { DOCKER_MANIFEST_LIST, DSSE_ENVELOPE, OCI_EMPTY, OCI_INDEX, OCI_MANIFEST, SIGSTORE_BUNDLE_V03, SPDX_JSON } from '@/lib/oci/media-types';
import type { RepositoryLocator } from '@/lib/oci/reference';
import { fetchReferrer, listReferrers, referrersTag } from '@/lib/oci/referrers';
import { compilePolicy } from '@/lib/verify/policy';
import { parseTrustedRoot } from '@/lib/verify/trust-root';
import { verifySigstoreBundle } from '@/lib/verify/verify-bundle';
import { addToReferrersIndex, attachmentTag, EMPTY_JSON, pushAttachmentTag, pushReferrer } from '@/sandbox/attach';
import { bundleKeyless, imageSigningStatement, pushBundleReferrer, spdxDocument, spdxStatement } from '@/sandbox/bundles';
import { attestKeyless } from '@/sandbox/cosign-attest';
import { githubWorkflowIdentity, GITHUB_ACTIONS_ISSUER } from '@/sandbox/cosign-sign';
import { buildImage, type BuiltImage } from '@/sandbox/oci-images';
import { pushImage } from '@/sandbox/push';
import { startRegistry, type RunningRegistry } from '@/sandbox/registry';
import { startSigstoreInstance, type SigstoreInstance } from '@/sandbox/sigstore-instance';

const SBOM_TYPE = 'application/spdx+json';
const CLAIMS = { repository: 'acme/widget', workflowRef: '.github/workflows/release.yml@refs/heads/main' };

async function failure(promise: Promise<unknown>): Promise<SigscopeError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof SigscopeError) return e;
    throw e;
  }
  throw new Error('expected a SigscopeError, but the call succeeded');
}

async function expectCode(promise: Promise<unknown>, code: SigscopeErrorCode, message?: RegExp): Promise<SigscopeError> {
  const e = await failure(promise);
  expect(e.code, e.message).toBe(code);
  if (message) expect(e.message).toMatch(message);
  return e;
}

describe('referrers on Distribution 2.8 (tag-schema fallback)', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let app: BuiltImage;
  let bare: BuiltImage;
  let other: BuiltImage;
  const repo = (repository = 'acme/app'): RepositoryLocator => ({ registry: registry.host, repository });

  beforeAll(async () => {
    registry = await startRegistry();
    client = new RegistryClient({ allowHttp: [registry.host], maxRetries: 0 });
    app = buildImage({ files: { 'app.txt': 'referrers app\n' } });
    bare = buildImage({ files: { 'bare.txt': 'nothing attached\n' } });
    other = buildImage({ files: { 'other.txt': 'another image\n' } });
    for (const img of [app, bare, other]) await pushImage(client, repo(), img.digest, img);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('the registry has no referrers API (404), so discovery must use the tag schema', async () => {
    const res = await fetch(`${registry.url}/v2/acme/app/referrers/${app.digest}`, { headers: { Accept: OCI_INDEX } });
    expect(res.status).toBe(404);
    await res.body?.cancel();
    expect(await client.fetchReferrersApi(repo(), app.digest)).toBeNull();
  });

  it('an image with no referrers: source none', async () => {
    expect(await listReferrers(client, repo(), bare.digest)).toEqual({ source: 'none', descriptors: [], filtered: false });
    expect(await listReferrers(client, repo(), bare.digest, { artifactType: SBOM_TYPE })).toEqual({ source: 'none', descriptors: [], filtered: true });
    // A repository that does not exist reads the same.
    expect((await listReferrers(client, repo('acme/nothing-here'), bare.digest)).source).toBe('none');
  });

  it('pushReferrer writes an OCI 1.1 artifact and the tag-schema index; two types are both listed and filterable', async () => {
    const bundleBytes = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');
    const sbomBytes = Buffer.from(JSON.stringify(spdxDocument('acme/app')));
    const first = await pushReferrer(client, repo(), app.digest, {
      artifactType: SIGSTORE_BUNDLE_V03,
      layers: [{ mediaType: SIGSTORE_BUNDLE_V03, bytes: bundleBytes }],
      annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope' },
    });
    const afterFirst = await client.getManifest(repo(), referrersTag(app.digest));
    expect(isIndex(afterFirst.manifest) && afterFirst.manifest.manifests.map((d) => d.digest)).toEqual([first]);

    const second = await pushReferrer(client, repo(), app.digest, { artifactType: SBOM_TYPE, layers: [{ mediaType: SBOM_TYPE, bytes: sbomBytes, annotations: { 'org.opencontainers.image.title': 'sbom.spdx.json' } }] });

    // The artifact manifest: artifactType, empty config, subject = the image.
    const m = await client.getManifest(repo(), first);
    expect(m.mediaType).toBe(OCI_MANIFEST);
    const manifest = JSON.parse(m.bytes.toString());
    expect(manifest).toMatchObject({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: SIGSTORE_BUNDLE_V03,
      config: { mediaType: OCI_EMPTY, digest: sha256Digest(EMPTY_JSON), size: 2 },
      layers: [{ mediaType: SIGSTORE_BUNDLE_V03, digest: sha256Digest(bundleBytes), size: bundleBytes.length }],
      subject: { mediaType: OCI_MANIFEST, digest: app.digest, size: app.manifest.length },
      annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope' },
    });
    expect((await client.getBlob(repo(), sha256Digest(EMPTY_JSON))).toString()).toBe('{}');

    // Index updated, not overwritten.
    const all = await listReferrers(client, repo(), app.digest);
    expect(all.source).toBe('tag-fallback');
    expect(all.filtered).toBe(false);
    expect(all.descriptors).toEqual([
      { mediaType: OCI_MANIFEST, digest: first, size: expect.any(Number), artifactType: SIGSTORE_BUNDLE_V03, annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope' } },
      { mediaType: OCI_MANIFEST, digest: second, size: expect.any(Number), artifactType: SBOM_TYPE },
    ]);
    expect(all.indexDigest).toBe((await client.headManifest(repo(), referrersTag(app.digest)))?.digest);

    const sboms = await listReferrers(client, repo(), app.digest, { artifactType: SBOM_TYPE });
    expect(sboms).toMatchObject({ source: 'tag-fallback', filtered: true, filteredBy: 'client' });
    expect(sboms.descriptors.map((d) => d.digest)).toEqual([second]);
    expect((await listReferrers(client, repo(), app.digest, { artifactType: 'application/vnd.example.none' })).descriptors).toEqual([]);

    // fetchReferrer ties the listed artifact to the image; its layer is the SBOM.
    const got = await fetchReferrer(client, repo(), app.digest, sboms.descriptors[0]!);
    expect(got.artifactType).toBe(SBOM_TYPE);
    expect((await client.getBlob(repo(), got.manifest.layers[0]!.digest)).equals(sbomBytes)).toBe(true);

    // Re-pushing the same artifact is idempotent; the other image has its own index.
    await pushReferrer(client, repo(), app.digest, { artifactType: SBOM_TYPE, layers: [{ mediaType: SBOM_TYPE, bytes: sbomBytes, annotations: { 'org.opencontainers.image.title': 'sbom.spdx.json' } }] });
    expect((await listReferrers(client, repo(), app.digest)).descriptors).toHaveLength(2);
    expect((await listReferrers(client, repo(), bare.digest)).source).toBe('none');
  });

  it('an artifact with no blobs gets the empty descriptor as its layer', async () => {
    const digest = await pushReferrer(client, repo(), other.digest, { artifactType: 'application/vnd.example.marker', layers: [] });
    const m = JSON.parse((await client.getManifest(repo(), digest)).bytes.toString());
    expect(m.layers).toEqual([{ mediaType: OCI_EMPTY, digest: sha256Digest(EMPTY_JSON), size: 2 }]);
  });

  it('fetchReferrer refuses an index entry whose manifest refers to another image, or whose type differs', async () => {
    const foreign = await pushReferrer(client, repo(), other.digest, { artifactType: SBOM_TYPE, layers: [{ mediaType: SBOM_TYPE, bytes: Buffer.from('{}') }] });
    const size = (await client.headManifest(repo(), foreign))!.size;
    // Whoever can push the tag can list anything in it.
    await addToReferrersIndex(client, repo(), bare.digest, { mediaType: OCI_MANIFEST, digest: foreign, size, artifactType: SBOM_TYPE });
    const listed = await listReferrers(client, repo(), bare.digest);
    expect(listed.descriptors.map((d) => d.digest)).toEqual([foreign]);
    await expectCode(fetchReferrer(client, repo(), bare.digest, listed.descriptors[0]!), 'REGISTRY_BAD_RESPONSE', /does not refer to this image: its subject is sha256:/);

    const mislabeled: Descriptor = { mediaType: OCI_MANIFEST, digest: foreign, size, artifactType: SIGSTORE_BUNDLE_V03 };
    await expectCode(fetchReferrer(client, repo(), other.digest, mislabeled), 'REGISTRY_BAD_RESPONSE', /listed as application\/vnd\.dev\.sigstore\.bundle\.v0\.3\+json but its manifest says application\/spdx\+json/);
  });

  it('pushReferrer refuses a subject that is not in the repository', async () => {
    await expect(pushReferrer(client, repo(), 'sha256:' + '0'.repeat(64), { artifactType: SBOM_TYPE, layers: [] })).rejects.toThrow(/no such manifest/);
  });

  it('cosign tag attachments: .att and .sbom', async () => {
    const sbom = Buffer.from(JSON.stringify(spdxDocument('acme/app')));
    const sbomTag = await pushAttachmentTag(client, repo(), app.digest, 'sbom', [{ payload: sbom, mediaType: SPDX_JSON, annotations: {} }]);
    expect(sbomTag.tag).toBe(`sha256-${app.digest.slice(7)}.sbom`);
    const m = JSON.parse((await client.getManifest(repo(), sbomTag.tag)).bytes.toString());
    expect(m.layers).toEqual([{ mediaType: SPDX_JSON, digest: sha256Digest(sbom), size: sbom.length }]);
    expect(attachmentTag(app.digest, 'att')).toBe(`sha256-${app.digest.slice(7)}.att`);
  });

  describe('with signed artifacts from the local Sigstore instance', () => {
    let instance: SigstoreInstance;
    beforeAll(async () => {
      instance = await startSigstoreInstance();
    });
    afterAll(async () => {
      await instance?.stop();
    });

    it('a cosign v3 bundle referrer round-trips: list by artifactType, fetch, verify for the image', async () => {
      const image = buildImage({ files: { 'signed.txt': 'bundle-signed image\n' } });
      await pushImage(client, repo('acme/signed'), '1.0', image);
      const bundle = await bundleKeyless(imageSigningStatement(image.digest, `${registry.host}/acme/signed:1.0`), instance, CLAIMS);
      const created = new Date('2024-03-08T18:18:20.406Z');
      const digest = await pushBundleReferrer(client, repo('acme/signed'), image.digest, bundle, { created });
      await pushReferrer(client, repo('acme/signed'), image.digest, { artifactType: SBOM_TYPE, layers: [{ mediaType: SBOM_TYPE, bytes: Buffer.from('{}') }] });

      const listed = await listReferrers(client, repo('acme/signed'), image.digest, { artifactType: SIGSTORE_BUNDLE_V03 });
      expect(listed.source).toBe('tag-fallback');
      expect(listed.descriptors).toEqual([
        {
          mediaType: OCI_MANIFEST,
          digest,
          size: expect.any(Number),
          artifactType: SIGSTORE_BUNDLE_V03,
          annotations: {
            'dev.sigstore.bundle.content': 'dsse-envelope',
            'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1',
            'org.opencontainers.image.created': '2024-03-08T18:18:20.406Z',
          },
        },
      ]);
      const ref = await fetchReferrer(client, repo('acme/signed'), image.digest, listed.descriptors[0]!);
      const layer = ref.manifest.layers[0]!;
      expect(layer.mediaType).toBe(SIGSTORE_BUNDLE_V03);
      const fetched = JSON.parse((await client.getBlob(repo('acme/signed'), layer.digest)).toString());
      const opts = {
        policy: compilePolicy({ identity: githubWorkflowIdentity(CLAIMS.repository, CLAIMS.workflowRef), issuer: GITHUB_ACTIONS_ISSUER }),
        trust: parseTrustedRoot(Buffer.from(JSON.stringify(instance.trustedRoot)), 'sandbox').material,
      };
      expect(verifySigstoreBundle(fetched, { digest: image.digest }, opts).verdict).toBe('verified');
      expect(verifySigstoreBundle(fetched, { digest: app.digest }, opts)).toMatchObject({ verdict: 'failed', reasonCode: 'DIGEST_MISMATCH' });
    });

    it('a cosign .att manifest carries the DSSE layer with its annotations', async () => {
      const doc = spdxDocument('acme/app');
      const att = await attestKeyless(spdxStatement(app.digest, doc), instance, CLAIMS);
      const { tag } = await pushAttachmentTag(client, repo(), app.digest, 'att', [att]);
      const m = JSON.parse((await client.getManifest(repo(), tag)).bytes.toString());
      expect(m.layers).toHaveLength(1);
      expect(m.layers[0]).toMatchObject({ mediaType: DSSE_ENVELOPE, digest: sha256Digest(att.payload) });
      expect(m.layers[0].annotations).toEqual(att.annotations);
      expect(m.layers[0].annotations.predicateType).toBe('https://spdx.dev/Document');
      expect(m.layers[0].annotations[ANNOTATION.signature]).toBe('');
      const envelope = JSON.parse((await client.getBlob(repo(), m.layers[0].digest)).toString());
      expect(JSON.parse(Buffer.from(envelope.payload, 'base64').toString()).predicate).toEqual(doc);
    });
  });
});

// ---------------------------------------------------------------------------
// Small registries on 127.0.0.1 for what Distribution cannot produce.

interface Peer {
  host: string;
  requests: string[];
  close(): Promise<void>;
}

type Answer = { status: number; type?: string; body?: string | Buffer; headers?: Record<string, string> };

async function startPeer(route: (path: string, url: URL) => Answer): Promise<Peer> {
  const requests: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const a = route(url.pathname, url);
    res.writeHead(a.status, { ...(a.type ? { 'content-type': a.type } : {}), ...a.headers });
    res.end(req.method === 'HEAD' ? undefined : a.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const SUBJECT = 'sha256:' + '5a'.repeat(32);
const TAG_PATH_SUFFIX = `/manifests/${referrersTag(SUBJECT)}`;
const NOT_FOUND: Answer = { status: 404, type: 'application/json', body: JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: 'not found' }] }) };

function desc(i: number, artifactType: string): Descriptor {
  return { mediaType: OCI_MANIFEST, digest: sha256Digest(Buffer.from(`referrer ${i}`)), size: 100 + i, artifactType };
}

function indexOf(manifests: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests, ...extra });
}

describe('hostile tag-schema index', () => {
  let peer: Peer;
  let client: RegistryClient;
  const cases: Record<string, Answer> = {
    toomany: { status: 200, type: OCI_INDEX, body: indexOf(Array.from({ length: 5000 }, (_, i) => desc(i, SBOM_TYPE))) },
    six: { status: 200, type: OCI_INDEX, body: indexOf(Array.from({ length: 6 }, (_, i) => desc(i, SBOM_TYPE))) },
    imagemanifest: { status: 200, type: OCI_MANIFEST, body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc(1, SBOM_TYPE), layers: [] }) },
    dockerlist: { status: 200, type: OCI_INDEX, body: indexOf([], { mediaType: DOCKER_MANIFEST_LIST }) },
    badjson: { status: 200, type: OCI_INDEX, body: '{"schemaVersion": 2, "manifests": [' },
    array: { status: 200, type: OCI_INDEX, body: '[]' },
    baddigest: { status: 200, type: OCI_INDEX, body: indexOf([{ mediaType: OCI_MANIFEST, digest: 'sha256:not-hex', size: 1 }]) },
    huge: { status: 200, type: OCI_INDEX, body: indexOf([desc(1, SBOM_TYPE)], { annotations: { pad: 'x'.repeat(64 * 1024) } }) },
    good: { status: 200, type: OCI_INDEX, body: indexOf([desc(1, SBOM_TYPE), desc(1, SBOM_TYPE), desc(2, SIGSTORE_BUNDLE_V03)]) },
    broken: { status: 500, type: 'text/plain', body: 'oops' },
  };

  beforeAll(async () => {
    peer = await startPeer((path) => {
      const m = /^\/v2\/hostile\/([a-z]+)(\/.*)$/.exec(path);
      if (!m || m[2]!.startsWith('/referrers/')) return NOT_FOUND; // no referrers API
      if (m[2] === TAG_PATH_SUFFIX) return cases[m[1]!] ?? NOT_FOUND;
      return NOT_FOUND;
    });
    client = new RegistryClient({ allowHttp: [peer.host], maxRetries: 0 });
  });
  afterAll(async () => {
    await peer?.close();
  });
  const list = (name: string, opts?: Parameters<typeof listReferrers>[3]) => listReferrers(client, { registry: peer.host, repository: `hostile/${name}` }, SUBJECT, opts);

  it('too many descriptors: a size error, not a schema dump', async () => {
    await expectCode(list('toomany'), 'SIZE_LIMIT', /lists more than 1024 referrers \(5000\)/);
    await expectCode(list('six', { maxReferrers: 5 }), 'SIZE_LIMIT', /more than 5 referrers/);
    expect((await list('six')).descriptors).toHaveLength(6);
  });

  it('wrong media type, invalid JSON, invalid descriptors: REGISTRY_BAD_RESPONSE naming the index', async () => {
    await expectCode(list('imagemanifest'), 'REGISTRY_BAD_RESPONSE', /referrers index at tag sha256-5a5a.*is served as application\/vnd\.oci\.image\.manifest\.v1\+json, expected an OCI image index/);
    await expectCode(list('dockerlist'), 'REGISTRY_BAD_RESPONSE', /declares mediaType application\/vnd\.docker\.distribution\.manifest\.list\.v2\+json/);
    await expectCode(list('badjson'), 'REGISTRY_BAD_RESPONSE', /is not valid JSON/);
    await expectCode(list('array'), 'REGISTRY_BAD_RESPONSE', /not a JSON object/);
    await expectCode(list('baddigest'), 'REGISTRY_BAD_RESPONSE', /is not a valid OCI image index: .*digest/);
  });

  it('an oversized index is refused while reading; a server error is an error, not "none"', async () => {
    await expectCode(list('huge', { maxBytes: 16 * 1024 }), 'SIZE_LIMIT');
    await expectCode(list('broken'), 'REGISTRY_ERROR', /answered 500/);
  });

  it('a sane index: duplicates dropped, filtered here; the API was asked first', async () => {
    const all = await list('good');
    expect(all.source).toBe('tag-fallback');
    expect(all.descriptors.map((d) => d.artifactType)).toEqual([SBOM_TYPE, SIGSTORE_BUNDLE_V03]);
    expect(await list('good', { artifactType: SIGSTORE_BUNDLE_V03 })).toMatchObject({ filtered: true, filteredBy: 'client', descriptors: [desc(2, SIGSTORE_BUNDLE_V03)] });
    expect(peer.requests).toContain(`GET /v2/hostile/good/referrers/${SUBJECT}`);
    expect(peer.requests).toContain(`GET /v2/hostile/good${TAG_PATH_SUFFIX}`);
  });

  it('rejects a malformed artifactType or digest before any request', async () => {
    await expectCode(list('good', { artifactType: 'not a type' }), 'INVALID_INPUT', /not a media type/);
    await expect(listReferrers(client, { registry: peer.host, repository: 'hostile/good' }, 'sha256:xyz')).rejects.toThrow();
  });
});

describe('a registry with the referrers API', () => {
  let peer: Peer;
  let client: RegistryClient;
  const all = [desc(1, SIGSTORE_BUNDLE_V03), desc(2, SBOM_TYPE), desc(3, SIGSTORE_BUNDLE_V03)];

  beforeAll(async () => {
    peer = await startPeer((path, url) => {
      const m = /^\/v2\/api\/([a-z0-9]+)\/referrers\/(sha256:[0-9a-f]{64})$/.exec(path);
      if (!m) return NOT_FOUND;
      const [, mode, digest] = m;
      if (digest !== SUBJECT) return { status: 200, type: OCI_INDEX, body: indexOf([]) };
      const wanted = url.searchParams.get('artifactType');
      const filtered = wanted ? all.filter((d) => d.artifactType === wanted) : all;
      switch (mode) {
        case 'filtering':
          return { status: 200, type: OCI_INDEX, body: indexOf(filtered), headers: wanted ? { 'OCI-Filters-Applied': 'artifactType' } : {} };
        case 'ignoring':
          return { status: 200, type: OCI_INDEX, body: indexOf(all) };
        case 'liar':
          return { status: 200, type: OCI_INDEX, body: indexOf(all), headers: { 'OCI-Filters-Applied': 'artifactType' } };
        case 'paged': {
          const page = url.searchParams.get('page');
          if (page === '2') return { status: 200, type: OCI_INDEX, body: indexOf(all.slice(2)) };
          return { status: 200, type: OCI_INDEX, body: indexOf(all.slice(0, 2)), headers: { Link: `<${path}?page=2>; rel="next"` } };
        }
        case 'loop':
          return { status: 200, type: OCI_INDEX, body: indexOf(all), headers: { Link: `<${path}>; rel="next"` } };
        case 'json':
          return { status: 200, type: 'application/json', body: indexOf(all) };
        case 'nomethod':
          return { status: 405, type: 'text/plain', body: 'method not allowed' };
        case 'badrequest':
          return { status: 400, type: 'application/json', body: JSON.stringify({ errors: [{ code: 'UNSUPPORTED' }] }) };
        case 'denied':
          return { status: 403, type: 'application/json', body: JSON.stringify({ errors: [{ code: 'DENIED' }] }) };
        default:
          return NOT_FOUND;
      }
    });
    client = new RegistryClient({ allowHttp: [peer.host], maxRetries: 0 });
  });
  afterAll(async () => {
    await peer?.close();
  });
  const list = (name: string, opts?: Parameters<typeof listReferrers>[3], digest = SUBJECT) => listReferrers(client, { registry: peer.host, repository: `api/${name}` }, digest, opts);

  it('lists through the API; the tag schema is not read', async () => {
    expect(await list('filtering')).toEqual({ source: 'api', descriptors: all, filtered: false });
    expect(peer.requests.some((r) => r.includes('/manifests/'))).toBe(false);
  });

  it('an image with no referrers: source api with an empty list', async () => {
    expect(await list('filtering', {}, 'sha256:' + '00'.repeat(32))).toEqual({ source: 'api', descriptors: [], filtered: false });
  });

  it('passes artifactType to the registry; trusts OCI-Filters-Applied only as far as the entries go', async () => {
    const want = SIGSTORE_BUNDLE_V03;
    const byRegistry = await list('filtering', { artifactType: want });
    expect(byRegistry).toEqual({ source: 'api', descriptors: [all[0], all[2]], filtered: true, filteredBy: 'registry' });
    expect(peer.requests).toContain(`GET /v2/api/filtering/referrers/${SUBJECT}?artifactType=${encodeURIComponent(want)}`);

    expect(await list('ignoring', { artifactType: SBOM_TYPE })).toEqual({ source: 'api', descriptors: [all[1]], filtered: true, filteredBy: 'client' });
    // Claims to have filtered but did not: the stray entry still does not get through.
    expect((await list('liar', { artifactType: SBOM_TYPE })).descriptors).toEqual([all[1]]);
  });

  it('follows Link pagination, bounded', async () => {
    expect((await list('paged')).descriptors).toEqual(all);
    await expectCode(list('paged', { maxReferrers: 2 }), 'SIZE_LIMIT', /more than 2 referrers/);
    await expectCode(list('loop'), 'REGISTRY_BAD_RESPONSE', /paginates in a loop/);
  });

  it('refuses an answer that is not an OCI index', async () => {
    await expectCode(list('json'), 'REGISTRY_BAD_RESPONSE', /Content-Type application\/json, expected application\/vnd\.oci\.image\.index\.v1\+json/);
  });

  it('400 and 405 mean "no API": falls back to the tag schema (here: none); other errors are errors', async () => {
    expect((await list('nomethod')).source).toBe('none');
    expect((await list('badrequest')).source).toBe('none');
    expect(peer.requests).toContain(`GET /v2/api/nomethod${TAG_PATH_SUFFIX}`);
    await expectCode(list('denied'), 'REGISTRY_AUTH');
  });
});
