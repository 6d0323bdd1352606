/**
 * Verification of one Sigstore bundle (v0.1–v0.3: message signature or DSSE envelope,
 * certificate or public-key hint), failing closed:
 *
 *   JSON → bundleFromJSON (shape) → artifact binding (message signatures: the bundle's
 *   messageDigest must be the artifact's) → @sigstore/verify (timestamps, chain at the
 *   signing time, SCT, SET / inclusion proof, tlog body, signature) → the key or
 *   certificate recorded in the Rekor entry is the bundle's → signer policy (identity,
 *   issuer, GitHub claims, keys) with the project's exact / anchored matchers.
 *
 * Every stage that passes is recorded as a check; the first that fails becomes the
 * reason. Nothing here throws: a verifier crash on an unexpected shape is a verdict.
 *
 * Digest-only artifacts. @sigstore/verify checks a message signature by hashing the
 * artifact bytes itself (`crypto.verify(alg, artifact, key, sig)`); with no bytes that
 * call throws inside a try and the result is a plain SIGNATURE_ERROR. It also never
 * compares the artifact with the bundle's messageDigest (only the tlog entry with the
 * messageDigest). So with a digest we (1) compare it with messageDigest ourselves and
 * (2) give the verifier a signature content whose verifySignature() checks the signature
 * over that digest (prehashed): RSA PKCS#1 v1.5 through node:crypto, ECDSA P-256/P-384
 * with the small verification routine below (Node exposes no prehashed ECDSA verify).
 * Ed25519 signs the message itself, so it needs the bytes.
 */
import { createHash, createPublicKey, publicDecrypt, constants as cryptoConstants, X509Certificate as NodeX509, type KeyObject } from 'node:crypto';
import { bundleFromJSON, ValidationError, BUNDLE_V01_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE, BUNDLE_V03_LEGACY_MEDIA_TYPE, BUNDLE_V03_MEDIA_TYPE, type Bundle, type TransparencyLogEntry } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, VerificationError, PolicyError, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import { decodeCertificate, type DecodedCertificate } from '../x509';
import type { CompiledPolicy, PolicyKey } from './policy';
import { Checks, type ReasonCode, type RekorSummary, type SignatureVerdict, type SignerSummary } from './result';
import { githubClaims, matchSignerPolicy, PolicyMismatch } from './signer-policy';
import { KEY_STAGES, STAGES, reasonFor, stageOf } from './verify-cosign';

export interface BundleArtifact {
  /** The signed bytes (message-signature bundles). */
  bytes?: Buffer;
  /** `sha256:<64 hex>`: the artifact's digest, when the bytes are not at hand. */
  digest?: string;
}

export interface VerifyBundleOptions {
  policy: CompiledPolicy;
  trust: TrustMaterial;
  /**
   * Accept a bundle with no transparency log entry (GitHub private-repository
   * attestations): tlog and CT thresholds drop to 0; a keyless bundle still needs one
   * trusted timestamp (RFC 3161) to judge the certificate at.
   */
  allowNoTlog?: boolean;
}

const KNOWN_MEDIA_TYPES = new Set<string>([BUNDLE_V01_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE, BUNDLE_V03_LEGACY_MEDIA_TYPE, BUNDLE_V03_MEDIA_TYPE]);
const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;
const DIGEST_RE = /^sha256:([0-9a-f]{64})$/;

type Thresholds = { tlogThreshold: number; ctlogThreshold: number; timestampThreshold: number };

class Fail extends Error {
  constructor(
    readonly code: ReasonCode,
    message: string,
  ) {
    super(message);
  }
}

/** Raised from inside the verifier's signature step; becomes VERIFIER_ERROR with its message. */
class UnsupportedDigestVerification extends Error {}

