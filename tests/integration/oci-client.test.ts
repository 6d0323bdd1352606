/**
 * RegistryClient against a real Distribution registry (sandbox/registry.ts),
 * cross-checked with skopeo, plus a small hostile/auth-ing HTTP peer for what
 * an honest registry without auth never does (wrong bytes, endless bodies,
 * bad JSON, Bearer/Basic challenges, redirects, flaky answers).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverCosignSignatures } from '@/lib/cosign/discover';
import { attachmentTag } from '@/lib/cosign/tags';
import { ANNOTATION, COSIGN_SIMPLESIGNING_MEDIA_TYPE } from '@/lib/cosign/types';
import { SigscopeError, type SigscopeErrorCode } from '@/lib/errors';
import { RegistryClient, type RegistryClientOptions } from '@/lib/oci/client';
import { sha256Digest } from '@/lib/oci/digest';
import { isIndex } from '@/lib/oci/manifest';
import { OCI_INDEX, OCI_MANIFEST } from '@/lib/oci/media-types';
import { parseReference, withDigest } from '@/lib/oci/reference';
import { buildImage, buildMultiArchIndex, type BuiltImage, type BuiltIndex } from '@/sandbox/oci-images';
import { pushCosignSignatures, pushCosignTagManifest, pushImage, pushIndex, signatureTag } from '@/sandbox/push';
import { startRegistry, type RunningRegistry } from '@/sandbox/registry';

const run = promisify(execFile);

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

describe('RegistryClient against Distribution (docker-registry)', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let image: BuiltImage;
  let multi: BuiltIndex;
  const catalogRepos = ['app', 'multi', 'team/a', 'team/b', 'team/c', 'zeta'];

  const repo = (repository: string) => ({ registry: registry.host, repository });

  beforeAll(async () => {
    registry = await startRegistry();
    client = new RegistryClient({ allowHttp: [registry.host] });
    image = buildImage({ files: { 'hello.txt': 'hello app 1.2\n' } });
    multi = buildMultiArchIndex('multi');
    await pushImage(client, repo('app'), '1.2', image);
    await pushImage(client, repo('app'), 'latest', image);
    await pushIndex(client, repo('multi'), 'latest', multi);
    for (const name of ['team/a', 'team/b', 'team/c', 'zeta']) {
      await pushImage(client, repo(name), 'v1', buildImage({ files: { 'name.txt': name } }));
    }
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('pushes and resolves a tag to the digest of the pushed bytes', async () => {
    const ref = parseReference(`${registry.host}/app:1.2`);
    const got = await client.getManifest(ref);
    expect(got.digest).toBe(image.digest);
    expect(got.bytes.equals(image.manifest)).toBe(true);
    expect(got.mediaType).toBe(OCI_MANIFEST);
    expect(got.size).toBe(image.manifest.length);
  });

  it('gets a manifest by digest (the digest wins over the tag)', async () => {
    const ref = withDigest(parseReference(`${registry.host}/app:does-not-matter`), image.digest);
    const got = await client.getManifest(ref);
    expect(got.digest).toBe(image.digest);
    expect(got.manifest.mediaType).toBe(OCI_MANIFEST);
    if (isIndex(got.manifest)) throw new Error('expected an image manifest');
    expect(got.manifest.layers[0]?.digest).toBe(image.layers[0]?.digest);
  });

  it('HEADs a manifest, and answers null for a missing tag', async () => {
    expect(await client.headManifest(repo('app'), '1.2')).toEqual({ digest: image.digest, mediaType: OCI_MANIFEST, size: image.manifest.length });
    expect(await client.headManifest(repo('app'), image.digest)).toMatchObject({ digest: image.digest });
    expect(await client.headManifest(repo('app'), 'nope')).toBeNull();
  });

  it('lists the platforms of a multi-arch index and fetches each platform manifest', async () => {
    const got = await client.getManifest(repo('multi'), 'latest');
    expect(got.digest).toBe(multi.digest);
    expect(got.mediaType).toBe(OCI_INDEX);
    if (!isIndex(got.manifest)) throw new Error('expected an index');
    const platforms = client.resolvePlatforms(got.manifest);
    expect(platforms.map((p) => p.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    expect(new Set(platforms.map((p) => p.digest)).size).toBe(2);
    for (const [i, p] of platforms.entries()) {
      const child = await client.getManifest(repo('multi'), p.digest);
      expect(child.bytes.equals(multi.images[i]!.manifest)).toBe(true);
    }
  });

  it('lists tags', async () => {
    expect((await client.listTags(repo('app'))).sort()).toEqual(['1.2', 'latest']);
  });

  it('paginates the catalog with a small page size', async () => {
    const pages: string[][] = [];
    for await (const page of client.catalogPages({ registry: registry.host }, { pageSize: 2 })) pages.push(page);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.every((p) => p.length <= 2)).toBe(true);
    expect(pages.flat().sort()).toEqual([...catalogRepos].sort());
    expect((await client.catalog({ registry: registry.host }, { pageSize: 4 })).sort()).toEqual([...catalogRepos].sort());
  });

  it('fetches a blob and checks its digest', async () => {
    const layer = image.layers[0]!;
    const bytes = await client.getBlob(repo('app'), layer.digest);
    expect(sha256Digest(bytes)).toBe(layer.digest);
    expect(gunzipSync(bytes).toString('utf8')).toContain('hello app 1.2');
  });

  it('reports a missing tag, repository and blob as REGISTRY_NOT_FOUND with a useful message', async () => {
    await expectCode(client.getManifest(repo('app'), '9.9'), 'REGISTRY_NOT_FOUND', new RegExp(`registry ${registry.host} answered 404 for manifest app:9.9 — the tag does not exist`));
    await expectCode(client.getManifest(repo('ghost'), '1.0'), 'REGISTRY_NOT_FOUND', /the tag does not exist \(or the repository does not exist\)/);
    await expectCode(client.listTags(repo('ghost')), 'REGISTRY_NOT_FOUND', /answered 404 for tag list of ghost — the repository does not exist/);
    await expectCode(client.getBlob(repo('app'), `sha256:${'0'.repeat(64)}`), 'REGISTRY_NOT_FOUND', /blob/);
  });

  it('enforces size limits on manifests and blobs', async () => {
    await expectCode(client.getManifest(repo('app'), '1.2', { maxBytes: 100 }), 'SIZE_LIMIT', /over the limit of 100 bytes/);
    await expectCode(client.getBlob(repo('app'), image.layers[0]!.digest, 10), 'SIZE_LIMIT');
    const small = new RegistryClient({ allowHttp: [registry.host], maxManifestBytes: 50 });
    await expectCode(small.getManifest(repo('app'), '1.2'), 'SIZE_LIMIT');
  });

  it('refuses plain HTTP for a registry that was not allowed it', async () => {
    const httpsOnly = new RegistryClient({ maxRetries: 0 });
    const e = await expectCode(httpsOnly.getManifest(repo('app'), '1.2'), 'REGISTRY_HTTP_NOT_ALLOWED');
    expect(e.message).toContain(`--allow-http-registry ${registry.host}`);
  });

  it('stores cosign signatures at sha256-<hex>.sig', async () => {
    const payload = Buffer.from(JSON.stringify({ critical: { image: { 'docker-manifest-digest': image.digest }, type: 'cosign container image signature' } }));
    const { tag, digest } = await pushCosignSignatures(client, repo('app'), image.digest, [
      { payload, mediaType: COSIGN_SIMPLESIGNING_MEDIA_TYPE, annotations: { [ANNOTATION.signature]: 'MEUCIQ==' } },
    ]);
    expect(tag).toBe(signatureTag(image.digest));
    expect(tag).toBe(`sha256-${image.digest.slice('sha256:'.length)}.sig`);
    const sig = await client.getManifest(repo('app'), tag);
    expect(sig.digest).toBe(digest);
    if (isIndex(sig.manifest)) throw new Error('expected an image manifest');
    expect(sig.manifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(sig.manifest.layers[0]).toMatchObject({ mediaType: COSIGN_SIMPLESIGNING_MEDIA_TYPE, digest: sha256Digest(payload), annotations: { [ANNOTATION.signature]: 'MEUCIQ==' } });
    expect((await client.getBlob(repo('app'), sha256Digest(payload))).equals(payload)).toBe(true);
  });

  it('with a tag list read for the scan, answers for tags it does not name without asking the registry', async () => {
    const listed = await client.listTags(repo('app'));
    const scanClient = new RegistryClient({ allowHttp: [registry.host] });
    scanClient.useTagSnapshot(repo('app'), listed);
    const att = attachmentTag(image.digest, 'att');
    expect(scanClient.isListedAbsent(repo('app'), att)).toBe(true);
    expect(scanClient.isListedAbsent(repo('app'), signatureTag(image.digest))).toBe(false);
    expect(scanClient.isListedAbsent(repo('multi'), att)).toBe(false); // no list read for that repository
    // Pushed after the list was read: the scan's point-in-time view does not see it (the next scan will).
    const payload = Buffer.from('{"payloadType":"application/vnd.in-toto+json"}');
    await pushCosignTagManifest(client, repo('app'), att, [{ payload, mediaType: 'application/vnd.dsse.envelope.v1+json', annotations: {} }]);
    expect((await discoverCosignSignatures(scanClient, repo('app'), image.digest, 'att')).signatures).toEqual([]);
    expect((await discoverCosignSignatures(client, repo('app'), image.digest, 'att')).signatures).toHaveLength(1);
    await expectCode(scanClient.getManifest(repo('app'), att), 'REGISTRY_NOT_FOUND', /not in the repository's tag list/);
  });

  it('skopeo, as an independent client, sees the digests we pushed', async () => {
    expect(existsSync('/usr/bin/skopeo'), 'skopeo is missing: apt-get install -y skopeo (scripts/setup.sh does)').toBe(true);
    const inspect = async (...args: string[]) => (await run('/usr/bin/skopeo', ['inspect', '--tls-verify=false', ...args], { timeout: 20_000 })).stdout;
    const info = JSON.parse(await inspect(`docker://${registry.host}/app:1.2`)) as { Digest: string };
    expect(info.Digest).toBe(image.digest);
    const rawIndex = await inspect('--raw', `docker://${registry.host}/multi:latest`);
    expect(sha256Digest(Buffer.from(rawIndex))).toBe(multi.digest);
  });

  it('reports a stopped registry as REGISTRY_UNREACHABLE, quickly', async () => {
    const gone = await startRegistry();
    await gone.stop();
    const c = new RegistryClient({ allowHttp: [gone.host], maxRetries: 1, retryBaseDelayMs: 10, timeoutMs: 2000 });
    const started = Date.now();
    await expectCode(c.getManifest({ registry: gone.host, repository: 'app' }, 'latest'), 'REGISTRY_UNREACHABLE', /connection refused/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

// ---------------------------------------------------------------------------
// A hostile / auth-ing peer: what Distribution without auth cannot produce.

interface Peer {
  host: string;
  /** Requests seen, in order: "METHOD path auth". */
  log: string[];
  /** Bytes written by the endless-body route before the client hung up. */
  endlessBytesSent: () => number;
  close: () => Promise<void>;
}

