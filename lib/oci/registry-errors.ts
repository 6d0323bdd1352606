/**
 * Turns a non-success registry answer into a SigscopeError whose message says
 * which registry, which object, what it answered, and what that usually means.
 * The registry's own error body ({"errors":[{code,message}]}) is untrusted: it
 * is read with a small cap, validated, and sanitised before being quoted.
 */
import { z } from 'zod';
import { SigscopeError } from '../errors';
import { parseBoundedJson } from '../net/json';
import { discard, retryAfterMs, type SentResponse, type Transport } from './transport';

const errorBodySchema = z.object({
  errors: z
    .array(z.object({ code: z.string().max(100).optional(), message: z.string().max(1000).optional() }))
    .max(20),
});

const ERROR_BODY_MAX_BYTES = 16 * 1024;

export interface ErrorContext {
  /** Registry host as the user knows it. */
  host: string;
  /** "manifest app:1.2", "blob sha256:… of app", "tag list of app", … */
  what: string;
  /** Explanation for a plain 404 ("the tag does not exist"). */
  notFoundHint?: string;
}

const CODE_HINTS: Record<string, string> = {
  NAME_UNKNOWN: 'the repository does not exist',
  MANIFEST_UNKNOWN: 'no manifest with this tag or digest exists in the repository',
  BLOB_UNKNOWN: 'the blob does not exist in this repository',
  TAG_INVALID: 'the registry rejected the tag',
  MANIFEST_INVALID: 'the registry rejected the manifest as invalid',
  MANIFEST_BLOB_UNKNOWN: 'the manifest refers to a blob that was not uploaded',
  DIGEST_INVALID: 'the registry computed a different digest for the upload',
  UNSUPPORTED: 'the registry does not support this operation',
  DENIED: 'access was denied',
  UNAUTHORIZED: 'authentication is required',
  TOOMANYREQUESTS: 'the registry is rate limiting requests',
};

export async function errorFromResponse(sent: SentResponse, ctx: ErrorContext, transport: Transport): Promise<SigscopeError> {
  const status = sent.response.status;
  const codes = await readErrorCodes(sent, ctx, transport);
  const registrySays = codes.length > 0 ? ` (registry says: ${codes.map((c) => [c.code, c.message].filter(Boolean).join(': ')).join('; ')})` : '';
  const codeHint = codes.map((c) => (c.code ? CODE_HINTS[c.code] : undefined)).find(Boolean);
  // A missing repository explains a 404 better than the caller's guess; otherwise the caller knows best.
  const repositoryMissing = codes.some((c) => c.code === 'NAME_UNKNOWN');
  const prefix = `registry ${ctx.host} answered ${status} for ${ctx.what}`;
  const details = { status, registryCodes: codes.map((c) => c.code).filter(Boolean) };

  if (status === 404) {
    return new SigscopeError('REGISTRY_NOT_FOUND', `${prefix} — ${repositoryMissing ? CODE_HINTS.NAME_UNKNOWN : (ctx.notFoundHint ?? codeHint ?? 'it does not exist')}`, { details });
  }
  if (status === 401 || status === 403) {
    return new SigscopeError(
      'REGISTRY_AUTH',
      `${prefix} — access denied${registrySays}; check that the credentials configured for ${ctx.host} may read this repository`,
      { details },
    );
  }
  if (status === 429) {
    const wait = retryAfterMs(sent.response);
    const when = wait === undefined ? 'wait and retry' : `it asks to wait ${Math.ceil(wait / 1000)} s (Retry-After) before retrying`;
    return new SigscopeError('REGISTRY_ERROR', `${prefix} — rate limited${registrySays}; ${when}, or configure credentials for a higher limit`, { details: { ...details, retryAfterMs: wait } });
  }
  if (status >= 500) {
    return new SigscopeError('REGISTRY_ERROR', `${prefix} — a server-side error${registrySays}; retry later`, { details });
  }
  return new SigscopeError('REGISTRY_ERROR', `${prefix}${codeHint ? ` — ${codeHint}` : ''}${registrySays}`, { details });
}

async function readErrorCodes(sent: SentResponse, ctx: ErrorContext, transport: Transport): Promise<Array<{ code?: string; message?: string }>> {
  try {
    const bytes = await transport.readBody(sent, ERROR_BODY_MAX_BYTES, `error body of ${ctx.what}`, ctx.host);
    const parsed = errorBodySchema.safeParse(parseBoundedJson(bytes, 8));
    if (!parsed.success) return [];
    return parsed.data.errors.slice(0, 3).map((e) => ({ code: e.code && sanitize(e.code, 40), message: e.message && sanitize(e.message, 200) }));
  } catch {
    await discard(sent.response);
    return [];
  }
}

/** Registry text goes into UI and terminals: no control characters, bounded length. */
export function sanitize(text: string, max: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}