export function verifySigstoreBundle(bundleJson: unknown, artifact: BundleArtifact, opts: VerifyBundleOptions): SignatureVerdict {
  const checks = new Checks();
  const signer: SignerSummary = { kind: 'unknown' };
  let rekor: RekorSummary | undefined;
  try {
    const bundle = parseBundle(bundleJson, checks);
    const material = bundle.verificationMaterial.content;
    signer.kind = material.$case === 'publicKey' ? 'key' : 'keyless';
    rekor = rekorSummary(bundle.verificationMaterial.tlogEntries);
    const binding = bindArtifact(bundle, artifact, checks);

    if (signer.kind === 'keyless') {
      const leafDer = Buffer.from(material.$case === 'x509CertificateChain' ? (material.x509CertificateChain.certificates[0]?.rawBytes ?? []) : material.$case === 'certificate' ? material.certificate.rawBytes : []);
      const cert = decodeLeaf(leafDer, checks);
      signer.identity = cert.identity;
      signer.issuer = cert.oidcIssuer;
      signer.certificateFingerprint = cert.fingerprintSha256;
      signer.github = githubClaims(cert);
      const thresholds: Thresholds = opts.allowNoTlog ? { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 1 } : { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 };
      const entity = signedEntity(bundle, binding);
      runVerifier(entity, opts.trust, thresholds, checks, keylessStages(bundle, cert, thresholds, binding), true);
      checkEntryKeys(bundle, { certDer: leafDer, spkiDer: spkiOfCertificate(leafDer) }, checks, 'certificate');
      if (opts.allowNoTlog && bundle.verificationMaterial.tlogEntries.length === 0) {
        checks.pass('transparency-log-waived', 'no transparency log entry: accepted only because allowNoTlog is set (the signing time comes from a trusted timestamp authority)');
      }
      if (opts.policy.empty) return unchecked(checks, signer, rekor, 'no certificate identity or key was given, so who signed was not checked');
      if (!opts.policy.identity) {
        throw new Fail('KEYLESS_NOT_ALLOWED', `signed keylessly by ${cert.identity ?? 'an unnamed identity'}, but the policy only accepts signatures made with its public keys`);
      }
      matchSignerPolicy(cert, opts.policy, checks);
      return { verdict: 'verified', checks: checks.list, signer, rekor };
    }

    // Public-key hint: only a key from the policy can check it.
    if (opts.policy.keys.length === 0) {
      if (opts.policy.identity) throw new Fail('KEY_NOT_ALLOWED', 'signed with a key (no certificate), but the policy expects a keyless signature from a certificate identity');
      return unchecked(checks, signer, rekor, 'signed with a key; give the public key (--key) to check the signature and the signer');
    }
    const hint = material.$case === 'publicKey' ? material.publicKey.hint : '';
    return verifyWithKeys(bundle, binding, hint, opts, checks, signer, rekor);
  } catch (e) {
    if (e instanceof Fail || e instanceof PolicyMismatch) return { verdict: 'failed', reasonCode: e.code, reason: e.message, checks: checks.list, signer, rekor };
    return { verdict: 'failed', reasonCode: 'VERIFIER_ERROR', reason: `the verifier could not process this bundle: ${(e as Error)?.message ?? String(e)}`, checks: checks.list, signer, rekor };
  }
}

function unchecked(checks: Checks, signer: SignerSummary, rekor: RekorSummary | undefined, why: string): SignatureVerdict {
  return { verdict: 'signed-unchecked', reasonCode: 'UNSIGNED_BY_POLICY', reason: `signed, signer not checked: ${why}`, checks: checks.list, signer, rekor };
}

// ---------------------------------------------------------------------------------------
// Parsing and artifact binding

