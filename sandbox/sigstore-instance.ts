/**
 * A private, offline Sigstore instance for tests and the demo: a Fulcio CA (with
 * an embedded-SCT CT log) built from `@sigstore/mock`'s pieces, and a Rekor v1
 * transparency log of our own (./rekor-log.ts), served over node:http on 127.0.0.1.
 *
 * Real cryptography throughout: certificates chain to the CA root, SCTs, SETs and
 * checkpoints are real ECDSA P-256 signatures, and the log is a real RFC 6962 tree
 * (sequential indexes, inclusion and consistency proofs, index search, persisted in
 * dataDir). What the mock Fulcio does NOT do: check the OIDC token's signature or
 * the proof of possession, or issue from an intermediate CA (the chain is leaf ->
 * self-signed root).
 */
import { createPrivateKey, createPublicKey, createHash, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fulcioHandler, initializeCA, initializeCTLog } from '@sigstore/mock';
import { MAX_REQUEST_BYTES, RekorLog, readBody, tooLarge } from './rekor-log';

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };
type MockCA = Awaited<ReturnType<typeof initializeCA>>;
type MockHandler = ReturnType<typeof fulcioHandler>;

export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';

/**
 * The JWT claim the local Fulcio copies into the certificate's URI SAN.
 * @sigstore/mock puts `claims[subjectClaim]` into a URI SAN verbatim; real Fulcio
 * derives `https://github.com/<job_workflow_ref>` for GitHub tokens, so the
 * signer (cosign-sign.ts) puts that derived value in this claim.
 */
export const SAN_CLAIM = 'sigscope_san';

/** Subject and issuer of @sigstore/mock's root certificate (fixed in the mock). */
const CA_SUBJECT = { organization: 'sigstore.mock', commonName: 'sigstore' } as const;
const STATE_FILE = 'sigstore-instance.json';
const ONE_DAY_MS = 24 * 60 * 60 * 1000;

/** Protobuf-JSON shapes of a trusted root (sigstore TrustedRoot v0.1), as written to disk. */
export interface TrustedRootJSON {
  mediaType: typeof TRUSTED_ROOT_MEDIA_TYPE;
  tlogs: TransparencyLogInstanceJSON[];
  certificateAuthorities: CertificateAuthorityJSON[];
  ctlogs: TransparencyLogInstanceJSON[];
  timestampAuthorities: CertificateAuthorityJSON[];
}
export interface TransparencyLogInstanceJSON {
  baseUrl: string;
  hashAlgorithm: 'SHA2_256';
  publicKey: { rawBytes: string; keyDetails: 'PKIX_ECDSA_P256_SHA_256'; validFor: { start: string; end?: string } };
  logId: { keyId: string };
}
export interface CertificateAuthorityJSON {
  subject: { organization: string; commonName: string };
  uri: string;
  certChain: { certificates: { rawBytes: string }[] };
  validFor: { start: string; end?: string };
}

export interface SigstoreInstance {
  /** Base URL of the local Fulcio (POST /api/v2/signingCert). */
  fulcioURL: string;
  /** Base URL of the local Rekor (the v1 API: entries, proofs, index search, public key). */
  rekorURL: string;
  /** The local Rekor itself (its key, tree and entries), for tests that look inside. */
  rekorLog: RekorLog;
  trustedRoot: TrustedRootJSON;
  /** CA certificates (root only: the mock has no intermediate), PEM, leaf-most first. */
  caChainPem: string;
  /** Rekor's log ID: sha256 of its DER SPKI, hex (the `logID` of cosign's bundle annotation). */
  rekorLogIdHex: string;
  /** True when keys and root certificate came from `dataDir` rather than being made now. */
  reusedKeys: boolean;
  writeTrustedRoot(path: string): Promise<void>;
  stop(): Promise<void>;
}

export interface SigstoreInstanceOptions {
  /** Persist keys, CA root certificate and start time here so the trusted root survives restarts. */
  dataDir?: string;
  /** Listen port (default 0 = random). Pin it so the trusted root's URLs stay stable too. */
  port?: number;
}

