/**
 * The outbound guard end to end: RegistryClient (API requests, redirects, token
 * realms) and the Rekor clients refuse loopback, private and metadata addresses
 * unless an administrator allowed the host; credentials never reach a host they
 * do not belong to. Real servers on loopback stand in for "a private network".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigscopeError } from '@/lib/errors';
import { RegistryClient } from '@/lib/oci/client';
import { OutboundPolicy } from '@/lib/net/outbound';
import { RekorV1Client } from '@/lib/rekor/v1-client';
import { RekorV2TileClient } from '@/lib/rekor/v2-tiles';
import { buildImage } from '@/sandbox/oci-images';
import { pushImage } from '@/sandbox/push';
import { startRegistry, type RunningRegistry } from '@/sandbox/registry';

async function failure(p: Promise<unknown>): Promise<SigscopeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SigscopeError) return e;
    throw e;
  }
  throw new Error('expected a SigscopeError');
}

interface Peer {
  host: string;
  log: string[];
  close(): Promise<void>;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse, host: string) => void): Promise<Peer> {
  const log: string[] = [];
  let host = '';
  const server: Server = createServer((req, res) => {
    log.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
    handler(req, res, host);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    log,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const ALICE = `Basic ${Buffer.from('alice:secret').toString('base64')}`;

describe('outbound guard in front of the registry client', () => {
  let registry: RunningRegistry;
  let inner: Peer; // "another host on the private network"
  let peer: Peer; // a registry that redirects and challenges
  const image = buildImage({ files: { 'a.txt': 'ssrf\n' } });

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(new RegistryClient({ allowHttp: [registry.host], outbound: new OutboundPolicy({ allowHosts: [registry.host] }) }), { registry: registry.host, repository: 'app' }, '1', image);
    inner = await serve((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    });
    peer = await serve((req, res) => {
      const p = new URL(req.url ?? '/', 'http://x').pathname;
      if (p.startsWith('/v2/redirect-inner/blobs/')) {
        res.writeHead(307, { location: `http://${inner.host}/blob` });
        return res.end();
      }
      if (p.startsWith('/v2/redirect-metadata/blobs/')) {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' });
        return res.end();
      }
      if (p.startsWith('/v2/realm-metadata/')) {
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="http://169.254.169.254/token",service="x"' });
        return res.end();
      }
      if (p.startsWith('/v2/realm-elsewhere/')) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${inner.host}/token",service="x"` });
        return res.end();
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
    });
  });

  afterAll(async () => {
    await Promise.allSettled([registry?.stop(), inner?.close(), peer?.close()]);
  });

  it('refuses the loopback registry when nobody allowed it, with a message saying who can', async () => {
    const c = new RegistryClient({ allowHttp: [registry.host], maxRetries: 0, outbound: new OutboundPolicy() });
    const e = await failure(c.getManifest({ registry: registry.host, repository: 'app' }, '1'));
    expect(e.code).toBe('OUTBOUND_BLOCKED');
    expect(e.message).toMatch(new RegExp(`registry host ${registry.host} is a loopback address; .*an administrator allows the host in Settings → Allowed hosts`));
  });

  it('reaches it once allowed, by address:port or through SIGSCOPE_ALLOW_HOSTS (the default policy)', async () => {
    const byEntry = new RegistryClient({ allowHttp: [registry.host], outbound: new OutboundPolicy({ allowHosts: [registry.host] }) });
    expect((await byEntry.getManifest({ registry: registry.host, repository: 'app' }, '1')).digest).toBe(image.digest);
    // vitest.config.mts sets SIGSCOPE_ALLOW_HOSTS=127.0.0.1,localhost for the whole suite.
    const byEnv = new RegistryClient({ allowHttp: [registry.host] });
    expect((await byEnv.getManifest({ registry: registry.host, repository: 'app' }, '1')).digest).toBe(image.digest);
  });

  it('follows a redirect only to an allowed host, and never connects to the refused one', async () => {
    const c = new RegistryClient({ allowHttp: [peer.host, inner.host], maxRetries: 0, outbound: new OutboundPolicy({ allowHosts: [peer.host] }) });
    const before = inner.log.length;
    const e = await failure(c.getBlob({ registry: peer.host, repository: 'redirect-inner' }, image.config.digest));
    expect(e.code).toBe('OUTBOUND_BLOCKED');
    expect(e.message).toContain(`registry host ${inner.host} is a loopback address`);
    expect(inner.log.length).toBe(before);
  });

  it('refuses a redirect to the cloud metadata address', async () => {
    const c = new RegistryClient({ allowHttp: [peer.host, '169.254.169.254'], maxRetries: 0, outbound: new OutboundPolicy({ allowHosts: [peer.host] }) });
    const e = await failure(c.getBlob({ registry: peer.host, repository: 'redirect-metadata' }, image.config.digest));
    expect(e.code).toBe('OUTBOUND_BLOCKED');
    expect(e.message).toMatch(/169\.254\.169\.254 is a cloud metadata address/);
  });

  it('refuses a token realm on the metadata address', async () => {
    const c = new RegistryClient({ allowHttp: [peer.host, '169.254.169.254'], maxRetries: 0, outbound: new OutboundPolicy({ allowHosts: [peer.host] }) });
    const e = await failure(c.getManifest({ registry: peer.host, repository: 'realm-metadata' }, 'x'));
    expect(e.code).toBe('OUTBOUND_BLOCKED');
    expect(e.message).toMatch(/^token service host 169\.254\.169\.254 is a cloud metadata address/);
  });

  it("does not send a registry's credentials to a token realm on another host", async () => {
    const c = new RegistryClient({
      allowHttp: [peer.host, inner.host],
      maxRetries: 0,
      outbound: new OutboundPolicy({ allowHosts: ['127.0.0.1'] }),
      credentials: { [peer.host]: { username: 'alice', password: 'secret' } },
    });
    const before = inner.log.length;
    const e = await failure(c.getManifest({ registry: peer.host, repository: 'realm-elsewhere' }, 'x'));
    expect(e.code).toBe('REGISTRY_AUTH');
    expect(e.message).toContain(`the token service is on another host than registry ${peer.host}, so Sigscope did not send ${peer.host}'s credentials there`);
    const sent = inner.log.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^GET \/token\?.* -$/); // anonymous
    expect(sent.join('\n')).not.toContain(ALICE);
  });

  it('sends credentials stored for the realm host itself', async () => {
    const c = new RegistryClient({
      allowHttp: [peer.host, inner.host],
      maxRetries: 0,
      outbound: new OutboundPolicy({ allowHosts: ['127.0.0.1'] }),
      credentials: { [inner.host]: { username: 'alice', password: 'secret' } },
    });
    const before = inner.log.length;
    await failure(c.getManifest({ registry: peer.host, repository: 'realm-elsewhere' }, 'x'));
    expect(inner.log.slice(before)[0]).toContain(ALICE);
  });
});

describe('total time budget across retries', () => {
  it('stops retrying when the next wait would pass the budget, and reports the last answer', async () => {
    const busy = await serve((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end('{"errors":[{"code":"UNAVAILABLE","message":"busy"}]}');
    });
    try {
      // Ten retries allowed, one second apart, but only 1.5 s in total: two attempts fit.
      const c = new RegistryClient({ allowHttp: [busy.host], maxRetries: 10, maxRetryDelayMs: 5000, totalTimeoutMs: 1500, outbound: new OutboundPolicy({ allowHosts: [busy.host] }) });
      const e = await failure(c.getManifest({ registry: busy.host, repository: 'app' }, '1'));
      expect(e.code).toBe('REGISTRY_ERROR');
      expect(e.message).toMatch(/answered 503 .* a server-side error \(registry says: UNAVAILABLE: busy\)/);
      expect(busy.log).toHaveLength(2);
    } finally {
      await busy.close();
    }
  });
});

describe('outbound guard in front of the Rekor clients', () => {
  let log: Peer;
  beforeAll(async () => {
    log = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  afterAll(() => log.close());

  it('refuses a v1 log on loopback unless allowed, without connecting', async () => {
    const e = await failure(new RekorV1Client({ baseUrl: `http://${log.host}`, timeoutMs: 2000, maxRetries: 0, outbound: new OutboundPolicy() }).getLogInfo());
    expect(e.code).toBe('OUTBOUND_BLOCKED');
    expect(e.message).toMatch(new RegExp(`^Rekor log host ${log.host} is a loopback address`));
    expect(log.log).toHaveLength(0);
  });

  it('refuses a v2 log on a mapped metadata address', async () => {
    const c = new RekorV2TileClient({ baseUrl: 'https://[::ffff:169.254.169.254]', timeoutMs: 2000, maxRetries: 0, outbound: new OutboundPolicy() });
    const e = await failure(c.getCheckpointText());
    expect(e.code).toBe('OUTBOUND_BLOCKED');
    expect(e.message).toMatch(/Rekor v2 log host \[::ffff:a9fe:a9fe\] is a cloud metadata address/);
  });
});
