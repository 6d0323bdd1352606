/**
 * The verification pipeline for one cosign `.sig` layer, failing closed:
 *
 *   payload → type → digest (replay) → bundle conversion → Rekor entry matches
 *   this signature → @sigstore/verify (timestamps, chain at integrated time, SCT,
 *   SET, tlog body, signature) → signer policy (identity, issuer, GitHub claims, keys).
 *
 * Every step that passes is recorded as a check; the first that fails becomes
 * the reason. All cryptography is @sigstore/verify's.
 */
import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { Verifier, toSignedEntity, VerificationError, PolicyError, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import type { DiscoveredSignature } from '../cosign/discovered';
import { parseSimpleSigningPayload, isCosignSignatureType } from '../cosign/payload';
import { COSIGN_SIGNATURE_TYPE } from '../cosign/types';
import { decodeCertificate, type DecodedCertificate } from '../x509';
import { printable } from '../errors';
import { ConversionError, pemBlocks, toCosignBundle, type ConvertedSignature } from './cosign-bundle';
import { memoizeCertificateDer, prepareTrustMaterial, reuseAnchorKeys } from './certificate-memo';
import type { CompiledPolicy, PolicyKey } from './policy';
import { Checks, type ReasonCode, type SignatureVerdict, type SignerSummary } from './result';
import { githubClaims, matchSignerPolicy, PolicyMismatch } from './signer-policy';

export interface VerifyCosignOptions {
  /** The digest the user asked about; the payload must name it. */
  imageDigest: string;
  policy: CompiledPolicy;
  trust: TrustMaterial;
}

export class Fail extends Error {
  constructor(
    readonly code: ReasonCode,
    message: string,
  ) {
    super(message);
  }
}

export function verifyCosignSignature(sig: DiscoveredSignature, opts: VerifyCosignOptions): SignatureVerdict {
  const checks = new Checks();
  const signer: SignerSummary = { kind: sig.certificatePem ? 'keyless' : sig.signatureB64 ? 'key' : 'unknown' };
  let rekor: SignatureVerdict['rekor'];
  // Decoded once: who the certificate names is shown even when a later check fails
  // ("signed by X, but replayed"); a decode error becomes CERTIFICATE_MALFORMED after the payload checks.
  const leaf = signer.kind === 'keyless' ? tryDecode(sig.certificatePem!) : undefined;
  if (leaf?.ok) claimSigner(leaf.cert, signer);
  try {
    checkPayload(sig, opts.imageDigest, checks);

    if (signer.kind === 'keyless') {
      const cert = acceptLeaf(leaf!, checks);
      const converted = convert(sig);
      checkRekorEntryMatches(converted, sig, checks);
      runVerifier(converted, sig, opts.trust, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }, checks, 'keyless');
      // Only now is the Rekor entry known to be genuine; before, its index and time are just claims.
      rekor = rekorSummary(converted);
      if (opts.policy.empty) return unchecked(checks, signer, rekor, 'no certificate identity or key was given, so who signed was not checked');
      if (!opts.policy.identity) {
        throw new Fail('KEYLESS_NOT_ALLOWED', `signed keylessly by ${cert.identity ?? 'an unnamed identity'}, but the policy only accepts signatures made with its public keys`);
      }
      matchSignerPolicy(cert, opts.policy, checks);
      return { verdict: 'verified', checks: checks.list, signer, rekor };
    }

    if (signer.kind === 'key') {
      if (opts.policy.keys.length === 0) {
        if (opts.policy.identity) throw new Fail('KEY_NOT_ALLOWED', 'signed with a key (no certificate), but the policy expects a keyless signature from a certificate identity');
        // Nothing about this signature can be checked without its key: not "signed", not valid.
        throw new Fail('KEY_REQUIRED', 'signed with a key (no certificate); give the public key (--key) to check it');
      }
      return verifyWithKeys(sig, opts, checks, signer);
    }

    throw new Fail('SIGNATURE_MISSING', 'the layer carries no dev.cosignproject.cosign/signature annotation');
  } catch (e) {
    if (e instanceof Fail || e instanceof ConversionError || e instanceof PolicyMismatch) {
      // The failing check is listed too, after those that passed.
      checks.fail(e.code.toLowerCase().replace(/_/g, '-'), e.message);
      return { verdict: 'failed', reasonCode: e.code, reason: e.message, checks: checks.list, signer, rekor };
    }
    // A verifier crash on an unexpected shape is still a verdict, never a 500.
    return { verdict: 'failed', reasonCode: 'VERIFIER_ERROR', reason: `the verifier could not process this signature: ${(e as Error).message}`, checks: checks.list, signer, rekor };
  }
}