/** Everything that must survive a restart for old signatures to keep verifying. */
interface PersistedState {
  version: 1;
  createdAt: string;
  caKey: string;
  ctlogKey: string;
  tlogKey: string;
  caRootDer: string;
}

export async function startSigstoreInstance(opts: SigstoreInstanceOptions = {}): Promise<SigstoreInstance> {
  const loaded = opts.dataDir ? await loadState(opts.dataDir) : undefined;
  const caKeys = loaded ? keyPairFromPem(loaded.caKey) : newP256();
  const ctlogKeys = loaded ? keyPairFromPem(loaded.ctlogKey) : newP256();
  const tlogKeys = loaded ? keyPairFromPem(loaded.tlogKey) : newP256();
  // Whole seconds: integratedTime is in seconds, and a key valid from 12:00:00.500
  // would reject an entry integrated at 12:00:00.
  const createdAt = loaded ? new Date(loaded.createdAt) : new Date(Math.floor(Date.now() / 1000) * 1000);

  const ctlog = await initializeCTLog(ctlogKeys);
  const mockCA = await initializeCA(caKeys, ctlog);
  // initializeCA always self-signs a fresh root; with persisted keys we keep serving the
  // first root instead (same key and name, so new leaves chain to it and SCT issuer IDs match).
  let rootDer = loaded ? Buffer.from(loaded.caRootDer, 'base64') : copyBytes(mockCA.rootCertificate);
  let reusedKeys = loaded !== undefined;
  if (loaded && new Date(new X509Certificate(rootDer).validTo).getTime() < Date.now() + ONE_DAY_MS) {
    rootDer = copyBytes(mockCA.rootCertificate); // the mock's roots live 365 days: roll over
    reusedKeys = false;
  }
  const ca: MockCA = {
    // A fresh, exact-size buffer: the mock's PEM encoder reads `.buffer` whole.
    rootCertificate: new Uint8Array(rootDer),
    issueCertificate: (o) => mockCA.issueCertificate(o),
  };

  const server = createServer();
  // Clients (make-fetch-happen) reuse idle sockets; a server closing them first (Node's 5 s
  // default) makes the next request fail with ECONNRESET under load.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let rekorLog: RekorLog;
  try {
    // The log's entries live next to the keys, so it survives restarts with them.
    rekorLog = await RekorLog.open({ baseUrl: baseURL, privateKey: tlogKeys.privateKey, dataDir: opts.dataDir });
  } catch (e) {
    server.close();
    throw e;
  }
  routeRequests(server, [withWrappedPem(fulcioHandler(ca, { subjectClaim: SAN_CLAIM }))], rekorLog);

  if (opts.dataDir) {
    const state: PersistedState = {
      version: 1,
      createdAt: createdAt.toISOString(),
      caKey: pkcs8Pem(caKeys),
      ctlogKey: pkcs8Pem(ctlogKeys),
      tlogKey: pkcs8Pem(tlogKeys),
      caRootDer: rootDer.toString('base64'),
    };
    await mkdir(opts.dataDir, { recursive: true });
    await writeFile(join(opts.dataDir, STATE_FILE), JSON.stringify(state, null, 2), { mode: 0o600 });
  }

  const rootCert = new X509Certificate(rootDer);
  const trustedRoot: TrustedRootJSON = {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [logInstance(baseURL, spkiDer(tlogKeys), createdAt)],
    certificateAuthorities: [
      {
        subject: { ...CA_SUBJECT },
        uri: baseURL,
        certChain: { certificates: [{ rawBytes: rootDer.toString('base64') }] },
        validFor: { start: new Date(rootCert.validFrom).toISOString() },
      },
    ],
    ctlogs: [logInstance(baseURL, spkiDer(ctlogKeys), createdAt)],
    timestampAuthorities: [],
  };

  return {
    fulcioURL: baseURL,
    rekorURL: baseURL,
    rekorLog,
    trustedRoot,
    caChainPem: rootCert.toString(),
    rekorLogIdHex: rekorLog.logIdHex,
    reusedKeys,
    async writeTrustedRoot(path: string) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, JSON.stringify(trustedRoot, null, 2) + '\n');
    },
    stop: async () => {
      await rekorLog.close(); // let pending appends reach the file
      await new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve(); // idempotent: afterAll hooks may race a test's own stop()
        server.close((err) => (err ? reject(err) : resolve()));
        // The signing client keeps connections alive; without this close() waits for them.
        server.closeAllConnections();
      });
    },
  };
}

