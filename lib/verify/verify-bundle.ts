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
 * over that digest (prehashed, see ./prehashed.ts). Ed25519 signs the message itself,
 * so it needs the bytes.
 */
import { createHash, createPublicKey, verify as cryptoVerify, X509Certificate as NodeX509, type KeyObject } from 'node:crypto';
import { bundleFromJSON, ValidationError, BUNDLE_V01_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE, BUNDLE_V03_LEGACY_MEDIA_TYPE, BUNDLE_V03_MEDIA_TYPE, type Bundle, type TransparencyLogEntry } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { toSignedEntity, VerificationError, PolicyError, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import { printable } from '../errors';
import { decodeCertificate, type DecodedCertificate } from '../x509';
import { UnsupportedDigestVerification, verifyPrehashed } from './prehashed';
import type { CompiledPolicy, PolicyKey } from './policy';
import { Checks, type ReasonCode, type RekorSummary, type SignatureVerdict, type SignerSummary } from './result';
import { githubClaims, matchSignerPolicy, PolicyMismatch } from './signer-policy';
import { describeClaimedSigner, KEY_STAGES, STAGES, reasonFor, stageOf, verifierFor, withoutStackTraces } from './verify-cosign';

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


export function verifySigstoreBundle(bundleJson: unknown, artifact: BundleArtifact, opts: VerifyBundleOptions): SignatureVerdict {
  const checks = new Checks();
  const signer: SignerSummary = { kind: 'unknown' };
  let rekor: RekorSummary | undefined;
  try {
    const bundle = parseBundle(bundleJson, checks);
    const material = bundle.verificationMaterial.content;
    signer.kind = material.$case === 'publicKey' ? 'key' : 'keyless';
    const leafDer = Buffer.from(material.$case === 'x509CertificateChain' ? (material.x509CertificateChain.certificates[0]?.rawBytes ?? []) : material.$case === 'certificate' ? material.certificate.rawBytes : []);
    // Who the certificate names, shown even when a later check fails.
    if (signer.kind === 'keyless') describeClaimedSigner(leafDer, signer);
    const binding = bindArtifact(bundle, artifact, checks);

    if (signer.kind === 'keyless') {
      const cert = decodeLeaf(leafDer, checks);
      signer.identity = cert.identity;
      signer.issuer = cert.oidcIssuer;
      signer.certificateFingerprint = cert.fingerprintSha256;
      signer.github = githubClaims(cert);
      const thresholds: Thresholds = opts.allowNoTlog ? { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 1 } : { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 };
      const entity = signedEntity(bundle, binding);
      runVerifier(entity, opts.trust, thresholds, checks, keylessStages(bundle, cert, thresholds, binding), true);
      checkEntryKeys(bundle, { certDer: leafDer, spkiDer: spkiOfCertificate(leafDer) }, checks, 'certificate');
      // Only now are the log entries known to be genuine; before, their index and time are claims.
      rekor = rekorSummary(bundle.verificationMaterial.tlogEntries);
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
      throw new Fail('KEY_REQUIRED', 'signed with a key (no certificate); give the public key (--key) to check it');
    }
    const hint = material.$case === 'publicKey' ? material.publicKey.hint : '';
    return verifyWithKeys(bundle, binding, hint, opts, checks, signer, rekorSummary(bundle.verificationMaterial.tlogEntries));
  } catch (e) {
    if (e instanceof Fail || e instanceof PolicyMismatch) {
      checks.fail(e.code.toLowerCase().replace(/_/g, '-'), e.message);
      return { verdict: 'failed', reasonCode: e.code, reason: e.message, checks: checks.list, signer, rekor };
    }
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
    const env = bundle.content.dsseEnvelope;
    const wanted = given ?? (artifact.bytes ? createHash('sha256').update(artifact.bytes).digest() : undefined);
    // No artifact named: the envelope is verified on its own (its payload is what was signed).
    if (!wanted) return { mode: 'envelope' };
    // An artifact named: an in-toto statement must list it as a subject, or the bundle is about something else.
    const subjects = inTotoSubjectDigests(env.payloadType, env.payload);
    if (!subjects) throw new Fail('DIGEST_MISMATCH', `the DSSE payload (${printable(env.payloadType)}) is not an in-toto statement, so it cannot be tied to the artifact`);
    const hex = wanted.toString('hex');
    if (!subjects.includes(hex)) {
      throw new Fail('DIGEST_MISMATCH', `the in-toto statement's subjects (${subjects.map((d) => `sha256:${d.slice(0, 12)}…`).join(', ') || 'none'}) do not include the artifact sha256:${hex}`);
    }
    checks.pass('artifact-digest', `the in-toto statement names this artifact (sha256:${hex}) as a subject`);
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
  if (binding.mode === 'envelope') return entity;
  const inner = entity.signature;
  // Bytes: as @sigstore/verify, except Ed25519, which it checks with crypto.verify('sha256', …)
  // and Node refuses (pure EdDSA takes no digest algorithm), so it could never verify.
  const check =
    binding.mode === 'digest'
      ? (key: KeyObject) => verifyPrehashed(key, binding.digest, 'sha256', inner.signature)
      : (key: KeyObject) => (key.asymmetricKeyType === 'ed25519' ? cryptoVerify(null, binding.bytes, key, inner.signature) : inner.verifySignature(key));
  return {
    ...entity,
    signature: {
      signature: inner.signature,
      compareSignature: (s) => inner.compareSignature(s),
      compareDigest: (d) => inner.compareDigest(d),
      compareSignedDigest: (d) => inner.compareSignedDigest(d),
      verifySignature: check,
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
    withoutStackTraces(() => verifierFor(trust, thresholds).verify(entity));
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

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** sha256 subject digests of an in-toto statement, or undefined when the payload is not one. */
function inTotoSubjectDigests(payloadType: string, payload: Buffer): string[] | undefined {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return undefined;
  let statement: unknown;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  const subjects = (statement as { subject?: unknown } | null)?.subject;
  if (!Array.isArray(subjects)) return undefined;
  return subjects
    .map((sub) => (sub as { digest?: { sha256?: unknown } } | null)?.digest?.sha256)
    .filter((d): d is string => typeof d === 'string' && /^[a-f0-9]{64}$/i.test(d))
    .map((d) => d.toLowerCase());
}