/** Fills the signer summary from a certificate (PEM or DER) before it is verified: a claim, shown even on failure. */
export function describeClaimedSigner(certificate: string | Uint8Array, signer: SignerSummary): void {
  const decoded = tryDecode(certificate);
  // A decode error is reported as CERTIFICATE_MALFORMED by the pipeline itself.
  if (decoded.ok) claimSigner(decoded.cert, signer);
}

type Decoded = { ok: true; cert: DecodedCertificate } | { ok: false; error: unknown };

function tryDecode(certificate: string | Uint8Array): Decoded {
  try {
    return { ok: true, cert: decodeCertificate(certificate) };
  } catch (error) {
    return { ok: false, error };
  }
}

function claimSigner(cert: DecodedCertificate, signer: SignerSummary): void {
  signer.identity = cert.identity;
  signer.issuer = cert.oidcIssuer;
  signer.certificateFingerprint = cert.fingerprintSha256;
  signer.github = githubClaims(cert);
}

function unchecked(checks: Checks, signer: SignerSummary, rekor: SignatureVerdict['rekor'], why: string): SignatureVerdict {
  return { verdict: 'signed-unchecked', reasonCode: 'UNSIGNED_BY_POLICY', reason: `signed, signer not checked: ${why}`, checks: checks.list, signer, rekor };
}

function checkPayload(sig: DiscoveredSignature, imageDigest: string, checks: Checks): void {
  const parsed = parseSimpleSigningPayload(sig.payload);
  if (!parsed.ok) throw new Fail('PAYLOAD_MALFORMED', parsed.reason);
  checks.pass('payload-format', 'payload is a cosign simple-signing document');
  if (!isCosignSignatureType(parsed.payload.type)) {
    throw new Fail('PAYLOAD_TYPE', `payload type is ${printable(JSON.stringify(parsed.payload.type))}, expected "${COSIGN_SIGNATURE_TYPE}"`);
  }
  checks.pass('payload-type', `critical.type is "${COSIGN_SIGNATURE_TYPE}"`);
  if (parsed.payload.manifestDigest !== imageDigest) {
    throw new Fail('DIGEST_MISMATCH', `signature payload names digest ${parsed.payload.manifestDigest} but the image is ${imageDigest}: this signature was made for another image (replayed)`);
  }
  checks.pass('payload-digest', `payload names the image digest ${imageDigest}`);
}

export function decodeLeaf(pem: string, checks: Checks): DecodedCertificate {
  return acceptLeaf(tryDecode(pem), checks);
}

/** The certificate-decode check over an already attempted decode. */
function acceptLeaf(decoded: Decoded, checks: Checks): DecodedCertificate {
  if (!decoded.ok) throw new Fail('CERTIFICATE_MALFORMED', (decoded.error as Error).message);
  const cert = decoded.cert;
  checks.pass('certificate-decode', `certificate for ${cert.identity ?? '(no identity)'} issued by ${cert.issuer}`);
  return cert;
}

function convert(sig: DiscoveredSignature, keyHint?: string): ConvertedSignature {
  return toCosignBundle(sig, keyHint);
}

function rekorSummary(c: ConvertedSignature): SignatureVerdict['rekor'] {
  if (!c.rekor) return undefined;
  return { logIndex: c.rekor.Payload.logIndex, logId: c.rekor.Payload.logID, integratedTime: new Date(c.rekor.Payload.integratedTime * 1000).toISOString() };
}

/**
 * @sigstore/verify checks the entry's hash and signature against the bundle, but not
 * that the key or certificate inside the entry is the one that signed: do it here.
 */
/**
 * @sigstore/verify checks the entry's hash and signature against the bundle, but not
 * that the key or certificate inside the entry is the one that signed: do it here.
 * In key mode a different key in the entry is KEY_MISMATCH (the caller tries the next key).
 */