/** Fulcio POSTs go to @sigstore/mock's handlers (they take the raw body string); the Rekor v1 API to the local log. */
function routeRequests(server: Server, handlers: MockHandler[], rekor: RekorLog): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = req.url ?? '/';
      const path = url.split('?')[0] ?? '/';
      const body = await readBody(req, MAX_REQUEST_BYTES);
      if (body === undefined) {
        const r = tooLarge();
        res.writeHead(r.status, r.headers).end(r.body);
        return;
      }
      if (path.startsWith('/api/v1/log') || path.startsWith('/api/v1/index')) {
        const r = await rekor.handleRequest(req.method ?? 'GET', url, body);
        res.writeHead(r.status, r.headers).end(r.body);
        return;
      }
      const handler = handlers.find((h) => h.path === path);
      if (req.method === 'POST' && handler) {
        try {
          const { statusCode, response, contentType } = await handler.fn(body.toString('utf8'));
          const out = typeof response === 'string' ? response : Buffer.from(response.buffer, response.byteOffset, response.byteLength);
          res.writeHead(statusCode, { 'content-type': contentType ?? 'text/plain' }).end(out);
        } catch (e) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
        }
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `no route ${req.method} ${path}` }));
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
  });
}

/**
 * The mock writes each certificate PEM as one long base64 line. Real Fulcio wraps at
 * 64 columns, and cosign stores that exact text both in the certificate annotation
 * and (base64) in the Rekor entry, so re-wrap here to keep those bytes realistic.
 */
function withWrappedPem(handler: MockHandler): MockHandler {
  return {
    path: handler.path,
    fn: async (body) => {
      const out = await handler.fn(body);
      if (out.statusCode !== 201 || typeof out.response !== 'string') return out;
      const doc = JSON.parse(out.response) as { signedCertificateEmbeddedSct: { chain: { certificates: string[] } } };
      const chain = doc.signedCertificateEmbeddedSct.chain;
      chain.certificates = chain.certificates.map((pem) => new X509Certificate(pem).toString());
      const response = JSON.stringify(doc);
      return { ...out, response };
    },
  };
}

function logInstance(baseUrl: string, spki: Buffer, start: Date): TransparencyLogInstanceJSON {
  return {
    baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: spki.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: start.toISOString() } },
    logId: { keyId: sha256(spki).toString('base64') },
  };
}

async function loadState(dir: string): Promise<PersistedState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const state = JSON.parse(text) as Partial<PersistedState>;
  if (state.version !== 1 || !state.caKey || !state.ctlogKey || !state.tlogKey || !state.caRootDer || !state.createdAt) {
    throw new Error(`${join(dir, STATE_FILE)} is not a sigstore sandbox state file (delete it to start a fresh instance)`);
  }
  return state as PersistedState;
}

// The mock's CA only handles P-256 keys (it imports leaf keys as P-256 too).
const newP256 = (): KeyPair => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keyPairFromPem = (pem: string): KeyPair => {
  const privateKey = createPrivateKey(pem);
  return { privateKey, publicKey: createPublicKey(privateKey) };
};
const pkcs8Pem = (k: KeyPair): string => k.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const spkiDer = (k: KeyPair): Buffer => k.publicKey.export({ format: 'der', type: 'spki' });
const copyBytes = (v: ArrayBufferView): Buffer => Buffer.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
