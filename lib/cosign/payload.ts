/** Parsing of cosign's "simple signing" payload (the blob each `.sig` layer signs). */
import { z } from 'zod';
import { COSIGN_SIGNATURE_TYPE } from './types';

export const MAX_PAYLOAD_BYTES = 256 * 1024;

const DigestString = z.string().regex(/^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$/, 'a sha256:<64 hex> digest');

const SimpleSigningSchema = z.object({
  critical: z.object({
    identity: z.object({ 'docker-reference': z.string().max(1024) }),
    image: z.object({ 'docker-manifest-digest': DigestString }),
    type: z.string().max(256),
  }),
  optional: z.record(z.string(), z.unknown()).nullish(),
});

export interface SimpleSigningPayload {
  dockerReference: string;
  manifestDigest: string;
  type: string;
  optional: Record<string, unknown>;
}

export type PayloadParseResult = { ok: true; payload: SimpleSigningPayload } | { ok: false; reason: string };

/** Parses without throwing: a malformed payload is a verdict, not a crash. */
export function parseSimpleSigningPayload(bytes: Uint8Array): PayloadParseResult {
  if (bytes.byteLength > MAX_PAYLOAD_BYTES) {
    return { ok: false, reason: `signature payload is ${bytes.byteLength} bytes, above the ${MAX_PAYLOAD_BYTES}-byte limit` };
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    return { ok: false, reason: `signature payload is not JSON (${(e as Error).message})` };
  }
  const parsed = SimpleSigningSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    return { ok: false, reason: `signature payload is not a cosign simple-signing document: ${where}: ${issue?.message ?? 'invalid'}` };
  }
  const c = parsed.data.critical;
  return {
    ok: true,
    payload: {
      dockerReference: c.identity['docker-reference'],
      manifestDigest: c.image['docker-manifest-digest'],
      type: c.type,
      optional: parsed.data.optional ?? {},
    },
  };
}

export function isCosignSignatureType(type: string): boolean {
  // cosign writes this exact string; compare case-insensitively as cosign does.
  return type.toLowerCase() === COSIGN_SIGNATURE_TYPE;
}