function checkRekorEntryMatches(c: ConvertedSignature, sig: DiscoveredSignature, checks: Checks, expectedKey?: ExportedKey): void {
  const expectedKeyDer = expectedKey?.der;
  if (!c.rekor || !c.rekorBody) throw new Fail('TLOG_MISSING', 'no Rekor entry is attached (dev.sigstore.cosign/bundle annotation): a keyless signature must be in a transparency log');
  const body = c.rekorBody.spec;
  const index = c.rekor.Payload.logIndex;
  const payloadHash = createHash('sha256').update(sig.payload).digest('hex');
  if (body.data.hash.algorithm !== 'sha256' || body.data.hash.value.toLowerCase() !== payloadHash) {
    throw new Fail('TLOG_BODY_MISMATCH', `Rekor entry ${index} is for artifact ${printable(`${body.data.hash.algorithm}:${body.data.hash.value}`)}, not this payload (sha256:${payloadHash})`);
  }
  const entryKeyPem = Buffer.from(body.signature.publicKey.content, 'base64').toString('utf8');
  let entryKeyDer: Buffer | undefined;
  try {
    // Key mode compares public keys (a certificate's or a bare key's); keyless compares whole certificates.
    // The same text as a PEM already read gives the same bytes without reading it again (Rekor
    // and cosign write the PEM forms Node exports and the annotation holds, mostly).
    entryKeyDer = expectedKey
      ? entryKeyPem === expectedKey.pem
        ? expectedKey.der
        : createPublicKey(entryKeyPem).export({ type: 'spki', format: 'der' })
      : entryKeyPem === sig.certificatePem && c.leafDer
        ? c.leafDer
        : pemBlocks(entryKeyPem)[0];
  } catch {
    entryKeyDer = undefined;
  }
  if (!entryKeyDer) throw new Fail('TLOG_BODY_MISMATCH', `Rekor entry ${index} holds an unreadable ${expectedKeyDer ? 'public key' : 'certificate'}`);
  if (expectedKeyDer && !entryKeyDer.equals(expectedKeyDer)) throw new Fail('KEY_MISMATCH', `Rekor entry ${index} was made with another key`);
  if (!expectedKeyDer && (!c.leafDer || !entryKeyDer.equals(c.leafDer))) {
    throw new Fail('TLOG_BODY_MISMATCH', `Rekor entry ${index} was made with a different certificate than this signature's`);
  }
  if (Buffer.from(body.signature.content, 'base64').toString('base64') !== Buffer.from(sig.signatureB64 ?? '', 'base64').toString('base64')) {
    throw new Fail('TLOG_BODY_MISMATCH', `Rekor entry ${index} records a different signature than this layer's`);
  }
  checks.pass('rekor-entry-matches', `Rekor entry ${index} records this payload, signature and ${expectedKeyDer ? 'key' : 'certificate'}`);
}

// The order in which Verifier.verify runs its stages, to report which ones passed before a failure.
export const STAGES = [
  { name: 'transparency-log-timestamp', detail: 'signed entry timestamp gives a trusted signing time' },
  { name: 'certificate-chain', detail: 'certificate chains to a trusted Fulcio CA, valid at the signing time' },
  { name: 'sct', detail: 'certificate carries a valid SCT from a trusted CT log' },
  { name: 'transparency-log', detail: 'Rekor SET (or inclusion proof) verifies and the entry matches the signature' },
  { name: 'signature', detail: 'signature over the payload verifies' },
] as const;

export const KEY_STAGES = [
  { name: 'transparency-log', detail: 'Rekor entry verifies against the trusted log key' },
  { name: 'signature', detail: 'signature over the payload verifies with the public key' },
] as const;

export function stageOf(code: string, message: string): number {
  switch (code) {
    case 'TIMESTAMP_ERROR':
      return 0;
    case 'CERTIFICATE_ERROR':
      return /SCT/i.test(message) ? 2 : 1;
    case 'TLOG_ERROR':
    case 'TLOG_INCLUSION_PROMISE_ERROR':
    case 'TLOG_INCLUSION_PROOF_ERROR':
    case 'TLOG_MISSING_INCLUSION_ERROR':
    case 'TLOG_BODY_ERROR':
      return 3;
    default:
      return 4;
  }
}