function parseBundle(input: unknown, checks: Checks): Bundle {
  let json: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
    if (size > MAX_BUNDLE_BYTES) throw new Fail('PAYLOAD_MALFORMED', `the bundle is ${size} bytes, above the ${MAX_BUNDLE_BYTES / 1024 / 1024} MiB limit`);
    const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.length).toString('utf8');
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Fail('PAYLOAD_MALFORMED', `the bundle is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Fail('PAYLOAD_MALFORMED', 'the bundle is not a JSON object');
  const mediaType = (json as { mediaType?: unknown }).mediaType;
  if (typeof mediaType !== 'string' || !KNOWN_MEDIA_TYPES.has(mediaType)) {
    throw new Fail('PAYLOAD_MALFORMED', `the bundle media type ${JSON.stringify(mediaType)} is not a Sigstore bundle v0.1–v0.3 media type`);
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (e) {
    const fields = e instanceof ValidationError && e.fields.length ? ` (missing or invalid: ${e.fields.slice(0, 5).join(', ')})` : '';
    throw new Fail('PAYLOAD_MALFORMED', `the bundle is not a valid Sigstore bundle: ${(e as Error).message}${fields}`);
  }
  const content = bundle.content.$case === 'dsseEnvelope' ? `DSSE envelope (${bundle.content.dsseEnvelope.payloadType})` : 'message signature';
  checks.pass('bundle-format', `Sigstore bundle ${mediaType} with a ${content}`);
  return bundle;
}

type Binding = { mode: 'bytes'; bytes: Buffer } | { mode: 'digest'; digest: Buffer } | { mode: 'envelope' };

function bindArtifact(bundle: Bundle, artifact: BundleArtifact, checks: Checks): Binding {
  let given: Buffer | undefined;
  if (artifact.digest !== undefined) {
    const m = DIGEST_RE.exec(artifact.digest.trim().toLowerCase());
    if (!m) throw new Fail('DIGEST_MISMATCH', `artifact digest ${JSON.stringify(artifact.digest)} is not of the form sha256:<64 hex digits>`);
    given = Buffer.from(m[1]!, 'hex');
    if (artifact.bytes && !createHash('sha256').update(artifact.bytes).digest().equals(given)) {
      throw new Fail('DIGEST_MISMATCH', `the artifact bytes do not have the given digest ${artifact.digest}`);
    }
  }
  if (bundle.content.$case === 'dsseEnvelope') {
    // The envelope carries its own payload; matching an in-toto subject against the
    // artifact is a separate step (not done here).
    return { mode: 'envelope' };
  }
  const md = bundle.content.messageSignature.messageDigest;
  const alg = hashName(md.algorithm);
  const signed = Buffer.from(md.digest);
  if (artifact.bytes) {
    if (!alg) throw new Fail('PAYLOAD_MALFORMED', `the bundle's message digest uses an unsupported hash algorithm (${md.algorithm})`);
    const actual = createHash(alg).update(artifact.bytes).digest();
    if (!actual.equals(signed)) {
      throw new Fail('DIGEST_MISMATCH', `the bundle signs ${alg}:${signed.toString('hex')}, but the artifact is ${alg}:${actual.toString('hex')}: this signature was made for another artifact`);
    }
    checks.pass('artifact-digest', `the bundle signs this artifact (${alg}:${actual.toString('hex')})`);
    return { mode: 'bytes', bytes: artifact.bytes };
  }
  if (!given) throw new Fail('DIGEST_MISMATCH', 'a message-signature bundle signs an artifact: give its bytes or its sha256 digest');
  if (alg !== 'sha256') throw new Fail('DIGEST_MISMATCH', `the bundle signs a ${alg ?? 'non-SHA-256'} digest; give the artifact bytes instead of a sha256 digest`);
  if (!signed.equals(given)) {
    throw new Fail('DIGEST_MISMATCH', `the bundle signs sha256:${signed.toString('hex')}, but the artifact is sha256:${given.toString('hex')}: this signature was made for another artifact`);
  }
  checks.pass('artifact-digest', `the bundle signs this artifact (sha256:${given.toString('hex')}; checked by digest, the bytes were not read)`);
  return { mode: 'digest', digest: given };
}

function hashName(alg: HashAlgorithm): 'sha256' | 'sha384' | 'sha512' | undefined {
  switch (alg) {
    case HashAlgorithm.SHA2_256:
      return 'sha256';
    case HashAlgorithm.SHA2_384:
      return 'sha384';
    case HashAlgorithm.SHA2_512:
      return 'sha512';
    default:
      return undefined;
  }
}

