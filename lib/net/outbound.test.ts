import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigscopeError } from '../errors';
import { classifyAddress, embeddedIpv4 } from './addresses';
import { OutboundPolicy, allowHostsFromEnv, parseAllowEntry, type ResolvedAddress } from './outbound';

async function refusal(p: Promise<unknown>): Promise<SigscopeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SigscopeError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    // IPv6 forms carrying an IPv4 address are judged by that address.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'cloud metadata'],
    ['::ffff:10.1.2.3', 'private'],
    ['64:ff9b::a00:5', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['[::ffff:192.168.0.1]', 'private'],
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (ip, kind) => {
    expect(classifyAddress(ip)).toBe(kind);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2606:4700::1111', '2a00:1450::1', '::ffff:8.8.8.8'])('%s is public', (ip) => {
    expect(classifyAddress(ip)).toBeUndefined();
  });

  it('extracts the IPv4 address from mapped, NAT64 and 6to4 forms only', () => {
    expect(embeddedIpv4('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(embeddedIpv4('64:ff9b::102:304')).toBe('1.2.3.4');
    expect(embeddedIpv4('2002:102:304::1')).toBe('1.2.3.4');
    expect(embeddedIpv4('2606:4700::1111')).toBeUndefined();
  });
});

describe('allowed-host entries', () => {
  it('parses hosts, ports, IPv6 and ranges', () => {
    expect(parseAllowEntry('Registry.Internal:5000')).toEqual({ kind: 'name', host: 'registry.internal', port: 5000 });
    expect(parseAllowEntry('127.0.0.1')).toEqual({ kind: 'address', address: '127.0.0.1', port: undefined });
    expect(parseAllowEntry('[::1]:5000')).toEqual({ kind: 'address', address: '::1', port: 5000 });
    expect(parseAllowEntry('10.0.0.0/8')).toEqual({ kind: 'subnet', network: '10.0.0.0', prefix: 8 });
    expect(parseAllowEntry('fc00::/7')).toEqual({ kind: 'subnet', network: 'fc00::', prefix: 7 });
  });

  it.each(['', 'http://x', 'a b', 'host:99999', '10.0.0.0/33', 'user@host', 'host/path'])('refuses %j', (raw) => {
    expect(() => parseAllowEntry(raw)).toThrow(/must be a host/);
  });

  it('reads SIGSCOPE_ALLOW_HOSTS', () => {
    expect(allowHostsFromEnv({ SIGSCOPE_ALLOW_HOSTS: ' 127.0.0.1, registry.internal:5000 ,,' })).toEqual(['127.0.0.1', 'registry.internal:5000']);
  });
});

describe('OutboundPolicy.check', () => {
  const none = new OutboundPolicy();

  it.each([
    ['http://10.0.0.5:5000/v2/', /registry host 10\.0\.0\.5:5000 is a private address.*Settings → Allowed hosts/],
    ['http://169.254.169.254/latest/meta-data/', /cloud metadata/],
    ['http://[::ffff:169.254.169.254]/', /cloud metadata/],
    ['http://[::ffff:7f00:1]:5000/', /loopback/],
    ['http://2130706433/', /loopback/], // 127.0.0.1 as a decimal number: the URL parser normalises it
    ['http://0x7f.1/', /loopback/],
    ['http://0.0.0.0:5000/', /unspecified/],
    ['http://100.64.1.1/', /carrier-grade NAT/],
    ['http://[fd00::5]/', /private/],
    ['http://[fe80::1]/', /link-local/],
    ['http://224.0.0.1/', /multicast/],
  ])('refuses %s', async (url, message) => {
    const e = await refusal(none.check(new URL(url), 'registry'));
    expect(e.code).toBe('OUTBOUND_BLOCKED');
    expect(e.message).toMatch(message);
  });

  it('resolves names with the system resolver and refuses one that lands on loopback', async () => {
    const e = await refusal(none.check(new URL('http://localhost:5000/'), 'Rekor log'));
    expect(e.message).toMatch(/Rekor log host localhost:5000 resolves to a loopback address \((127\.0\.0\.1|::1)\)/);
  });

  it('refuses a name when any of its addresses is not public', async () => {
    const resolve = async (): Promise<ResolvedAddress[]> => [{ address: '93.184.216.34', family: 4 }, { address: '10.1.1.1', family: 4 }];
    const e = await refusal(new OutboundPolicy({ resolve }).check(new URL('https://mixed.example/'), 'registry'));
    expect(e.message).toMatch(/resolves to a private address \(10\.1\.1\.1\)/);
  });

  it('lets public addresses through and returns them', async () => {
    const resolve = async (): Promise<ResolvedAddress[]> => [{ address: '93.184.216.34', family: 4 }];
    await expect(new OutboundPolicy({ resolve }).check(new URL('https://public.example/'), 'registry')).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(none.check(new URL('https://8.8.8.8/'), 'registry')).resolves.toEqual([{ address: '8.8.8.8', family: 4 }]);
  });

  it('allows what an administrator listed: an address, a host:port, a name, a range', async () => {
    const p = new OutboundPolicy({ allowHosts: ['127.0.0.1:5000', 'registry.internal', '10.0.0.0/8', '::1'] });
    await expect(p.check(new URL('http://127.0.0.1:5000/'), 'registry')).resolves.toHaveLength(1);
    await expect(refusal(p.check(new URL('http://127.0.0.1:6000/'), 'registry'))).resolves.toMatchObject({ code: 'OUTBOUND_BLOCKED' });
    await expect(p.check(new URL('http://10.200.3.4/'), 'registry')).resolves.toHaveLength(1);
    await expect(p.check(new URL('http://[::1]:9/'), 'registry')).resolves.toHaveLength(1);
    // The mapped form of an allowed IPv4 address is a different entry: not silently equal.
    await expect(refusal(p.check(new URL('http://[::ffff:127.0.0.1]:5000/'), 'registry'))).resolves.toMatchObject({ code: 'OUTBOUND_BLOCKED' });
    await expect(refusal(p.check(new URL('http://169.254.169.254/'), 'registry'))).resolves.toMatchObject({ code: 'OUTBOUND_BLOCKED' });
    const named = new OutboundPolicy({ allowHosts: ['registry.internal'], resolve: async () => [{ address: '10.9.9.9', family: 4 }] });
    await expect(named.check(new URL('https://registry.internal/'), 'registry')).resolves.toEqual([{ address: '10.9.9.9', family: 4 }]);
  });

  it('refuses schemes other than http(s)', async () => {
    await expect(refusal(none.check(new URL('file:///etc/passwd'), 'registry'))).resolves.toMatchObject({ code: 'OUTBOUND_BLOCKED' });
  });
});

