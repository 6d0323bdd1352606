/**
 * in-toto Statements: the payload of the DSSE envelopes that carry attestations (cosign
 * `.att` layers, Sigstore bundles). Parsing validates the envelope-independent part
 * (type, subjects, predicate type) and leaves the predicate as untrusted `unknown` data
 * for `summarizePredicate`.
 *
 * Parsing says nothing about who signed the statement: call it on a payload whose
 * signature has been verified, or label the result as unverified.
 */
import { z } from 'zod';
import { SigscopeError, printable } from '../errors';
import { isRecord, jsonDepthExceeds } from './json';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE_V01 = 'https://in-toto.io/Statement/v0.1';
export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';

/** SBOM predicates of large images run to a few MiB; this leaves room without inviting abuse. */
export const MAX_STATEMENT_BYTES = 8 * 1024 * 1024;
export const MAX_SUBJECTS = 1024;
/** Deeper than any real SBOM or provenance; stops pathological `[[[[…]]]]` payloads. */
export const MAX_STATEMENT_DEPTH = 256;
export const MAX_SUBJECT_NAME_CHARS = 4096;
export const MAX_PREDICATE_TYPE_CHARS = 1024;
export const MAX_DIGEST_ALGORITHMS = 16;
const MAX_DIGEST_VALUE_CHARS = 512;

export type StatementType = typeof STATEMENT_TYPE_V01 | typeof STATEMENT_TYPE_V1;

export interface InTotoSubject {
  /** May be '' (in-toto v1 makes the name optional). Untrusted: escape before printing. */
  name: string;
  /** Algorithm → digest. Hex digests of known algorithms are lower-cased. */
  digest: Record<string, string>;
}

export interface InTotoStatement {
  _type: StatementType;
  /** 'v0.1' or 'v1', from `_type`. */
  statementVersion: 'v0.1' | 'v1';
  /** At least one, at most MAX_SUBJECTS. */
  subject: InTotoSubject[];
  predicateType: string;
  /** Untrusted JSON; undefined when the statement has none (cosign's sign/v1 statements). */
  predicate: unknown;
}

/** Hex lengths of the digest algorithms whose values must be hex (in-toto DigestSet names). */
const HEX_DIGEST_LENGTHS: Record<string, readonly number[]> = {
  md5: [32],
  sha1: [40],
  sha224: [56],
  sha256: [64],
  sha384: [96],
  sha512: [128],
  sha512_224: [56],
  sha512_256: [64],
  sha3_224: [56],
  sha3_256: [64],
  sha3_384: [96],
  sha3_512: [128],
  gitBlob: [40, 64],
  gitCommit: [40, 64],
  gitTag: [40, 64],
  gitTree: [40, 64],
  dirHash: [64],
};

// Starts with a letter, so "__proto__" and friends are refused before anything is copied.
const ALGORITHM = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

const DigestSetSchema = z
  .record(z.string().regex(ALGORITHM, { error: 'is not a digest algorithm name' }), z.string({ error: 'must be a string' }).min(1, { error: 'is empty' }).max(MAX_DIGEST_VALUE_CHARS, { error: `is longer than ${MAX_DIGEST_VALUE_CHARS} characters` }), {
    error: 'must be an object of algorithm → digest',
  })
  .superRefine((digest, ctx) => {
    const algs = Object.keys(digest);
    if (algs.length === 0) ctx.addIssue({ code: 'custom', message: 'names no digest' });
    if (algs.length > MAX_DIGEST_ALGORITHMS) ctx.addIssue({ code: 'custom', message: `has ${algs.length} algorithms, above the limit of ${MAX_DIGEST_ALGORITHMS}` });
    for (const alg of algs) {
      const value = digest[alg]!;
      const lengths = HEX_DIGEST_LENGTHS[alg];
      if (lengths) {
        if (!/^[0-9a-fA-F]+$/.test(value) || !lengths.includes(value.length)) {
          ctx.addIssue({ code: 'custom', path: [alg], message: `must be ${lengths.join(' or ')} hex characters` });
        }
      } else if (!VISIBLE_ASCII.test(value)) {
        ctx.addIssue({ code: 'custom', path: [alg], message: 'must be printable ASCII without spaces' });
      }
    }
  })
  .transform((digest) => Object.fromEntries(Object.entries(digest).map(([alg, v]) => [alg, HEX_DIGEST_LENGTHS[alg] ? v.toLowerCase() : v])));

const SubjectSchema = z.object(
  {
    name: z.string({ error: 'must be a string' }).max(MAX_SUBJECT_NAME_CHARS, { error: `is longer than ${MAX_SUBJECT_NAME_CHARS} characters` }).optional(),
    digest: DigestSetSchema,
  },
  { error: 'must be an object with a name and a digest' },
);

const StatementSchema = z.object({
  _type: z.enum([STATEMENT_TYPE_V01, STATEMENT_TYPE_V1]),
  subject: z.array(SubjectSchema, { error: 'must be a list of subjects' }).min(1, { error: 'is empty: the statement is about nothing' }),
  predicateType: z
    .string({ error: 'must be a string' })
    .min(1, { error: 'is empty' })
    .max(MAX_PREDICATE_TYPE_CHARS, { error: `is longer than ${MAX_PREDICATE_TYPE_CHARS} characters` }),
  predicate: z.unknown().optional(),
});