function decodeLeaf(der: Buffer, checks: Checks): DecodedCertificate {
  try {
    const cert = decodeCertificate(der);
    checks.pass('certificate-decode', `certificate for ${cert.identity ?? '(no identity)'} issued by ${cert.issuer}`);
    return cert;
  } catch (e) {
    throw new Fail('CERTIFICATE_MALFORMED', (e as Error).message);
  }
}

function rekorSummary(entries: TransparencyLogEntry[]): RekorSummary | undefined {
  // Rekor v2 entries carry no integrated time (the time comes from a TSA): no summary then.
  const e = entries.find((x) => x.integratedTime && x.integratedTime !== '0');
  if (!e) return undefined;
  return { logIndex: Number(e.logIndex), logId: Buffer.from(e.logId.keyId).toString('hex'), integratedTime: new Date(Number(e.integratedTime) * 1000).toISOString() };
}

function signedEntity(bundle: Bundle, binding: Binding): SignedEntity {
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle, binding.mode === 'bytes' ? binding.bytes : undefined);
  } catch (e) {
    throw new Fail('PAYLOAD_MALFORMED', `the bundle's certificate or timestamps could not be read: ${(e as Error).message}`);
  }
  if (binding.mode !== 'digest') return entity;
  const inner = entity.signature;
  const digest = binding.digest;
  return {
    ...entity,
    signature: {
      signature: inner.signature,
      compareSignature: (s) => inner.compareSignature(s),
      compareDigest: (d) => inner.compareDigest(d),
      compareSignedDigest: (d) => inner.compareSignedDigest(d),
      verifySignature: (key) => verifyPrehashed(key, digest, 'sha256', inner.signature),
    },
  };
}

// ---------------------------------------------------------------------------------------
// @sigstore/verify

type Stage = { name: string; detail: string };

function keylessStages(bundle: Bundle, cert: DecodedCertificate, t: Thresholds, binding: Binding): Stage[] {
  const entries = bundle.verificationMaterial.tlogEntries;
  const tsa = bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps.length ?? 0;
  const setTimes = entries.filter((e) => e.inclusionPromise && e.integratedTime && e.integratedTime !== '0').length;
  const sources = [setTimes ? `${setTimes} Rekor integrated time${setTimes > 1 ? 's' : ''}` : '', tsa ? `${tsa} RFC 3161 timestamp${tsa > 1 ? 's' : ''}` : ''].filter(Boolean).join(' and ');
  return STAGES.filter((s) => (s.name !== 'sct' || t.ctlogThreshold > 0 || cert.sctCount > 0) && (s.name !== 'transparency-log' || entries.length > 0)).map((s) => {
    if (s.name === 'transparency-log-timestamp') return { name: s.name, detail: `trusted signing time from ${sources || 'no timestamp'}` };
    if (s.name === 'signature') return { name: s.name, detail: signatureDetail(bundle, binding, 'certificate key') };
    return { name: s.name, detail: s.detail };
  });
}

function signatureDetail(bundle: Bundle, binding: Binding, by: string): string {
  if (bundle.content.$case === 'dsseEnvelope') return `DSSE envelope signature over the ${bundle.content.dsseEnvelope.payloadType} payload verifies with the ${by} (in-toto subjects not compared with the artifact)`;
  return binding.mode === 'digest' ? `signature over the artifact digest verifies with the ${by}` : `signature over the artifact verifies with the ${by}`;
}

function runVerifier(entity: SignedEntity, trust: TrustMaterial, thresholds: Thresholds, checks: Checks, stages: Stage[], keyless: boolean): void {
  try {
    new Verifier(trust, thresholds).verify(entity);
  } catch (e) {
    if (e instanceof VerificationError || e instanceof PolicyError) {
      if (keyless) {
        const failedAt = stageOf(e.code, e.message);
        for (const s of stages) {
          if (STAGES.findIndex((x) => x.name === s.name) >= failedAt) break;
          checks.pass(s.name, s.detail);
        }
      }
      const r = reasonFor(e.code, e.message, keyless);
      throw new Fail(r.code, r.text);
    }
    if (e instanceof UnsupportedDigestVerification) throw new Fail('VERIFIER_ERROR', e.message);
    throw new Fail('VERIFIER_ERROR', verifierCrash(entity, e));
  }
  for (const s of stages) checks.pass(s.name, s.detail);
}

