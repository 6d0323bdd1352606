/**
 * Transparency log entries: the response shapes (validated with zod) and the
 * decoding of an entry's body into what a person wants to see: kind and version,
 * the artifact or payload hash, each signature with its public key or
 * certificate (decoded by lib/x509: identity, issuer, GitHub claims).
 *
 * Three shapes come in:
 * - a Rekor v1 API entry, `{ <uuid>: { body, integratedTime, logID, logIndex, verification } }`
 *   (GET /api/v1/log/entries/…, and each element of POST …/retrieve);
 * - the `dev.sigstore.cosign/bundle` annotation, `{ SignedEntryTimestamp, Payload: { body, integratedTime, logIndex, logID } }`;
 * - a `TransparencyLogEntry` in protobuf JSON: a Rekor v2 response, or a tlog entry of a Sigstore bundle (v1 or v2 log).
 *
 * Bodies: hashedrekord 0.0.1 and 0.0.2 (v2), dsse 0.0.1 and 0.0.2 (v2), intoto 0.0.1 and
 * 0.0.2, rekord 0.0.1. Another kind or version, or a body that does not match its
 * schema, decodes to `{ supported: false, reason }`: decoding never throws.
 *
 * Nothing decoded here is trusted: ./verify-entry.ts checks that the body is the
 * leaf the log proved (inclusion proof + checkpoint, or SET).
 */
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { describeError, printable } from '../errors';
import { decodeCertificate, type DecodedCertificate } from '../x509';
import { base64Strict, toSafeNumber, toUint63 } from './encoding';
import { hashLeaf, MAX_PROOF_HASHES, MAX_CHECKPOINT_BYTES, type ParseResult } from './proofs';

/** Bodies are small (a hashedrekord is ~2 KiB; intoto 0.0.1 stores no attestation in the body). */
export const MAX_ENTRY_BODY_BYTES = 1024 * 1024;
const MAX_BODY_BASE64 = Math.ceil(MAX_ENTRY_BODY_BYTES / 3) * 4;
/** A v1 API answer holds one entry; retrieve holds at most 10 (the API's own limit). */
export const MAX_ENTRIES_PER_RESPONSE = 10;
const MAX_SIGNATURES = 16;
const MAX_VERIFIER_BYTES = 128 * 1024;

// ---------------------------------------------------------------------------
// Response shapes

const Hex64 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'a 64-character hex SHA-256 value');
const UuidSchema = z.string().regex(/^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/, 'a 64- or 80-character hex entry UUID');
const Uint = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const V1InclusionProofSchema = z.object({
  logIndex: Uint,
  rootHash: Hex64,
  treeSize: Uint,
  hashes: z.array(Hex64).max(MAX_PROOF_HASHES),
  checkpoint: z.string().max(MAX_CHECKPOINT_BYTES).optional(),
});

export const V1EntryValueSchema = z.object({
  body: z.string().min(1).max(MAX_BODY_BASE64),
  integratedTime: Uint,
  logID: Hex64,
  logIndex: Uint,
  verification: z
    .object({
      inclusionProof: V1InclusionProofSchema.optional(),
      signedEntryTimestamp: z.string().min(1).max(16_384).optional(),
    })
    .optional(),
});

export const V1EntryResponseSchema = z
  .record(UuidSchema, V1EntryValueSchema)
  .refine((r) => Object.keys(r).length >= 1 && Object.keys(r).length <= MAX_ENTRIES_PER_RESPONSE, `one to ${MAX_ENTRIES_PER_RESPONSE} entries`);

export type V1InclusionProof = z.infer<typeof V1InclusionProofSchema>;