function invalid(message: string, details?: Record<string, unknown>): SigscopeError {
  return new SigscopeError('INVALID_INPUT', `the attestation is not a valid in-toto statement: ${message}`, { details });
}

function issuePath(p: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of p) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? printable(String(part), 64) : `.${printable(String(part), 64)}`;
  }
  return out || '(statement)';
}

/**
 * Decodes and validates the DSSE payload of an in-toto attestation.
 * Throws SigscopeError INVALID_INPUT (or SIZE_LIMIT) with a message naming what is wrong.
 */
export function parseStatement(payloadType: string, payload: Uint8Array): InTotoStatement {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new SigscopeError('INVALID_INPUT', `the DSSE payload type is "${printable(payloadType, 100)}", not "${IN_TOTO_PAYLOAD_TYPE}": this envelope does not carry an in-toto attestation`, {
      details: { payloadType: printable(payloadType, 100) },
    });
  }
  if (payload.byteLength > MAX_STATEMENT_BYTES) {
    throw new SigscopeError('SIZE_LIMIT', `the in-toto statement is ${payload.byteLength} bytes, above the ${MAX_STATEMENT_BYTES}-byte limit`, {
      details: { bytes: payload.byteLength, limit: MAX_STATEMENT_BYTES },
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    throw invalid('the payload is not UTF-8 text');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalid(`the payload is not JSON (${printable((e as Error).message, 120)})`);
  }
  if (!isRecord(json)) throw invalid(`the payload is JSON ${Array.isArray(json) ? 'array' : json === null ? 'null' : typeof json}, not an object`);
  if (jsonDepthExceeds(json, MAX_STATEMENT_DEPTH)) throw invalid(`the JSON nests deeper than ${MAX_STATEMENT_DEPTH} levels`);

  const type = Object.prototype.hasOwnProperty.call(json, '_type') ? json._type : undefined;
  if (type !== STATEMENT_TYPE_V01 && type !== STATEMENT_TYPE_V1) {
    const found = typeof type === 'string' ? `"${printable(type, 120)}"` : type === undefined ? 'missing' : `a ${typeof type}`;
    throw invalid(`_type is ${found}; expected "${STATEMENT_TYPE_V1}" or "${STATEMENT_TYPE_V01}"`);
  }
  // Checked before zod so a million-entry array is refused without validating each entry.
  const subjects = Object.prototype.hasOwnProperty.call(json, 'subject') ? json.subject : undefined;
  if (Array.isArray(subjects) && subjects.length > MAX_SUBJECTS) {
    throw new SigscopeError('SIZE_LIMIT', `the in-toto statement lists ${subjects.length} subjects, above the limit of ${MAX_SUBJECTS}`, {
      details: { subjects: subjects.length, limit: MAX_SUBJECTS },
    });
  }

  const parsed = StatementSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // A bad record key is reported with the key's own message.
    const inner = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
    const where = issuePath(issue.path);
    const message = issue.path.length === 0 ? issue.message : `${where} ${inner ?? issue.message}`;
    throw invalid(message, { path: where, issues: parsed.error.issues.length });
  }
  const s = parsed.data;
  return {
    _type: s._type,
    statementVersion: s._type === STATEMENT_TYPE_V1 ? 'v1' : 'v0.1',
    subject: s.subject.map((sub) => ({ name: sub.name ?? '', digest: sub.digest })),
    predicateType: s.predicateType,
    predicate: s.predicate,
  };
}

const DIGEST_REF = /^([A-Za-z][A-Za-z0-9_-]{0,63}):([0-9a-fA-F]+)$/;

function parseDigestRef(digest: string): { alg: string; hex: string } {
  const m = DIGEST_REF.exec(digest);
  if (!m) throw new SigscopeError('INVALID_INPUT', `"${printable(digest, 150)}" is not a digest of the form sha256:<hex>`);
  return { alg: m[1]!, hex: m[2]!.toLowerCase() };
}

function hasDigest(subject: InTotoSubject, alg: string, hex: string): boolean {
  return Object.prototype.hasOwnProperty.call(subject.digest, alg) && subject.digest[alg]!.toLowerCase() === hex;
}

/**
 * Whether the statement names `digest` (`sha256:<hex>`, or any `<alg>:<hex>`) as a subject.
 * Comparison is case-insensitive on the hex. Throws INVALID_INPUT on a malformed digest.
 */
export function subjectMatches(statement: Pick<InTotoStatement, 'subject'>, digest: string): boolean {
  const { alg, hex } = parseDigestRef(digest);
  return statement.subject.some((s) => hasDigest(s, alg, hex));
}

/** The subjects whose digest equals `digest` (same form and errors as subjectMatches). */
export function matchingSubjects(statement: Pick<InTotoStatement, 'subject'>, digest: string): InTotoSubject[] {
  const { alg, hex } = parseDigestRef(digest);
  return statement.subject.filter((s) => hasDigest(s, alg, hex));
}