/** A TypeError & co. from inside @sigstore/verify: say what we know about the shape that caused it. */
function verifierCrash(entity: SignedEntity, e: unknown): string {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const noCheckpoint = entity.tlogEntries.some((t) => t.inclusionProof && !t.inclusionProof.checkpoint?.envelope);
  const hint = noCheckpoint ? ' The bundle\'s inclusion proof has no checkpoint (an old v0.1-style bundle), which @sigstore/verify cannot process.' : '';
  return `@sigstore/verify failed on this bundle instead of returning a verification result (${msg}).${hint} The signature is not accepted.`;
}

// ---------------------------------------------------------------------------------------
// The key or certificate inside each Rekor entry must be the bundle's (@sigstore/verify
// compares the entry's signature and digest with the bundle, but not who signed).

type KeyMaterial = { certDer?: Buffer; spkiDer: Buffer };

function spkiOfCertificate(der: Buffer): Buffer {
  return new NodeX509(der).publicKey.export({ type: 'spki', format: 'der' });
}

function spkiOf(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** Key material named in a Rekor entry body: PEM/DER certificates or public keys. */
function entryMaterials(entry: TransparencyLogEntry): Array<{ cert?: Buffer; spki?: Buffer }> | undefined {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(entry.canonicalizedBody).toString('utf8'));
  } catch {
    return [];
  }
  const b = body as { kind?: string; apiVersion?: string; spec?: Record<string, unknown> };
  const spec = b.spec ?? {};
  const pems: unknown[] = [];
  const ders: Array<{ x509Certificate?: { rawBytes?: unknown }; publicKey?: { rawBytes?: unknown } } | undefined> = [];
  const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
  switch (`${b.kind}/${b.apiVersion}`) {
    case 'hashedrekord/0.0.1':
      pems.push(get(spec, 'signature', 'publicKey', 'content'));
      break;
    case 'hashedrekord/0.0.2':
      ders.push(get(spec, 'hashedRekordV002', 'signature', 'verifier') as (typeof ders)[number]);
      break;
    case 'dsse/0.0.1':
      for (const s of (get(spec, 'signatures') as unknown[] | undefined) ?? []) pems.push(get(s, 'verifier'));
      break;
    case 'dsse/0.0.2':
      for (const s of (get(spec, 'dsseV002', 'signatures') as unknown[] | undefined) ?? []) ders.push(get(s, 'verifier') as (typeof ders)[number]);
      break;
    case 'intoto/0.0.2':
      for (const s of (get(spec, 'content', 'envelope', 'signatures') as unknown[] | undefined) ?? []) pems.push(get(s, 'publicKey'));
      break;
    case 'intoto/0.0.1':
      pems.push(get(spec, 'publicKey'));
      break;
    default:
      return undefined; // a kind @sigstore/verify rejects on its own
  }
  const out: Array<{ cert?: Buffer; spki?: Buffer }> = [];
  for (const p of pems) {
    if (typeof p !== 'string') continue;
    const text = Buffer.from(p, 'base64').toString('utf8');
    const m = /-----BEGIN (CERTIFICATE|PUBLIC KEY)-----([\s\S]*?)-----END \1-----/.exec(text);
    if (!m) continue;
    const der = Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64');
    out.push(m[1] === 'CERTIFICATE' ? { cert: der } : { spki: der });
  }
  for (const v of ders) {
    const c = v?.x509Certificate?.rawBytes;
    const k = v?.publicKey?.rawBytes;
    if (typeof c === 'string') out.push({ cert: Buffer.from(c, 'base64') });
    else if (typeof k === 'string') out.push({ spki: Buffer.from(k, 'base64') });
  }
  return out;
}

