/**
 * Test-only helpers for lib/rekor's tests: the real fixtures' keys, tampering
 * helpers, and a throwaway log key that signs checkpoints the way a real log
 * does (used to build logs of our own for tiles and consistency proofs).
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFixture, readFixtureJson } from '../../tests/support/fixtures';
import { logKeyFromPem, logKeysFromTrustedRoot, noteKeyId, type TransparencyLogKey } from './log-keys';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const JAVA = ['sigstore-java', 'rekor-response', 'valid'] as const;
export const CHECKPOINTS = ['sigstore-java', 'checkpoints'] as const;

export function fixtureText(...parts: string[]): string {
  return readFixture(...parts).toString('utf8');
}

export function fixtureJson<T = unknown>(...parts: string[]): T {
  return readFixtureJson<T>(...parts);
}

export function publicGoodKeys(): TransparencyLogKey[] {
  return logKeysFromTrustedRoot(readFixtureJson('public-good-trust-root', 'targets', 'trusted_root.json'));
}

/** The staging trusted root shipped in lib/verify/trust-roots (rekor.sigstage.dev and log2025-alpha1). */
export function stagingKeys(): TransparencyLogKey[] {
  return logKeysFromTrustedRoot(JSON.parse(readFileSync(path.join(__dirname, '..', 'verify', 'trust-roots', 'staging.json'), 'utf8')));
}

/** sigstore-java's rekor.pub: the staging v1 key, as a bare PEM (no key name). */
export function stagingPemKey(): TransparencyLogKey {
  return logKeyFromPem(fixtureText(...JAVA, 'rekor.pub'));
}

/** public-good-trust-root/targets/rekor.pub as a bare PEM. */
export function publicGoodPemKey(): TransparencyLogKey {
  return logKeyFromPem(fixtureText('public-good-trust-root', 'targets', 'rekor.pub'));
}

/** Deep copy of JSON. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Hex string with the character at `i` changed to another hex digit. */
export function flipHex(s: string, i = 0): string {
  const c = s[i]!;
  const next = c === '0' ? '1' : '0';
  return s.slice(0, i) + next + s.slice(i + 1);
}

/** Base64 with one bit of byte `i` flipped (re-encoded, so it stays valid base64). */
export function flipBase64(s: string, i = 0): string {
  const b = Buffer.from(s, 'base64');
  const at = i < 0 ? b.length + i : i;
  b[at] = b[at]! ^ 0x01;
  return b.toString('base64');
}

/** A checkpoint with one line replaced (0 origin, 1 size, 2 root), signature kept. */
export function editCheckpointLine(text: string, line: number, value: string): string {
  const lines = text.split('\n');
  lines[line] = value;
  return lines.join('\n');
}

export interface TestLog {
  name: string;
  key: TransparencyLogKey;
  privateKey: KeyObject;
  /** A trusted_root.json naming this log. */
  trustedRoot: unknown;
  signCheckpoint(c: { origin?: string; treeSize: number; rootHash: Buffer; extensions?: string[] }): string;
}

/**
 * A log key of our own. Ed25519 logs get the Rekor v2 trusted-root convention
 * (log ID = the full signed-note key ID); ECDSA logs the v1 one (SHA-256 of the SPKI).
 */
export function makeTestLog(name: string, type: 'ed25519' | 'ecdsa' = 'ed25519', baseUrl = `https://${name}`): TestLog {
  const { publicKey, privateKey } = type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const logId =
    type === 'ed25519'
      ? createHash('sha256').update(`${name}\n`).update(Buffer.from([1])).update(spki.subarray(spki.length - 32)).digest()
      : createHash('sha256').update(spki).digest();
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: spki.toString('base64'), keyDetails: type === 'ed25519' ? 'PKIX_ED25519' : 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2020-01-01T00:00:00Z' } },
        logId: { keyId: logId.toString('base64') },
      },
    ],
  };
  const key = logKeysFromTrustedRoot(trustedRoot)[0]!;
  return {
    name,
    key,
    privateKey,
    trustedRoot,
    signCheckpoint({ origin = name, treeSize, rootHash, extensions = [] }) {
      const note = [origin, String(treeSize), rootHash.toString('base64'), ...extensions].join('\n') + '\n';
      const sig = type === 'ed25519' ? sign(null, Buffer.from(note), privateKey) : sign('sha256', Buffer.from(note), privateKey);
      const line = Buffer.concat([noteKeyId(key, name), sig]).toString('base64');
      return `${note}\n\u2014 ${name} ${line}\n`;
    },
  };
}
