/**
 * Verification of one cosign attestation (a `.att` layer): the layer is a DSSE envelope
 * whose payload is an in-toto statement; the annotations carry the certificate, chain
 * and Rekor entry as for `.sig` layers. Fails closed:
 *
 *   envelope → statement names the image digest as a subject → Rekor entry (intoto
 *   0.0.2 / dsse 0.0.1) made with this certificate → @sigstore/verify (timestamps,
 *   chain at the signing time, SCT, SET, envelope signature) → signer policy.
 */
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { toSignedEntity, VerificationError, PolicyError, type TrustMaterial } from '@sigstore/verify';
import { z } from 'zod';
import { parseStatement, subjectMatches, type InTotoStatement } from '../attest/statement';
import type { DiscoveredSignature } from '../cosign/discovered';
import { printable } from '../errors';
import { ConversionError, parseRekorAnnotation, pemBlocks } from './cosign-bundle';
import type { CompiledPolicy } from './policy';
import { Checks, type SignatureVerdict, type SignerSummary } from './result';
import { matchSignerPolicy, PolicyMismatch } from './signer-policy';
import { decodeLeaf, describeClaimedSigner, Fail, reasonFor, stageOf, STAGES, verifierFor, withoutStackTraces } from './verify-cosign';

export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
const MAX_ENVELOPE_BYTES = 8 * 1024 * 1024;

const EnvelopeSchema = z.object({
  payloadType: z.string().max(256),
  payload: z.string().max(MAX_ENVELOPE_BYTES),
  signatures: z.array(z.object({ sig: z.string().max(8192), keyid: z.string().max(1024).optional() })).min(1).max(16),
});

const EntryBodySchema = z.object({ kind: z.string(), apiVersion: z.string(), spec: z.unknown() });

export interface AttestationVerdict extends SignatureVerdict {
  statement?: InTotoStatement;
}