function checkEntryKeys(bundle: Bundle, expected: KeyMaterial, checks: Checks, what: 'certificate' | 'key'): void {
  const entries = bundle.verificationMaterial.tlogEntries;
  for (const entry of entries) {
    const materials = entryMaterials(entry);
    if (materials === undefined) continue;
    const same = materials.some((m) => {
      if (m.cert && expected.certDer) return m.cert.equals(expected.certDer);
      if (m.cert) {
        try {
          return spkiOfCertificate(m.cert).equals(expected.spkiDer);
        } catch {
          return false;
        }
      }
      if (m.spki) {
        try {
          return spkiOf(createPublicKey({ key: m.spki, format: 'der', type: 'spki' })).equals(expected.spkiDer);
        } catch {
          return false;
        }
      }
      return false;
    });
    if (!same) {
      throw new Fail('TLOG_BODY_MISMATCH', `Rekor entry ${entry.logIndex} was made with a different ${what} than this bundle's: the log does not record this signer`);
    }
  }
  if (entries.length > 0) checks.pass('rekor-entry-signer', `the Rekor entr${entries.length > 1 ? 'ies record' : 'y records'} this bundle's ${what}`);
}

// ---------------------------------------------------------------------------------------
// Key-signed bundles

function hintMatches(hint: string, key: PolicyKey): boolean {
  if (!hint) return false;
  const fp = Buffer.from(key.fingerprint, 'hex');
  return hint === key.fingerprint || hint === fp.toString('base64') || hint === fp.toString('base64url');
}

function verifyWithKeys(bundle: Bundle, binding: Binding, hint: string, opts: VerifyBundleOptions, checks: Checks, signer: SignerSummary, rekor: RekorSummary | undefined): SignatureVerdict {
  // The key the hint names first, then every other policy key.
  const candidates = [...opts.policy.keys].sort((a, b) => Number(hintMatches(hint, b)) - Number(hintMatches(hint, a)));
  const entries = bundle.verificationMaterial.tlogEntries;
  const thresholds: Thresholds = { tlogThreshold: opts.allowNoTlog ? 0 : 1, ctlogThreshold: 0, timestampThreshold: 0 };
  const stages: Stage[] = KEY_STAGES.filter((s) => s.name !== 'transparency-log' || entries.length > 0).map((s) => (s.name === 'signature' ? { name: s.name, detail: signatureDetail(bundle, binding, "policy's public key") } : { ...s }));
  const tried: string[] = [];
  for (const key of candidates) {
    const attempt = new Checks();
    const trust: TrustMaterial = { ...opts.trust, publicKey: () => ({ publicKey: key.key, validFor: () => true }) };
    try {
      runVerifier(signedEntity(bundle, binding), trust, thresholds, attempt, stages, false);
      checkEntryKeys(bundle, { spkiDer: spkiOf(key.key) }, attempt, 'key');
    } catch (e) {
      // A wrong key shows as a bad signature; anything else (tlog, timestamps) is the real reason.
      if (e instanceof Fail && e.code === 'KEY_MISMATCH') {
        tried.push(key.fingerprint.slice(0, 16));
        continue;
      }
      throw e;
    }
    checks.list.push(...attempt.list);
    if (entries.length === 0) checks.pass('transparency-log-waived', 'no transparency log entry: accepted only because allowNoTlog is set');
    checks.pass('public-key', `signed by the policy's key sha256:${key.fingerprint.slice(0, 16)}…${hintMatches(hint, key) ? ' (named by the bundle hint)' : ''}`);
    signer.keyFingerprint = key.fingerprint;
    return { verdict: 'verified', checks: checks.list, signer, rekor };
  }
  throw new Fail('KEY_MISMATCH', `the signature does not verify with ${candidates.length === 1 ? 'the given public key' : `any of the ${candidates.length} given public keys`} (sha256:${tried.join('…, sha256:')}…)`);
}

// ---------------------------------------------------------------------------------------
// Signature over a digest (prehashed): RSA PKCS#1 v1.5 via node:crypto, ECDSA here.

const DIGEST_INFO_PREFIX: Record<'sha256' | 'sha384' | 'sha512', string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

