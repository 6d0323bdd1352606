/**
 * A fault-injecting HTTP proxy in front of a real server (the sandbox registry or
 * Rekor log), on real loopback sockets: what a flaky network or an overloaded
 * registry does, on demand, for fault tests.
 *
 *   const proxy = await startFaultProxy(registry.host);
 *   proxy.inject({ kind: 'status', status: 503, times: 1 });   // next request gets 503
 *   proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': '1' } });
 *   proxy.inject({ kind: 'truncate' });   // real answer, cut after half its body
 *   proxy.inject({ kind: 'stall' });      // real headers and half the body, then silence
 *   proxy.inject({ kind: 'delay', ms: 5000 });
 *   await proxy.refuse(); …; await proxy.accept();  // connection refused, same port
 *   proxy.clear();
 *
 * A fault applies to every request (or to `times` of them, then clears itself)
 * whose path matches `path` when given. Requests are forwarded as they came; the
 * answer is relayed as is unless the fault changes it. Written by hand (about a
 * hundred lines on node:http) because the faults are specific to these tests.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** Answer directly (any status, headers and body: also a hostile 200). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string | Buffer }
  | { kind: 'delay'; ms: number }
  | { kind: 'truncate' }
  | { kind: 'stall' }
  | { kind: 'reset' };

export type FaultRule = Fault & { times?: number; path?: RegExp };

export interface FaultProxy {
  /** "127.0.0.1:PORT" */
  host: string;
  /** Requests seen (including faulted ones), as "METHOD /path". */
  log: string[];
  inject(rule: FaultRule): void;
  clear(): void;
  /** Stop listening: connections are refused until accept(). */
  refuse(): Promise<void>;
  accept(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const [upHost, upPort] = splitHost(upstream);
  const sockets = new Set<Socket>();
  let rule: (FaultRule & { left: number }) | null = null;
  const log: string[] = [];

  const take = (req: IncomingMessage): Fault | null => {
    if (!rule || (rule.path && !rule.path.test(req.url ?? ''))) return null;
    const fault = rule;
    if (--rule.left <= 0) rule = null;
    return fault;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault | null) => {
    const up = request(
      { host: upHost, port: upPort, method: req.method, path: req.url, headers: { ...req.headers, host: upstream } },
      (upRes) => {
        const headers = { ...upRes.headers };
        if (fault?.kind === 'truncate' || fault?.kind === 'stall') {
          // Keep the real Content-Length: the client expects more than it will get.
          res.writeHead(upRes.statusCode ?? 502, headers);
          const chunks: Buffer[] = [];
          upRes.on('data', (c: Buffer) => chunks.push(c));
          upRes.on('end', () => {
            const body = Buffer.concat(chunks);
            // Once the half is on the wire: cut the connection (truncate) or go silent (stall).
            res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
              if (fault.kind === 'truncate') res.socket?.destroy();
            });
          });
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  };

  const server: Server = createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    const fault = take(req);
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'status') {
      const body = fault.body ?? JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: `injected ${fault.status}` }] });
      res.writeHead(fault.status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...fault.headers });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    if (fault?.kind === 'delay') return void setTimeout(() => forward(req, res, null), fault.ms);
    forward(req, res, fault);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const close = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });

  await listen(0);
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    log,
    inject(r) {
      rule = { ...r, left: r.times ?? Number.POSITIVE_INFINITY };
    },
    clear() {
      rule = null;
    },
    refuse: close,
    accept: () => listen(port),
    stop: close,
  };
}

function splitHost(host: string): [string, number] {
  const i = host.lastIndexOf(':');
  return [host.slice(0, i), Number(host.slice(i + 1))];
}