export function reasonFor(code: string, message: string, keyless: boolean): { code: ReasonCode; text: string } {
  switch (code) {
    case 'TIMESTAMP_ERROR':
      return { code: 'TIMESTAMP_MISSING', text: `no trusted signing time: ${message}` };
    case 'CERTIFICATE_ERROR':
      return /SCT/i.test(message)
        ? { code: 'SCT_INVALID', text: `certificate transparency check failed: ${message}` }
        : { code: 'CERTIFICATE_UNTRUSTED', text: `certificate does not chain to a trusted Fulcio CA at the signing time: ${message}` };
    case 'TLOG_INCLUSION_PROMISE_ERROR':
      return { code: 'TLOG_SET_INVALID', text: `the Rekor signed entry timestamp does not verify with a trusted log key: ${message}` };
    case 'TLOG_INCLUSION_PROOF_ERROR':
    case 'TLOG_MISSING_INCLUSION_ERROR':
      return { code: 'TLOG_PROOF_INVALID', text: `the Rekor inclusion proof does not verify: ${message}` };
    case 'TLOG_BODY_ERROR':
      return { code: 'TLOG_BODY_MISMATCH', text: `the Rekor entry does not match this signature: ${message}` };
    case 'TLOG_ERROR':
      return { code: 'TLOG_MISSING', text: `transparency log check failed: ${message}` };
    case 'PUBLIC_KEY_ERROR':
      return { code: 'KEY_MISMATCH', text: message };
    case 'SIGNATURE_ERROR':
      return { code: keyless ? 'SIGNATURE_INVALID' : 'KEY_MISMATCH', text: keyless ? 'the signature does not verify over the payload with the certificate key (payload or signature altered)' : 'the signature does not verify with the given public key' };
    default:
      return { code: 'VERIFIER_ERROR', text: message };
  }
}

function runVerifier(
  c: ConvertedSignature,
  sig: DiscoveredSignature,
  trust: TrustMaterial,
  thresholds: { tlogThreshold: number; ctlogThreshold: number; timestampThreshold: number },
  checks: Checks,
  mode: 'keyless' | 'key',
): void {
  const stages = mode === 'keyless' ? STAGES : KEY_STAGES.filter((s) => s.name !== 'transparency-log' || thresholds.tlogThreshold > 0);
  try {
    withoutStackTraces(() => {
      const entity = toSignedEntity(c.bundle, sig.payload);
      if (entity.key.$case === 'certificate') reuseAnchorKeys(memoizeCertificateDer(entity.key.certificate));
      verifierFor(trust, thresholds).verify(withEd25519(entity, sig.payload));
    });
  } catch (e) {
    if (e instanceof VerificationError || e instanceof PolicyError) {
      if (mode === 'keyless') {
        const failedAt = stageOf(e.code, e.message);
        for (const s of stages.slice(0, failedAt)) checks.pass(s.name, s.detail);
      }
      const r = reasonFor(e.code, e.message, mode === 'keyless');
      throw new Fail(r.code, r.text);
    }
    throw e;
  }
  for (const s of stages) checks.pass(s.name, s.detail);
}

/**
 * Runs `fn` with stack traces off. @sigstore/core's ASN.1 parser tries every OCTET STRING
 * as nested DER and catches the ASN1ParseError when it is not (Fulcio's extensions, key
 * identifiers, the SCT list): 10 to 20 errors per certificate parse, and a keyless check
 * parses the leaf twice. Capturing their stacks cost more than the parsing itself. Nothing
 * here reads a stack (verdicts use an error's code and message), and `fn` is synchronous,
 * so no other code runs while the limit is lowered.
 */
export function withoutStackTraces<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

// A Verifier holds only its trust material and thresholds: one per combination, kept as long as the trust material.
const verifiers = new WeakMap<TrustMaterial, Map<string, Verifier>>();

export function verifierFor(trust: TrustMaterial, thresholds: { tlogThreshold: number; ctlogThreshold: number; timestampThreshold: number }): Verifier {
  let byThresholds = verifiers.get(trust);
  if (!byThresholds) {
    // Trust material not loaded through lib/verify/trust-root.ts gets the same one-time DER encoding.
    prepareTrustMaterial(trust);
    verifiers.set(trust, (byThresholds = new Map()));
  }
  const key = `${thresholds.tlogThreshold}/${thresholds.ctlogThreshold}/${thresholds.timestampThreshold}`;
  let verifier = byThresholds.get(key);
  if (!verifier) byThresholds.set(key, (verifier = new Verifier(trust, thresholds)));
  return verifier;
}