/**
 * Checks `signature` over an already computed `digest` with `key`. ECDSA (P-256, P-384)
 * and RSA PKCS#1 v1.5; any other key type throws (it needs the artifact bytes).
 */
export function verifyPrehashed(key: KeyObject, digest: Buffer, alg: 'sha256' | 'sha384' | 'sha512', signature: Buffer): boolean {
  if (key.asymmetricKeyType === 'ec') {
    const crv = key.asymmetricKeyDetails?.namedCurve;
    const curve = crv === 'prime256v1' ? P256 : crv === 'secp384r1' ? P384 : undefined;
    if (!curve) throw new UnsupportedDigestVerification(`an ECDSA ${crv} signature cannot be checked from a digest; give the artifact bytes`);
    const jwk = key.export({ format: 'jwk' });
    if (!jwk.x || !jwk.y) return false;
    const q = { x: bigFrom(Buffer.from(jwk.x, 'base64url')), y: bigFrom(Buffer.from(jwk.y, 'base64url')) };
    const rs = parseDerSignature(signature);
    return rs !== undefined && ecdsaVerify(curve, q, digest, rs.r, rs.s);
  }
  if (key.asymmetricKeyType === 'rsa') {
    let recovered: Buffer;
    try {
      recovered = publicDecrypt({ key, padding: cryptoConstants.RSA_PKCS1_PADDING }, signature);
    } catch {
      return false;
    }
    return recovered.equals(Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[alg], 'hex'), digest]));
  }
  throw new UnsupportedDigestVerification(`a ${key.asymmetricKeyType} signature covers the whole artifact, not its digest; give the artifact bytes`);
}

interface Curve {
  p: bigint;
  a: bigint;
  b: bigint;
  n: bigint;
  g: { x: bigint; y: bigint };
  bits: number;
}

// FIPS 186-4 / SEC 2 domain parameters (a = p - 3).
const P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const P384_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn;
export const P256: Curve = {
  p: P256_P,
  a: P256_P - 3n,
  b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  g: { x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n, y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n },
  bits: 256,
};
export const P384: Curve = {
  p: P384_P,
  a: P384_P - 3n,
  b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  g: {
    x: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    y: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
  },
  bits: 384,
};