describe('OutboundPolicy.fetch against a real server on loopback', () => {
  let server: Server;
  let port: number;
  const seen: IncomingMessage[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req);
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-twice': ['a', 'b'] });
        res.end(`${req.method} ${req.url} host=${req.headers.host} body=${body}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('never connects to a refused address', async () => {
    const before = seen.length;
    const e = await refusal(new OutboundPolicy().fetch(`http://127.0.0.1:${port}/x`, {}, 'registry'));
    expect(e.code).toBe('OUTBOUND_BLOCKED');
    expect(seen.length).toBe(before);
  });

  it('sends method, headers and body, and returns status, headers and a streamed body', async () => {
    const res = await new OutboundPolicy({ allowHosts: [`127.0.0.1:${port}`] }).fetch(`http://127.0.0.1:${port}/p?q=1`, { method: 'POST', headers: { 'x-a': '1' }, body: 'hello' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-twice')).toBe('a, b');
    expect(await res.text()).toBe(`POST /p?q=1 host=127.0.0.1:${port} body=hello`);
    const head = await new OutboundPolicy({ allowHosts: ['127.0.0.1'] }).fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' });
    expect(head.body).toBeNull();
  });

  it('connects to the address it checked, whatever DNS says later (no rebinding)', async () => {
    // "rebind.test" does not exist in DNS: the only way to reach the server is the pinned, checked address.
    let lookups = 0;
    const resolve = async (): Promise<ResolvedAddress[]> => {
      lookups++;
      return lookups === 1 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '169.254.169.254', family: 4 }];
    };
    const p = new OutboundPolicy({ allowHosts: ['rebind.test'], resolve });
    const res = await p.fetch(`http://rebind.test:${port}/pinned`);
    expect(await res.text()).toBe(`GET /pinned host=rebind.test:${port} body=`);
    expect(lookups).toBe(1);
  });
});

describe('OutboundPolicy.request: the plain responses the registry client reads', () => {
  let server: Server;
  let port: number;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size') ?? 10);
      res.writeHead(req.url?.startsWith('/missing') ? 404 : 200, { 'content-type': 'text/plain', 'x-twice': ['a', 'b'], 'content-length': size });
      res.end(Buffer.alloc(size, 'x'));
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const policy = () => new OutboundPolicy({ allowHosts: [`127.0.0.1:${port}`] });
  const get = (p: OutboundPolicy, path: string) => p.request(new URL(`http://127.0.0.1:${port}${path}`), { method: 'GET', headers: {} }, 'registry');

  it('is refused like fetch for an address not allowed', async () => {
    const e = await refusal(new OutboundPolicy().request(new URL(`http://127.0.0.1:${port}/`), { method: 'GET', headers: {} }, 'registry'));
    expect(e.code).toBe('OUTBOUND_BLOCKED');
  });

  it('returns status, joined headers and the body as chunks', async () => {
    const res = await get(policy(), '/ok?size=100000');
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Twice')).toBe('a, b');
    expect(res.headers.get('absent')).toBeNull();
    let n = 0;
    for await (const chunk of res.body!) n += chunk.byteLength;
    expect(n).toBe(100_000);
  });

  it('drains a small unread body so the next request reuses the connection; closes a large one', async () => {
    const p = policy();
    const before = connections;
    for (let i = 0; i < 3; i++) await (await get(p, '/missing?size=300')).cancel();
    await new Promise((r) => setTimeout(r, 20));
    await (await get(p, '/ok')).cancel();
    const afterSmall = connections;
    expect(afterSmall - before).toBeLessThanOrEqual(1); // one connection, kept alive across the four (or one already pooled)
    await (await get(p, '/ok?size=1000000')).cancel(); // too large to drain: that connection is closed
    await (await get(p, '/ok')).cancel();
    expect(connections - afterSmall).toBe(1);
  });
});