function verifyWithKeys(sig: DiscoveredSignature, opts: VerifyCosignOptions, checks: Checks, signer: SignerSummary): SignatureVerdict {
  // As cosign 2.x: a key signature needs a transparency-log entry unless the policy waives it.
  const probe = convert(sig, opts.policy.keys[0]!.fingerprint);
  if (!probe.rekor && !opts.policy.ignoreTlog) {
    throw new Fail('TLOG_MISSING', 'no Rekor entry is attached (dev.sigstore.cosign/bundle annotation); a key signature must be in a transparency log unless the policy allows otherwise (--insecure-ignore-tlog)');
  }
  const failures: string[] = [];
  for (const key of opts.policy.keys) {
    const attempt = new Checks();
    try {
      // The probe already is the first key's conversion.
      const converted = key === opts.policy.keys[0] ? probe : convert(sig, key.fingerprint);
      if (converted.rekor) checkRekorEntryMatches(converted, sig, attempt, exported(key));
      runVerifier(converted, sig, withKey(opts.trust, key), { tlogThreshold: converted.rekor ? 1 : 0, ctlogThreshold: 0, timestampThreshold: 0 }, attempt, 'key');
      checks.list.push(...attempt.list);
      if (!converted.rekor) checks.pass('transparency-log-waived', 'no Rekor entry: accepted because the policy ignores the transparency log (insecure)');
      checks.pass('public-key', `signed by the policy's key sha256:${key.fingerprint.slice(0, 16)}…`);
      signer.keyFingerprint = key.fingerprint;
      return { verdict: 'verified', checks: checks.list, signer, rekor: rekorSummary(converted) };
    } catch (e) {
      if (e instanceof Fail || e instanceof ConversionError) {
        // Another key: try the next one. A Rekor failure with the right key is the real reason.
        if (e.code !== 'KEY_MISMATCH' && e.code !== 'SIGNATURE_INVALID') throw e;
        failures.push(key.fingerprint.slice(0, 16));
        continue;
      }
      throw e;
    }
  }
  throw new Fail('KEY_MISMATCH', `the signature does not verify with ${opts.policy.keys.length === 1 ? 'the given public key' : `any of the ${opts.policy.keys.length} given public keys`} (sha256:${failures.join('…, sha256:')}…)`);
}

/**
 * @sigstore/verify checks a message signature with `crypto.verify('sha256', …)`, which
 * Node refuses for Ed25519 keys (pure EdDSA takes no digest), so an Ed25519 cosign
 * signature could never verify. For that key type only, the signature step calls
 * Node's `crypto.verify(null, payload, key, sig)`; every other check stays @sigstore/verify's.
 */
function withEd25519(entity: SignedEntity, payload: Buffer): SignedEntity {
  const original = entity.signature;
  return {
    ...entity,
    signature: {
      ...original,
      signature: original.signature,
      compareSignature: (s) => original.compareSignature(s),
      compareDigest: (d) => original.compareDigest(d),
      compareSignedDigest: (d) => original.compareSignedDigest(d),
      verifySignature: (key) => (key.asymmetricKeyType === 'ed25519' ? cryptoVerify(null, payload, key, original.signature) : original.verifySignature(key)),
    },
  };
}

/** A policy key's SPKI as DER and as the PEM text Node writes for it. */
interface ExportedKey {
  der: Buffer;
  pem: string;
}

// Exported once per policy key (compiled policies are cached and immutable).
const exportedKeys = new WeakMap<PolicyKey, ExportedKey>();

function exported(key: PolicyKey): ExportedKey {
  let e = exportedKeys.get(key);
  if (!e) {
    e = { der: key.key.export({ type: 'spki', format: 'der' }), pem: key.key.export({ type: 'spki', format: 'pem' }).toString() };
    exportedKeys.set(key, e);
  }
  return e;
}

// Per trust material and policy key (both long-lived), so its Verifier is reused too.
const keyedTrust = new WeakMap<TrustMaterial, WeakMap<PolicyKey, TrustMaterial>>();

/** Trust material that also knows the policy's key under its fingerprint hint. */
function withKey(trust: TrustMaterial, key: PolicyKey): TrustMaterial {
  let byKey = keyedTrust.get(trust);
  if (!byKey) keyedTrust.set(trust, (byKey = new WeakMap()));
  let material = byKey.get(key);
  if (!material) byKey.set(key, (material = keyTrust(trust, key)));
  return material;
}

function keyTrust(trust: TrustMaterial, key: PolicyKey): TrustMaterial {
  return {
    ...trust,
    publicKey: (hint: string) => {
      if (hint !== key.fingerprint) throw new VerificationError({ code: 'PUBLIC_KEY_ERROR', message: `no key for hint ${hint}` });
      return { publicKey: key.key, validFor: () => true };
    },
  };
}