function bigFrom(b: Buffer): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${b.toString('hex')}`);
}

const mod = (a: bigint, m: bigint): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

function invert(a: bigint, m: bigint): bigint {
  // Extended Euclid; m is prime and 0 < a < m here.
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

/** Jacobian coordinates (X/Z², Y/Z³); Z = 0 is the point at infinity. */
type Jac = { x: bigint; y: bigint; z: bigint };
const INFINITY: Jac = { x: 1n, y: 1n, z: 0n };

function jDouble(c: Curve, P: Jac): Jac {
  if (P.z === 0n || P.y === 0n) return INFINITY;
  const { p } = c;
  const y2 = mod(P.y * P.y, p);
  const s = mod(4n * P.x * y2, p);
  const z2 = mod(P.z * P.z, p);
  const m = mod(3n * P.x * P.x + c.a * z2 * z2, p);
  const x3 = mod(m * m - 2n * s, p);
  const y3 = mod(m * (s - x3) - 8n * y2 * y2, p);
  const z3 = mod(2n * P.y * P.z, p);
  return { x: x3, y: y3, z: z3 };
}

function jAdd(c: Curve, P: Jac, Q: Jac): Jac {
  if (P.z === 0n) return Q;
  if (Q.z === 0n) return P;
  const { p } = c;
  const z1z1 = mod(P.z * P.z, p);
  const z2z2 = mod(Q.z * Q.z, p);
  const u1 = mod(P.x * z2z2, p);
  const u2 = mod(Q.x * z1z1, p);
  const s1 = mod(P.y * Q.z * z2z2, p);
  const s2 = mod(Q.y * P.z * z1z1, p);
  if (u1 === u2) return s1 === s2 ? jDouble(c, P) : INFINITY;
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const h2 = mod(h * h, p);
  const h3 = mod(h2 * h, p);
  const x3 = mod(r * r - h3 - 2n * u1 * h2, p);
  const y3 = mod(r * (u1 * h2 - x3) - s1 * h3, p);
  const z3 = mod(h * P.z * Q.z, p);
  return { x: x3, y: y3, z: z3 };
}

/** u1·G + u2·Q (Shamir's trick). Public values only: no constant-time needs. */
function doubleMul(c: Curve, u1: bigint, g: Jac, u2: bigint, q: Jac): Jac {
  const gq = jAdd(c, g, q);
  let acc = INFINITY;
  const bits = Math.max(u1.toString(2).length, u2.toString(2).length);
  for (let i = bits - 1; i >= 0; i--) {
    acc = jDouble(c, acc);
    const b1 = (u1 >> BigInt(i)) & 1n;
    const b2 = (u2 >> BigInt(i)) & 1n;
    if (b1 && b2) acc = jAdd(c, acc, gq);
    else if (b1) acc = jAdd(c, acc, g);
    else if (b2) acc = jAdd(c, acc, q);
  }
  return acc;
}

export function onCurve(c: Curve, pt: { x: bigint; y: bigint }): boolean {
  if (pt.x < 0n || pt.x >= c.p || pt.y < 0n || pt.y >= c.p) return false;
  return mod(pt.y * pt.y - (pt.x * pt.x * pt.x + c.a * pt.x + c.b), c.p) === 0n;
}

/** Scalar multiple k·P in affine form, or undefined for the point at infinity (exported for tests). */
export function scalarMul(c: Curve, k: bigint, pt: { x: bigint; y: bigint }): { x: bigint; y: bigint } | undefined {
  return toAffine(c, doubleMul(c, 0n, INFINITY, k, { ...pt, z: 1n }));
}

function toAffine(c: Curve, P: Jac): { x: bigint; y: bigint } | undefined {
  if (P.z === 0n) return undefined;
  const zi = invert(P.z, c.p);
  const zi2 = mod(zi * zi, c.p);
  return { x: mod(P.x * zi2, c.p), y: mod(P.y * zi2 * zi, c.p) };
}

function ecdsaVerify(c: Curve, q: { x: bigint; y: bigint }, digest: Buffer, r: bigint, s: bigint): boolean {
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  if (!onCurve(c, q)) return false;
  // e: the leftmost min(bits(n), bits(digest)) bits of the digest (SEC 1, 4.1.4).
  let e = bigFrom(digest);
  const dbits = digest.length * 8;
  if (dbits > c.bits) e >>= BigInt(dbits - c.bits);
  const w = invert(s, c.n);
  const u1 = mod(e * w, c.n);
  const u2 = mod(r * w, c.n);
  const X = toAffine(c, doubleMul(c, u1, { ...c.g, z: 1n }, u2, { ...q, z: 1n }));
  return X !== undefined && mod(X.x, c.n) === r;
}

/** Strict DER `SEQUENCE { INTEGER r, INTEGER s }`; undefined when malformed. */
function parseDerSignature(sig: Buffer): { r: bigint; s: bigint } | undefined {
  let pos = 0;
  const readLen = (): number | undefined => {
    const first = sig[pos++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    if (first === 0x81) {
      const l = sig[pos++];
      return l !== undefined && l >= 0x80 ? l : undefined;
    }
    return undefined;
  };
  const readInt = (): bigint | undefined => {
    if (sig[pos++] !== 0x02) return undefined;
    const len = readLen();
    if (len === undefined || len === 0 || pos + len > sig.length) return undefined;
    const bytes = sig.subarray(pos, pos + len);
    pos += len;
    if (bytes[0]! & 0x80) return undefined; // negative
    if (len > 1 && bytes[0] === 0 && !(bytes[1]! & 0x80)) return undefined; // non-minimal
    return bigFrom(bytes);
  };
  if (sig[pos++] !== 0x30) return undefined;
  const total = readLen();
  if (total === undefined || pos + total !== sig.length) return undefined;
  const r = readInt();
  const s = readInt();
  if (r === undefined || s === undefined || pos !== sig.length) return undefined;
  return { r, s };
}
