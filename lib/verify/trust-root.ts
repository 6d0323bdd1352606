/**
 * Trusted roots: which Fulcio CAs, CT logs, Rekor logs and TSAs a verification trusts.
 *
 * The public-good root comes from the seed that `@sigstore/tuf` ships, read from disk:
 * no TUF refresh and no network at verification time. `--trusted-root FILE` selects
 * another instance (a private Sigstore, the sandbox). `staging` names the shipped copy of
 * the Sigstore staging root (./trust-roots/staging.json, see its README), also offline.
 * Loading fails closed: a root whose keys lack a validity start, or with no CA at all,
 * is rejected.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { z } from 'zod';
import { projectRoot } from '../db/paths';
import { fileVersion } from '../file-version';
import { SigscopeError } from '../errors';
import { prepareTrustMaterial } from './certificate-memo';
import seeds from '@sigstore/tuf/seeds.json';

export const PUBLIC_GOOD = 'public-good';
/** The Sigstore staging instance (`*.sigstage.dev`), from the copy shipped in ./trust-roots. */
export const STAGING = 'staging';
const MAX_TRUSTED_ROOT_BYTES = 1024 * 1024;

export interface LoadedTrustRoot {
  /** 'public-good', 'staging' or the file path the user gave. */
  name: string;
  /** sha256 of the root's bytes, recorded with every run. */
  hash: string;
  json: unknown;
  material: TrustMaterial;
}

const KeySchema = z.object({
  rawBytes: z.string().min(1),
  keyDetails: z.string(),
  validFor: z.object({ start: z.string().min(1), end: z.string().optional() }, { error: 'validFor.start is required (a key with no start date would be trusted for any time)' }),
});
const LogSchema = z.object({ baseUrl: z.string().optional(), hashAlgorithm: z.string().optional(), publicKey: KeySchema, logId: z.object({ keyId: z.string().min(1) }) });
const CaSchema = z.object({
  certChain: z.object({ certificates: z.array(z.object({ rawBytes: z.string().min(1) })).min(1) }),
  validFor: z.object({ start: z.string().min(1), end: z.string().optional() }),
});
const TrustedRootSchema = z.object({
  mediaType: z.string().startsWith('application/vnd.dev.sigstore.trustedroot'),
  tlogs: z.array(LogSchema).max(64).default([]),
  ctlogs: z.array(LogSchema).max(64).default([]),
  certificateAuthorities: z.array(CaSchema).max(64).default([]),
  timestampAuthorities: z.array(CaSchema).max(64).default([]),
});

function publicGoodBytes(): Buffer {
  const seed = (seeds as Record<string, { targets: Record<string, string> }>)['https://tuf-repo-cdn.sigstore.dev']?.targets['trusted_root.json'];
  if (!seed) throw new SigscopeError('INVALID_TRUSTED_ROOT', 'the public-good trusted root is missing from @sigstore/tuf; reinstall dependencies with npm ci');
  return Buffer.from(seed, 'base64');
}

function stagingBytes(): Buffer {
  const file = path.join(projectRoot(), 'lib', 'verify', 'trust-roots', 'staging.json');
  try {
    return readFileSync(file);
  } catch (e) {
    throw new SigscopeError('INVALID_TRUSTED_ROOT', `the shipped staging trusted root ${file} cannot be read: ${(e as Error).message}`);
  }
}

export function parseTrustedRoot(bytes: Buffer, name: string): LoadedTrustRoot {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new SigscopeError('INVALID_TRUSTED_ROOT', `trusted root ${name} is not JSON: ${(e as Error).message}`);
  }
  const checked = TrustedRootSchema.safeParse(json);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new SigscopeError('INVALID_TRUSTED_ROOT', `trusted root ${name} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  if (checked.data.certificateAuthorities.length === 0 && checked.data.tlogs.length === 0 && checked.data.timestampAuthorities.length === 0) {
    throw new SigscopeError('INVALID_TRUSTED_ROOT', `trusted root ${name} names no certificate authority, transparency log or timestamp authority`);
  }
  let material: TrustMaterial;
  try {
    material = prepareTrustMaterial(toTrustMaterial(TrustedRoot.fromJSON(json)));
  } catch (e) {
    throw new SigscopeError('INVALID_TRUSTED_ROOT', `trusted root ${name} could not be loaded: ${(e as Error).message}`);
  }
  return { name, hash: createHash('sha256').update(bytes).digest('hex'), json, material };
}

// Keyed by name and content hash: a file rewritten in place (a restarted sandbox) is reloaded.
const cache = new Map<string, LoadedTrustRoot>();

/** Loads the public-good root (no argument), the shipped staging root ('staging') or a trusted_root.json file. */
export function loadTrustRoot(file?: string): LoadedTrustRoot {
  const key = file ?? PUBLIC_GOOD;
  // Shipped roots do not change while the process runs; a file is re-read when it changed.
  const version = key === PUBLIC_GOOD || key === STAGING ? 'shipped' : fileVersion(key);
  const known = version ? byVersion.get(key) : undefined;
  if (known && known.version === version) return known.loaded;
  let bytes: Buffer;
  if (!file || file === PUBLIC_GOOD) {
    bytes = publicGoodBytes();
  } else if (file === STAGING) {
    bytes = stagingBytes();
  } else {
    try {
      const size = statSync(file).size;
      if (size > MAX_TRUSTED_ROOT_BYTES) throw new SigscopeError('INVALID_TRUSTED_ROOT', `trusted root ${file} is ${size} bytes, above the 1 MiB limit`);
      bytes = readFileSync(file);
    } catch (e) {
      if (e instanceof SigscopeError) throw e;
      throw new SigscopeError('INVALID_TRUSTED_ROOT', `cannot read trusted root ${file}: ${(e as Error).message}`);
    }
  }
  const cacheKey = `${key}#${createHash('sha256').update(bytes).digest('hex')}`;
  const loaded = cache.get(cacheKey) ?? parseTrustedRoot(bytes, key);
  cache.set(cacheKey, loaded);
  if (version) byVersion.set(key, { version, loaded });
  return loaded;
}

/** The root last loaded per name, with the file version it was read at. */
const byVersion = new Map<string, { version: string; loaded: LoadedTrustRoot }>();
