/**
 * Value sets and JSON-column shapes of the Sigscope database.
 *
 * The schema keeps these as plain `String` columns (portable to PostgreSQL, no
 * enums, no Json type); this module is where they get their types back. JSON
 * text is validated with zod when read, so a corrupt row surfaces as a clear
 * SigscopeError('DATABASE') naming the table, row and column.
 *
 * No `server-only` here: pure types and schemas, usable from client components.
 */
import { z } from 'zod';
import { SigscopeError } from '../errors';

// ---------------------------------------------------------------------------
// Closed value sets

export const RUN_STATUSES = ['verified', 'signed-unchecked', 'failed', 'unsigned', 'error'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** A run is 'running' between createRun and finishRun. */
export type StoredRunStatus = RunStatus | 'running';
export const StoredRunStatusSchema = z.enum([...RUN_STATUSES, 'running']);

export const VERDICTS = ['verified', 'signed-unchecked', 'failed'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const VerdictSchema = z.enum(VERDICTS);

export const SIGNATURE_KINDS = ['cosign-sig', 'bundle', 'attestation'] as const;
export type SignatureKind = (typeof SIGNATURE_KINDS)[number];
export const SignatureKindSchema = z.enum(SIGNATURE_KINDS);

export const RUN_SOURCES = ['cli', 'web', 'demo'] as const;
export type RunSource = (typeof RUN_SOURCES)[number];
export const RunSourceSchema = z.enum(RUN_SOURCES);

// ---------------------------------------------------------------------------
// JSON columns

/** Image.platforms */
export const PlatformSchema = z.looseObject({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
  digest: z.string(),
});
export const PlatformsSchema = z.array(PlatformSchema);
export type Platform = z.infer<typeof PlatformSchema>;

/** SignatureResult.checks */
export const CheckSchema = z.looseObject({
  name: z.string(),
  passed: z.boolean(),
  detail: z.string(),
});
export const ChecksSchema = z.array(CheckSchema);
export type Check = z.infer<typeof CheckSchema>;

/**
 * Certificate.extensions: what the decoder found beyond the dedicated columns
 * (serial, public key, SANs, key usages, Fulcio extensions, SCT count, ...).
 * Kept open: the decoder (lib/x509) owns the shape.
 */
export const CertificateExtensionsSchema = z.record(z.string(), z.unknown());
export type CertificateExtensions = z.infer<typeof CertificateExtensionsSchema>;

/** VerificationRun.policy: the policy as given (lib/verify/policy owns its shape). */
export const PolicyJsonSchema = z.record(z.string(), z.unknown());
export type PolicyJson = z.infer<typeof PolicyJsonSchema>;

/** VerificationRun.summary: any JSON object (the audit layer owns its shape). */
export const SummarySchema = z.record(z.string(), z.unknown());
export type RunSummary = z.infer<typeof SummarySchema>;

// ---------------------------------------------------------------------------
// Reading and writing JSON text

export interface ColumnRef {
  table: string;
  column: string;
  id: string;
}

/** Parse a JSON-text column and validate it; throws SigscopeError('DATABASE') naming the row. */
export function parseJsonColumn<S extends z.ZodType>(schema: S, text: string, ref: ColumnRef): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new SigscopeError(
      'DATABASE',
      `Corrupt database row: ${ref.table} ${ref.id} column "${ref.column}" is not valid JSON (${(cause as Error).message}).`,
      { cause, details: { ...ref } },
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new SigscopeError(
      'DATABASE',
      `Corrupt database row: ${ref.table} ${ref.id} column "${ref.column}" does not have the expected shape: ${z.prettifyError(parsed.error)}`,
      { details: { ...ref } },
    );
  }
  return parsed.data as z.infer<S>;
}

/** Validate then serialize a value for a JSON-text column; bad input is the caller's bug. */
export function toJsonColumn<S extends z.ZodType>(schema: S, value: unknown, what: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new SigscopeError('INVALID_INPUT', `Cannot store ${what}: ${z.prettifyError(parsed.error)}`);
  }
  return JSON.stringify(parsed.data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Validate a closed-set string column read back from the database. */
export function parseEnumColumn<S extends z.ZodType<string>>(schema: S, value: string, ref: ColumnRef): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new SigscopeError(
      'DATABASE',
      `Corrupt database row: ${ref.table} ${ref.id} column "${ref.column}" holds unknown value ${JSON.stringify(value)}.`,
      { details: { ...ref } },
    );
  }
  return parsed.data as z.infer<S>;
}