/** A v1 entry as the API returns it, with its UUID (lowercase). */
export interface RekorV1Entry extends z.infer<typeof V1EntryValueSchema> {
  uuid: string;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || '(root)'}: ${issue?.message}`;
}

/** `{ <uuid>: {…} }` (GET) or a list of those (retrieve) → entries; never throws. */
export function parseV1EntryResponse(json: unknown): ParseResult<RekorV1Entry[]> {
  const objects = Array.isArray(json) ? json : [json];
  if (objects.length > MAX_ENTRIES_PER_RESPONSE) return { ok: false, reason: `${objects.length} entries in one answer, more than the ${MAX_ENTRIES_PER_RESPONSE} the API returns` };
  const out: RekorV1Entry[] = [];
  for (const [i, o] of objects.entries()) {
    const parsed = V1EntryResponseSchema.safeParse(o);
    if (!parsed.success) return { ok: false, reason: `not a Rekor v1 log entry (${Array.isArray(json) ? `element ${i}, ` : ''}${firstIssue(parsed.error)})` };
    for (const [uuid, v] of Object.entries(parsed.data)) out.push({ uuid: uuid.toLowerCase(), ...v, logID: v.logID.toLowerCase() });
  }
  if (out.length > MAX_ENTRIES_PER_RESPONSE) return { ok: false, reason: `more than ${MAX_ENTRIES_PER_RESPONSE} entries in one answer` };
  return { ok: true, value: out };
}

const CosignBundleSchema = z.object({
  SignedEntryTimestamp: z.string().min(1).max(16_384),
  Payload: z.object({ body: z.string().min(1).max(MAX_BODY_BASE64), integratedTime: Uint, logIndex: Uint, logID: Hex64 }),
});

/**
 * cosign's `dev.sigstore.cosign/bundle` annotation as a v1 entry. It carries no
 * UUID; the UUID given is the leaf hash of the body (what the log names it by).
 */
export function parseCosignBundleAnnotation(json: unknown): ParseResult<RekorV1Entry> {
  const parsed = CosignBundleSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `not a cosign Rekor bundle annotation (${firstIssue(parsed.error)})` };
  const { Payload: p, SignedEntryTimestamp } = parsed.data;
  const bytes = base64Strict(p.body);
  if (!bytes) return { ok: false, reason: 'the annotation body is not base64' };
  return {
    ok: true,
    value: {
      uuid: hashLeaf(bytes).toString('hex'),
      body: p.body,
      integratedTime: p.integratedTime,
      logID: p.logID.toLowerCase(),
      logIndex: p.logIndex,
      verification: { signedEntryTimestamp: SignedEntryTimestamp },
    },
  };
}

const Int64 = z.union([z.string().max(20), z.number()]);
const B64 = (max: number) => z.string().max(max);
const TlogEntrySchema = z.object({
  logIndex: Int64,
  logId: z.object({ keyId: B64(256) }),
  kindVersion: z.object({ kind: z.string().min(1).max(64), version: z.string().min(1).max(32) }),
  // protobuf JSON may write an absent message as null.
  integratedTime: Int64.nullish(),
  inclusionPromise: z.object({ signedEntryTimestamp: B64(16_384) }).nullish(),
  inclusionProof: z
    .object({
      logIndex: Int64,
      rootHash: B64(64),
      treeSize: Int64,
      hashes: z.array(B64(64)).max(MAX_PROOF_HASHES),
      checkpoint: z.object({ envelope: z.string().max(MAX_CHECKPOINT_BYTES) }).nullish(),
    })
    .nullish(),
  canonicalizedBody: B64(MAX_BODY_BASE64),
});

/** A TransparencyLogEntry (protobuf JSON) with its encodings checked and normalized. */
export interface TlogEntry {
  logIndex: number;
  /** Log ID, hex (v1: SHA-256 of the log key; v2: the checkpoint key ID). */
  logId: string;
  kind: string;
  version: string;
  /** Absent or 0 for a v2 log, which has no integrated time. */
  integratedTime?: number;
  /** SET, base64 (v1 logs only). */
  signedEntryTimestamp?: string;
  inclusionProof?: { logIndex: number; rootHash: string; treeSize: number; hashes: string[]; checkpoint?: string };
  /** The body, base64, as in the entry. */
  canonicalizedBody: string;
}

function uintField(v: unknown, what: string): number | string {
  const b = toUint63(v);
  const n = b === undefined ? undefined : toSafeNumber(b);
  return n === undefined ? `${what} is not a non-negative integer` : n;
}

/** Parses a Rekor v2 entry or a bundle's tlog entry; never throws. */
export function parseTlogEntry(json: unknown): ParseResult<TlogEntry> {
  const parsed = TlogEntrySchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `not a TransparencyLogEntry (${firstIssue(parsed.error)})` };
  const e = parsed.data;
  const logIndex = uintField(e.logIndex, 'logIndex');
  if (typeof logIndex === 'string') return { ok: false, reason: logIndex };
  const logId = base64Strict(e.logId.keyId);
  if (!logId || logId.length === 0) return { ok: false, reason: 'logId.keyId is not base64' };
  if (!base64Strict(e.canonicalizedBody)) return { ok: false, reason: 'canonicalizedBody is not base64' };
  let integratedTime: number | undefined;
  if (e.integratedTime !== undefined && e.integratedTime !== null) {
    const t = uintField(e.integratedTime, 'integratedTime');
    if (typeof t === 'string') return { ok: false, reason: t };
    integratedTime = t;
  }
  let inclusionProof: TlogEntry['inclusionProof'];
  if (e.inclusionProof) {
    const p = e.inclusionProof;
    const index = uintField(p.logIndex, 'inclusionProof.logIndex');
    const size = uintField(p.treeSize, 'inclusionProof.treeSize');
    if (typeof index === 'string') return { ok: false, reason: index };
    if (typeof size === 'string') return { ok: false, reason: size };
    const root = base64Strict(p.rootHash);
    if (!root || root.length !== 32) return { ok: false, reason: 'inclusionProof.rootHash is not a base64 SHA-256 value' };
    const hashes: string[] = [];
    for (const [i, h] of p.hashes.entries()) {
      const b = base64Strict(h);
      if (!b || b.length !== 32) return { ok: false, reason: `inclusionProof.hashes[${i}] is not a base64 SHA-256 value` };
      hashes.push(b.toString('hex'));
    }
    inclusionProof = { logIndex: index, rootHash: root.toString('hex'), treeSize: size, hashes, checkpoint: p.checkpoint?.envelope };
  }
  let signedEntryTimestamp: string | undefined;
  if (e.inclusionPromise) {
    if (!base64Strict(e.inclusionPromise.signedEntryTimestamp)) return { ok: false, reason: 'inclusionPromise.signedEntryTimestamp is not base64' };
    signedEntryTimestamp = e.inclusionPromise.signedEntryTimestamp;
  }
  return {
    ok: true,
    value: {
      logIndex,
      logId: logId.toString('hex'),
      kind: e.kindVersion.kind,
      version: e.kindVersion.version,
      integratedTime,
      signedEntryTimestamp,
      inclusionProof,
      canonicalizedBody: e.canonicalizedBody,
    },
  };
}

// ---------------------------------------------------------------------------
// Bodies

export type SupportedKind = 'hashedrekord' | 'dsse' | 'intoto' | 'rekord';

export interface Digest {
  /** sha256, sha384, sha512. */
  algorithm: string;
  /** Lowercase hex. */
  value: string;
}

export interface EntrySignature {
  /** The signature, base64 (absent for intoto 0.0.1, whose body keeps only the key). */
  signature?: string;
  /** A public key verifier, as PEM. */
  publicKeyPem?: string;
  /** A certificate verifier, decoded. */
  certificate?: DecodedCertificate;
  /** rekord: the key format (x509, pgp, ssh, minisign). */
  keyFormat?: string;
  /** A non-PEM key (pgp, ssh, minisign), base64. */
  publicKeyBase64?: string;
  /** v2 bodies: the verifier's key details (PKIX_ECDSA_P256_SHA_256, …). */
  keyDetails?: string;
  /** DSSE key ID, when the signer gave one. */
  keyid?: string;
  /** Why the verifier could not be decoded, when it could not. */
  problem?: string;
}

export interface SupportedBody {
  supported: true;
  kind: SupportedKind;
  apiVersion: string;
  /** hashedrekord, rekord: the hash of the signed artifact. */
  artifactHash?: Digest;
  /** dsse, intoto: the hash of the envelope's payload. */
  payloadHash?: Digest;
  /** dsse, intoto: the hash of the whole envelope. */
  envelopeHash?: Digest;
  /** intoto 0.0.2: the envelope's payload type. */
  payloadType?: string;
  signatures: EntrySignature[];
}

export interface UnsupportedBody {
  supported: false;
  kind?: string;
  apiVersion?: string;
  reason: string;
}

export type EntryBody = SupportedBody | UnsupportedBody;

const HashV1 = z.object({ algorithm: z.string().max(16), value: z.string().max(256) });
const B64Field = z.string().max(MAX_VERIFIER_BYTES * 2);

const HashedRekordV001 = z.object({
  data: z.object({ hash: HashV1 }),
  signature: z.object({ content: B64Field, publicKey: z.object({ content: B64Field }) }),
});
const RekordV001 = z.object({
  data: z.object({ hash: HashV1.optional() }),
  signature: z.object({ format: z.string().max(16), content: B64Field, publicKey: z.object({ content: B64Field }) }),
});
const DsseV001 = z.object({
  envelopeHash: HashV1.optional(),
  payloadHash: HashV1.optional(),
  signatures: z.array(z.object({ signature: B64Field, verifier: B64Field })).min(1).max(MAX_SIGNATURES),
});
const IntotoV001 = z.object({
  content: z.object({ hash: HashV1.optional(), payloadHash: HashV1.optional() }),
  publicKey: B64Field,
});
const IntotoV002 = z.object({
  content: z.object({
    envelope: z.object({
      payloadType: z.string().max(256),
      signatures: z.array(z.object({ keyid: z.string().max(256).optional(), sig: B64Field, publicKey: B64Field })).min(1).max(MAX_SIGNATURES),
    }),
    hash: HashV1.optional(),
    payloadHash: HashV1.optional(),
  }),
});
const V2Verifier = z.object({
  keyDetails: z.string().max(64).optional(),
  publicKey: z.object({ rawBytes: B64Field }).optional(),
  x509Certificate: z.object({ rawBytes: B64Field }).optional(),
});
const V2Signature = z.object({ content: B64Field, verifier: V2Verifier });
const V2Hash = z.object({ algorithm: z.string().max(32), digest: z.string().max(256) });
const HashedRekordV002 = z.object({ hashedRekordV002: z.object({ data: V2Hash, signature: V2Signature }) });
const DsseV002 = z.object({ dsseV002: z.object({ payloadHash: V2Hash, signatures: z.array(V2Signature).min(1).max(MAX_SIGNATURES) }) });

class BodyError extends Error {}

function digestV1(h: z.infer<typeof HashV1> | undefined, what: string): Digest | undefined {
  if (!h) return undefined;
  const algorithm = h.algorithm.toLowerCase();
  const len = { sha256: 64, sha384: 96, sha512: 128, sha1: 40 }[algorithm];
  if (!len) throw new BodyError(`${what} uses unknown hash algorithm ${printable(h.algorithm, 20)}`);
  if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h.value)) throw new BodyError(`${what} is not a ${algorithm} hex value`);
  return { algorithm, value: h.value.toLowerCase() };
}

const V2_ALGORITHMS: Record<string, [string, number]> = { SHA2_256: ['sha256', 32], SHA2_384: ['sha384', 48], SHA2_512: ['sha512', 64] };

function digestV2(h: z.infer<typeof V2Hash>, what: string): Digest {
  const alg = V2_ALGORITHMS[h.algorithm];
  if (!alg) throw new BodyError(`${what} uses unknown hash algorithm ${printable(h.algorithm, 20)}`);
  const bytes = base64Strict(h.digest);
  if (!bytes || bytes.length !== alg[1]) throw new BodyError(`${what} is not a base64 ${alg[0]} value`);
  return { algorithm: alg[0], value: bytes.toString('hex') };
}

function signatureB64(s: string, what: string): string {
  const bytes = base64Strict(s);
  if (!bytes || bytes.length === 0) throw new BodyError(`${what} is not base64`);
  return s;
}

/** A base64 PEM (certificate or public key) from a v1 body → verifier fields, never throwing. */
function pemVerifier(b64: string): Pick<EntrySignature, 'publicKeyPem' | 'certificate' | 'problem'> {
  const bytes = base64Strict(b64, MAX_VERIFIER_BYTES * 2);
  if (!bytes) return { problem: 'the verifier is not base64' };
  const text = bytes.toString('utf8');
  if (text.includes('-----BEGIN CERTIFICATE-----')) return certificateVerifier(text);
  if (text.includes('-----BEGIN PUBLIC KEY-----')) return publicKeyVerifier(text, 'pem');
  return { problem: 'the verifier is neither a PEM certificate nor a PEM public key' };
}

function certificateVerifier(input: string | Uint8Array): Pick<EntrySignature, 'certificate' | 'problem'> {
  try {
    return { certificate: decodeCertificate(input) };
  } catch (e) {
    return { problem: `the certificate cannot be decoded: ${describeError(e)}` };
  }
}

function publicKeyVerifier(input: string | Buffer, format: 'pem' | 'der'): Pick<EntrySignature, 'publicKeyPem' | 'problem'> {
  try {
    const key = format === 'pem' ? createPublicKey({ key: input, format: 'pem' }) : createPublicKey({ key: input as Buffer, format: 'der', type: 'spki' });
    return { publicKeyPem: key.export({ format: 'pem', type: 'spki' }).toString() };
  } catch (e) {
    return { problem: `the public key cannot be read: ${describeError(e)}` };
  }
}

function v2Verifier(v: z.infer<typeof V2Verifier>): Pick<EntrySignature, 'publicKeyPem' | 'certificate' | 'problem' | 'keyDetails'> {
  const keyDetails = v.keyDetails;
  if (v.x509Certificate) {
    const der = base64Strict(v.x509Certificate.rawBytes);
    return { keyDetails, ...(der ? certificateVerifier(der) : { problem: 'the certificate is not base64' }) };
  }
  if (v.publicKey) {
    const der = base64Strict(v.publicKey.rawBytes);
    return { keyDetails, ...(der ? publicKeyVerifier(der, 'der') : { problem: 'the public key is not base64' }) };
  }
  return { keyDetails, problem: 'the verifier has neither a certificate nor a public key' };
}

type Spec = Record<string, unknown>;

function parseSpec<T>(schema: z.ZodType<T>, spec: unknown, what: string): T {
  const r = schema.safeParse(spec);
  if (!r.success) throw new BodyError(`malformed ${what} body (spec.${firstIssue(r.error)})`);
  return r.data;
}

const DECODERS: Record<string, (spec: Spec) => Omit<SupportedBody, 'supported' | 'kind' | 'apiVersion'>> = {
  'hashedrekord 0.0.1': (spec) => {
    const s = parseSpec(HashedRekordV001, spec, 'hashedrekord 0.0.1');
    return {
      artifactHash: digestV1(s.data.hash, 'data.hash'),
      signatures: [{ signature: signatureB64(s.signature.content, 'signature.content'), ...pemVerifier(s.signature.publicKey.content) }],
    };
  },
  'hashedrekord 0.0.2': (spec) => {
    const s = parseSpec(HashedRekordV002, spec, 'hashedrekord 0.0.2').hashedRekordV002;
    return {
      artifactHash: digestV2(s.data, 'data'),
      signatures: [{ signature: signatureB64(s.signature.content, 'signature.content'), ...v2Verifier(s.signature.verifier) }],
    };
  },
  'rekord 0.0.1': (spec) => {
    const s = parseSpec(RekordV001, spec, 'rekord 0.0.1');
    const format = s.signature.format.toLowerCase();
    const key = format === 'x509' ? pemVerifier(s.signature.publicKey.content) : base64Strict(s.signature.publicKey.content, MAX_VERIFIER_BYTES * 2) ? { publicKeyBase64: s.signature.publicKey.content } : { problem: 'the public key is not base64' };
    return {
      artifactHash: digestV1(s.data.hash, 'data.hash'),
      signatures: [{ signature: signatureB64(s.signature.content, 'signature.content'), keyFormat: format, ...key }],
    };
  },
  'dsse 0.0.1': (spec) => {
    const s = parseSpec(DsseV001, spec, 'dsse 0.0.1');
    return {
      payloadHash: digestV1(s.payloadHash, 'payloadHash'),
      envelopeHash: digestV1(s.envelopeHash, 'envelopeHash'),
      signatures: s.signatures.map((sig, i) => ({ signature: signatureB64(sig.signature, `signatures[${i}].signature`), ...pemVerifier(sig.verifier) })),
    };
  },
  'dsse 0.0.2': (spec) => {
    const s = parseSpec(DsseV002, spec, 'dsse 0.0.2').dsseV002;
    return {
      payloadHash: digestV2(s.payloadHash, 'payloadHash'),
      signatures: s.signatures.map((sig, i) => ({ signature: signatureB64(sig.content, `signatures[${i}].content`), ...v2Verifier(sig.verifier) })),
    };
  },
  'intoto 0.0.1': (spec) => {
    const s = parseSpec(IntotoV001, spec, 'intoto 0.0.1');
    // The 0.0.1 body keeps the key but not the signature (that is in the stored attestation).
    return {
      payloadHash: digestV1(s.content.payloadHash, 'content.payloadHash'),
      envelopeHash: digestV1(s.content.hash, 'content.hash'),
      signatures: [pemVerifier(s.publicKey)],
    };
  },
  'intoto 0.0.2': (spec) => {
    const s = parseSpec(IntotoV002, spec, 'intoto 0.0.2');
    return {
      payloadHash: digestV1(s.content.payloadHash, 'content.payloadHash'),
      envelopeHash: digestV1(s.content.hash, 'content.hash'),
      payloadType: s.content.envelope.payloadType,
      signatures: s.content.envelope.signatures.map((sig, i) => {
        // Rekor stores the envelope's (already base64) signature base64-encoded
        // again; accept a singly-encoded one too rather than drop the entry.
        const inner = base64Strict(sig.sig)?.toString('latin1');
        const signature = inner !== undefined && base64Strict(inner) ? inner : sig.sig;
        return { signature: signatureB64(signature, `signatures[${i}].sig`), keyid: sig.keyid || undefined, ...pemVerifier(sig.publicKey) };
      }),
    };
  },
};

const KNOWN_KINDS = new Set<string>(['hashedrekord', 'dsse', 'intoto', 'rekord']);

/** Decodes an entry body (the bytes, or their base64); never throws. */
export function decodeEntryBody(body: Uint8Array | string): EntryBody {
  try {
    const bytes = typeof body === 'string' ? base64Strict(body, MAX_BODY_BASE64) : body;
    if (!bytes) return { supported: false, reason: 'the body is not base64' };
    if (bytes.length > MAX_ENTRY_BODY_BYTES) return { supported: false, reason: `the body is ${bytes.length} bytes, over the ${MAX_ENTRY_BODY_BYTES}-byte limit` };
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      return { supported: false, reason: 'the body is not JSON' };
    }
    const head = z.object({ kind: z.string().max(64), apiVersion: z.string().max(32), spec: z.record(z.string(), z.unknown()) }).safeParse(json);
    if (!head.success) return { supported: false, reason: `the body is not a Rekor entry (${firstIssue(head.error)})` };
    const { kind, apiVersion, spec } = head.data;
    const decoder = DECODERS[`${kind} ${apiVersion}`];
    if (!decoder) {
      return {
        supported: false,
        kind,
        apiVersion,
        reason: KNOWN_KINDS.has(kind)
          ? `unsupported ${printable(kind, 64)} version ${printable(apiVersion, 32)}`
          : `unsupported kind ${printable(kind, 64)} (${printable(apiVersion, 32)}): Sigscope decodes hashedrekord, dsse, intoto and rekord entries`,
      };
    }
    try {
      return { supported: true, kind: kind as SupportedKind, apiVersion, ...decoder(spec) };
    } catch (e) {
      if (e instanceof BodyError) return { supported: false, kind, apiVersion, reason: e.message };
      throw e;
    }
  } catch (e) {
    return { supported: false, reason: `the body could not be decoded: ${describeError(e)}` };
  }
}

// ---------------------------------------------------------------------------
// Whole entries

export interface EntryMeta {
  /** rekor-v1: a v1 API entry (or cosign annotation); tlog-entry: a v2 entry or a bundle's tlog entry. */
  source: 'rekor-v1' | 'tlog-entry';
  /** v1 only: the entry UUID (64 hex, or 80 with the tree ID prefix). */
  uuid?: string;
  logIndex: number;
  /** Unix seconds; absent for a v2 log, which has none. Only a verified SET vouches for it. */
  integratedTime?: number;
  /** Hex. */
  logId: string;
  /** hashLeaf(body), hex: the leaf the log's proofs are about. */
  leafHash: string;
  hasInclusionProof: boolean;
  hasSet: boolean;
  /** Inconsistencies seen while decoding (e.g. kindVersion disagreeing with the body). */
  notes: string[];
}

export type DecodedEntry = EntryBody & EntryMeta;

export function decodeV1Entry(entry: RekorV1Entry): DecodedEntry {
  const bytes = base64Strict(entry.body, MAX_BODY_BASE64);
  const body: EntryBody = bytes ? decodeEntryBody(bytes) : { supported: false, reason: 'the body is not base64' };
  return {
    ...body,
    source: 'rekor-v1',
    uuid: entry.uuid,
    logIndex: entry.logIndex,
    integratedTime: entry.integratedTime,
    logId: entry.logID,
    leafHash: bytes ? hashLeaf(bytes).toString('hex') : '',
    hasInclusionProof: entry.verification?.inclusionProof !== undefined,
    hasSet: entry.verification?.signedEntryTimestamp !== undefined,
    notes: [],
  };
}

export function decodeTlogEntry(entry: TlogEntry): DecodedEntry {
  const bytes = base64Strict(entry.canonicalizedBody, MAX_BODY_BASE64);
  const body: EntryBody = bytes ? decodeEntryBody(bytes) : { supported: false, reason: 'the body is not base64' };
  const notes: string[] = [];
  if (body.kind !== undefined && (body.kind !== entry.kind || body.apiVersion !== entry.version)) {
    notes.push(`kindVersion says ${printable(entry.kind, 64)} ${printable(entry.version, 32)} but the body is ${printable(body.kind, 64)} ${printable(body.apiVersion ?? '', 32)}`);
  }
  return {
    ...body,
    source: 'tlog-entry',
    logIndex: entry.logIndex,
    integratedTime: entry.integratedTime ? entry.integratedTime : undefined,
    logId: entry.logId,
    leafHash: bytes ? hashLeaf(bytes).toString('hex') : '',
    hasInclusionProof: entry.inclusionProof !== undefined,
    hasSet: entry.signedEntryTimestamp !== undefined,
    notes,
  };
}