const goodImage = buildImage({ files: { 'peer.txt': 'served by the hostile peer\n' } });
const otherImage = buildImage({ files: { 'peer.txt': 'something else entirely\n' } });
const ALICE = `Basic ${Buffer.from('alice:secret').toString('base64')}`;

async function startPeer(): Promise<Peer> {
  const log: string[] = [];
  let endless = 0;
  let flaky = 0;
  let host = '';
  const manifest = (res: ServerResponse, body: Buffer, headers: Record<string, string> = {}) => {
    res.writeHead(200, { 'Content-Type': OCI_MANIFEST, 'Content-Length': String(body.length), ...headers });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const bytes = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(bytes.length), ...headers });
    res.end(bytes);
  };
  const bearerChallenge = (scope: string) => ({ 'WWW-Authenticate': `Bearer realm="http://${host}/token",service="peer",scope="${scope}"` });

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const auth = req.headers.authorization ?? '-';
    log.push(`${req.method} ${url.pathname}${url.search} ${auth}`);
    const p = url.pathname;

    if (p === '/token') {
      const scope = url.searchParams.get('scope') ?? '';
      if (url.searchParams.get('service') !== 'peer') return json(res, 400, { errors: [{ code: 'BAD_SERVICE' }] });
      if (auth === ALICE) return json(res, 200, { token: 'tok-alice', expires_in: 300 });
      if (scope === 'repository:private:pull') return json(res, 200, { access_token: 'tok-anon', expires_in: 300 });
      return json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });
    }
    if (p.startsWith('/v2/private/') || p.startsWith('/v2/locked/')) {
      const name = p.split('/')[2]!;
      const ok = (name === 'private' && (auth === 'Bearer tok-anon' || auth === 'Bearer tok-alice')) || (name === 'locked' && auth === 'Bearer tok-alice');
      if (!ok) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, bearerChallenge(`repository:${name}:pull`));
      if (p.includes('/blobs/')) {
        res.writeHead(307, { Location: `http://localhost:${host.split(':')[1]}/cdn/blob` });
        return res.end();
      }
      return manifest(res, goodImage.manifest, { 'Docker-Content-Digest': goodImage.digest });
    }
    if (p === '/cdn/blob') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      return res.end(goodImage.config.bytes);
    }
    if (p.startsWith('/v2/basic/')) {
      if (auth !== ALICE) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'WWW-Authenticate': 'Basic realm="peer"' });
      return manifest(res, goodImage.manifest);
    }
    if (p.startsWith('/v2/cleartext/')) {
      return json(res, 401, {}, { 'WWW-Authenticate': 'Bearer realm="http://127.0.0.2:9/token",service="peer"' });
    }
    if (p === `/v2/hostile/manifests/${goodImage.digest}`) return manifest(res, otherImage.manifest); // bytes ≠ requested digest
    if (p === '/v2/hostile/manifests/liar') return manifest(res, goodImage.manifest, { 'Docker-Content-Digest': otherImage.digest });
    if (p === '/v2/hostile/manifests/badjson') return manifest(res, Buffer.from('{"schemaVersion": 2, "layers": ['));
    if (p === '/v2/hostile/manifests/wrongshape') return manifest(res, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: 'x' })));
    if (p === `/v2/hostile/blobs/${goodImage.config.digest}`) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      return res.end(otherImage.config.bytes);
    }
    if (p === '/v2/hostile/manifests/endless') {
      // Chunked, no Content-Length: only a limit enforced while streaming stops this.
      res.writeHead(200, { 'Content-Type': OCI_MANIFEST });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && endless < 256 * 1024 * 1024) {
          endless += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    if (p === '/v2/hostile/manifests/slow') return; // never answers
    if (p === '/v2/hostile/manifests/flaky') {
      flaky++;
      if (flaky === 1) return json(res, 503, { errors: [{ code: 'UNAVAILABLE' }] }, { 'Retry-After': '0' });
      if (flaky === 2) return json(res, 429, { errors: [{ code: 'TOOMANYREQUESTS' }] }, { 'Retry-After': '30' });
      return manifest(res, goodImage.manifest);
    }
    if (p === '/v2/hostile/manifests/down') return json(res, 503, { errors: [{ code: 'UNAVAILABLE', message: 'maintenance\u001b[31m' }] });
    if (p === '/v2/hostile/tags/list') {
      if (url.searchParams.get('last') === 'b') return json(res, 200, { name: 'hostile', tags: ['c'] });
      return json(res, 200, { name: 'hostile', tags: ['a', 'b'] }, { Link: '</v2/hostile/tags/list?last=b&n=2>; rel="next"' });
    }
    if (p === '/v2/escape/tags/list') return json(res, 200, { name: 'escape', tags: ['a'] }, { Link: '<https://evil.example/v2/x>; rel="next"' });
    if (p === '/v2/loop/tags/list') return json(res, 200, { name: 'loop', tags: ['a'] }, { Link: '</v2/loop/tags/list>; rel="next"' });
    if (p === '/v2/badtags/tags/list') return json(res, 200, { name: 'badtags', tags: ['ok', '../../etc'] });
    return json(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] });
  };

  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    log,
    endlessBytesSent: () => endless,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('RegistryClient against a hostile or authenticating peer', () => {
  let peer: Peer;
  const at = (repository: string) => ({ registry: peer.host, repository });
  const clientFor = (extra: RegistryClientOptions = {}) => new RegistryClient({ allowHttp: [peer.host], maxRetries: 0, timeoutMs: 3000, ...extra });

  beforeAll(async () => {
    peer = await startPeer();
  });
  afterAll(async () => {
    await peer?.close();
  });

  it('refuses a manifest whose bytes do not match the requested digest', async () => {
    await expectCode(clientFor().getManifest(at('hostile'), goodImage.digest), 'DIGEST_MISMATCH', /hashes to sha256:.* but sha256:.* was expected/);
  });

  it('refuses a manifest whose Docker-Content-Digest header disagrees with its bytes', async () => {
    await expectCode(clientFor().getManifest(at('hostile'), 'liar'), 'DIGEST_MISMATCH', /Docker-Content-Digest/);
  });

  it('refuses a blob whose bytes do not match its digest', async () => {
    await expectCode(clientFor().getBlob(at('hostile'), goodImage.config.digest), 'DIGEST_MISMATCH');
  });

  it('stops reading an endless body at the size limit', async () => {
    await expectCode(clientFor().getManifest(at('hostile'), 'endless', { maxBytes: 1024 * 1024 }), 'SIZE_LIMIT', /more than 1048576 bytes/);
    await new Promise((r) => setTimeout(r, 100));
    expect(peer.endlessBytesSent()).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses invalid JSON and schema-violating manifests', async () => {
    await expectCode(clientFor().getManifest(at('hostile'), 'badjson'), 'REGISTRY_BAD_RESPONSE', /not valid JSON/);
    await expectCode(clientFor().getManifest(at('hostile'), 'wrongshape'), 'REGISTRY_BAD_RESPONSE', /malformed/);
    await expectCode(clientFor().listTags(at('badtags')), 'REGISTRY_BAD_RESPONSE', /malformed page/);
  });

  it('times out on a registry that never answers', async () => {
    await expectCode(clientFor({ timeoutMs: 300 }).getManifest(at('hostile'), 'slow'), 'TIMEOUT', /did not answer within 0.3 s/);
  });

  it('retries 5xx and 429, honouring Retry-After up to the cap', async () => {
    const started = Date.now();
    const got = await clientFor({ maxRetries: 2, retryBaseDelayMs: 10, maxRetryDelayMs: 100 }).getManifest(at('hostile'), 'flaky');
    expect(got.digest).toBe(goodImage.digest);
    expect(Date.now() - started).toBeLessThan(2000); // Retry-After: 30 was capped
    const e = await expectCode(clientFor({ maxRetries: 1, retryBaseDelayMs: 10 }).getManifest(at('hostile'), 'down'), 'REGISTRY_ERROR', /answered 503/);
    expect(e.message).not.toMatch(/\u001b/); // registry text is sanitised
  });

  it('follows Link pagination for tags, and refuses cross-origin or looping links', async () => {
    expect(await clientFor().listTags(at('hostile'))).toEqual(['a', 'b', 'c']);
    await expectCode(clientFor().listTags(at('escape')), 'REGISTRY_BAD_RESPONSE', /another origin/);
    await expectCode(clientFor().listTags(at('loop')), 'REGISTRY_BAD_RESPONSE', /loop/);
  });

  it('answers a Bearer challenge with an anonymous token, caches it, and sends it up front afterwards', async () => {
    const c = clientFor();
    const start = peer.log.length;
    expect((await c.getManifest(at('private'), 'v1')).digest).toBe(goodImage.digest);
    expect((await c.getManifest(at('private'), 'v2')).digest).toBe(goodImage.digest);
    const seen = peer.log.slice(start);
    expect(seen.filter((l) => l.startsWith('GET /token')).length).toBe(1);
    expect(seen.find((l) => l.startsWith('GET /token'))).toContain('scope=repository%3Aprivate%3Apull');
    expect(seen.filter((l) => l.includes('/manifests/') && l.endsWith(' -')).length).toBe(1); // only the very first was anonymous
    expect(seen.filter((l) => l.endsWith('Bearer tok-anon')).length).toBe(2);
  });

  it('uses stored credentials at the token service, and says what to do without them', async () => {
    await expectCode(clientFor().getManifest(at('locked'), 'v1'), 'REGISTRY_AUTH', new RegExp(`anonymous access was refused; configure credentials for ${peer.host}`));
    const c = clientFor({ credentials: { [peer.host]: { username: 'alice', password: 'secret' } } });
    expect((await c.getManifest(at('locked'), 'v1')).digest).toBe(goodImage.digest);
  });

  it('answers a Basic challenge with stored credentials only', async () => {
    await expectCode(clientFor().getManifest(at('basic'), 'v1'), 'REGISTRY_AUTH', /requires a username and password/);
    const c = clientFor({ credentials: { [peer.host]: { username: 'alice', password: 'secret' } } });
    expect((await c.getManifest(at('basic'), 'v1')).digest).toBe(goodImage.digest);
  });

  it('never sends credentials to a token service over plain HTTP that was not allowed', async () => {
    const c = clientFor({ credentials: { [peer.host]: { username: 'alice', password: 'secret' } } });
    await expectCode(c.getManifest(at('cleartext'), 'v1'), 'REGISTRY_HTTP_NOT_ALLOWED', /127\.0\.0\.2:9/);
  });

  it('applies the HTTP policy to redirects and drops the token on a cross-origin redirect', async () => {
    const digest = goodImage.config.digest;
    await expectCode(clientFor().getBlob(at('private'), digest), 'REGISTRY_HTTP_NOT_ALLOWED', /localhost:/);
    const cdn = `localhost:${peer.host.split(':')[1]}`;
    const start = peer.log.length;
    const bytes = await clientFor({ allowHttp: [peer.host, cdn] }).getBlob(at('private'), digest);
    expect(bytes.equals(goodImage.config.bytes)).toBe(true);
    expect(peer.log.slice(start).find((l) => l.startsWith('GET /cdn/blob'))).toMatch(/ -$/);
  });
});