export function verifyCosignAttestation(sig: DiscoveredSignature, opts: { imageDigest: string; policy: CompiledPolicy; trust: TrustMaterial }): AttestationVerdict {
  const checks = new Checks();
  const signer: SignerSummary = { kind: sig.certificatePem ? 'keyless' : 'key' };
  let statement: InTotoStatement | undefined;
  let rekor: SignatureVerdict['rekor'];
  if (sig.certificatePem) describeClaimedSigner(sig.certificatePem, signer);
  try {
    const envelope = parseEnvelope(sig.payload);
    statement = parseStatement(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
    checks.pass('statement', `in-toto statement with predicate ${printable(statement.predicateType)}`);
    if (!subjectMatches(statement, opts.imageDigest)) {
      throw new Fail('DIGEST_MISMATCH', `the attestation's subjects do not include the image ${opts.imageDigest}: it was made for another artifact`);
    }
    checks.pass('subject', `the statement names the image ${opts.imageDigest} as a subject`);
    if (!sig.certificatePem) {
      throw new Fail('KEY_REQUIRED', 'key-signed attestations are not verified yet; only keyless (certificate) attestations are');
    }
    const cert = decodeLeaf(sig.certificatePem, checks);
    if (!sig.bundleJson) throw new Fail('TLOG_MISSING', 'no Rekor entry is attached (dev.sigstore.cosign/bundle annotation): a keyless attestation must be in a transparency log');
    const annotation = parseRekorAnnotation(sig.bundleJson);
    const body = decodeBody(annotation.Payload.body);
    checkEntryCertificate(body, pemBlocks(sig.certificatePem)[0]!, annotation.Payload.logIndex, checks);
    const bundle = toBundle(envelope, sig.certificatePem, annotation, body);
    runKeyless(bundle, opts.trust, checks);
    rekor = { logIndex: annotation.Payload.logIndex, logId: annotation.Payload.logID, integratedTime: new Date(annotation.Payload.integratedTime * 1000).toISOString() };
    if (opts.policy.empty) {
      return { verdict: 'signed-unchecked', reasonCode: 'UNSIGNED_BY_POLICY', reason: 'signed, signer not checked: no certificate identity was given', checks: checks.list, signer, rekor, statement };
    }
    if (!opts.policy.identity) throw new Fail('KEYLESS_NOT_ALLOWED', `attested keylessly by ${cert.identity ?? 'an unnamed identity'}, but the policy only accepts its public keys`);
    matchSignerPolicy(cert, opts.policy, checks);
    return { verdict: 'verified', checks: checks.list, signer, rekor, statement };
  } catch (e) {
    const known = e instanceof Fail || e instanceof ConversionError || e instanceof PolicyMismatch;
    const code = known ? (e as Fail).code : 'VERIFIER_ERROR';
    const reason = known ? (e as Error).message : `the verifier could not process this attestation: ${(e as Error).message}`;
    checks.fail(code.toLowerCase().replace(/_/g, '-'), reason);
    return { verdict: 'failed', reasonCode: code, reason, checks: checks.list, signer, rekor, statement };
  }
}

function parseEnvelope(bytes: Buffer): z.infer<typeof EnvelopeSchema> {
  if (bytes.length > MAX_ENVELOPE_BYTES) throw new Fail('PAYLOAD_MALFORMED', `the DSSE envelope is ${bytes.length} bytes, above the limit`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new Fail('PAYLOAD_MALFORMED', `the attestation layer is not a JSON DSSE envelope: ${(e as Error).message}`);
  }
  const parsed = EnvelopeSchema.safeParse(json);
  if (!parsed.success) throw new Fail('PAYLOAD_MALFORMED', `the attestation layer is not a DSSE envelope: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function decodeBody(b64: string): z.infer<typeof EntryBodySchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
  } catch {
    throw new Fail('TLOG_BODY_MISMATCH', 'the Rekor entry body is not JSON');
  }
  const parsed = EntryBodySchema.safeParse(raw);
  if (!parsed.success) throw new Fail('TLOG_BODY_MISMATCH', 'the Rekor entry body has no kind/apiVersion');
  const { kind, apiVersion } = parsed.data;
  const supported = (kind === 'intoto' && apiVersion === '0.0.2') || (kind === 'dsse' && apiVersion === '0.0.1');
  if (!supported) {
    throw new Fail('TLOG_BODY_MISMATCH', `the Rekor entry is ${printable(kind)} ${printable(apiVersion)}; attestations are verified from intoto 0.0.2 and dsse 0.0.1 entries only`);
  }
  return parsed.data;
}

/** The certificates the entry records as verifiers: intoto 0.0.2 and dsse 0.0.1 name them differently. */
function entryCertificates(body: z.infer<typeof EntryBodySchema>): Buffer[] {
  const spec = body.spec as Record<string, unknown> | null;
  const pems: unknown[] =
    body.kind === 'intoto'
      ? (((spec?.content as Record<string, unknown> | undefined)?.envelope as { signatures?: Array<{ publicKey?: unknown }> } | undefined)?.signatures ?? []).map((s) => s.publicKey)
      : ((spec?.signatures as Array<{ verifier?: unknown }> | undefined) ?? []).map((s) => s.verifier);
  const out: Buffer[] = [];
  for (const p of pems) {
    if (typeof p !== 'string') continue;
    try {
      out.push(...pemBlocks(Buffer.from(p, 'base64').toString('utf8')));
    } catch {
      // An unreadable verifier cannot be this certificate.
    }
  }
  return out;
}

function checkEntryCertificate(body: z.infer<typeof EntryBodySchema>, leafDer: Buffer, logIndex: number, checks: Checks): void {
  if (!entryCertificates(body).some((c) => c.equals(leafDer))) {
    throw new Fail('TLOG_BODY_MISMATCH', `Rekor entry ${logIndex} was made with a different certificate than this attestation's`);
  }
  checks.pass('rekor-entry-matches', `Rekor entry ${logIndex} records this certificate`);
}

function toBundle(envelope: z.infer<typeof EnvelopeSchema>, certificatePem: string, a: ReturnType<typeof parseRekorAnnotation>, body: z.infer<typeof EntryBodySchema>): Bundle {
  try {
    return bundleFromJSON({
      mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
      verificationMaterial: {
        x509CertificateChain: { certificates: [{ rawBytes: pemBlocks(certificatePem)[0]!.toString('base64') }] },
        tlogEntries: [
          {
            logIndex: String(a.Payload.logIndex),
            logId: { keyId: Buffer.from(a.Payload.logID, 'hex').toString('base64') },
            kindVersion: { kind: body.kind, version: body.apiVersion },
            integratedTime: String(a.Payload.integratedTime),
            inclusionPromise: { signedEntryTimestamp: a.SignedEntryTimestamp },
            canonicalizedBody: a.Payload.body,
          },
        ],
        timestampVerificationData: { rfc3161Timestamps: [] },
      },
      dsseEnvelope: { payload: envelope.payload, payloadType: envelope.payloadType, signatures: envelope.signatures.map((s) => ({ sig: s.sig, keyid: s.keyid ?? '' })) },
    });
  } catch (e) {
    throw new Fail('PAYLOAD_MALFORMED', `the attestation does not form a valid Sigstore bundle: ${(e as Error).message}`);
  }
}

function runKeyless(bundle: Bundle, trust: TrustMaterial, checks: Checks): void {
  try {
    const entity = toSignedEntity(bundle);
    withoutStackTraces(() => verifierFor(trust, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }).verify(entity));
  } catch (e) {
    if (e instanceof VerificationError || e instanceof PolicyError) {
      for (const s of STAGES.slice(0, stageOf(e.code, e.message))) checks.pass(s.name, s.detail);
      const r = reasonFor(e.code, e.message, true);
      throw new Fail(r.code, r.text);
    }
    throw e;
  }
  for (const s of STAGES) checks.pass(s.name, s.detail);
}
