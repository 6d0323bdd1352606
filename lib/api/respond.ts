/** Route-handler helpers: zod-validated input, typed JSON errors, status codes by error code. */
import 'server-only';
import { NextResponse } from 'next/server';
import type { z } from 'zod';
import { isSigscopeError, type SigscopeErrorCode } from '../errors';

export interface ApiErrorBody {
  /** `line`: where in a submitted document (policy YAML) the issue is. */
  error: { code: string; message: string; issues?: Array<{ path: string; message: string; line?: number }> };
}

const STATUS: Partial<Record<SigscopeErrorCode, number>> = {
  INVALID_REFERENCE: 400,
  INVALID_INPUT: 400,
  INVALID_POLICY: 400,
  INVALID_TRUSTED_ROOT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  REGISTRY_HTTP_NOT_ALLOWED: 400,
  REGISTRY_NOT_FOUND: 404,
  REGISTRY_UNREACHABLE: 502,
  REGISTRY_ERROR: 502,
  REGISTRY_BAD_RESPONSE: 502,
  DIGEST_MISMATCH: 502,
  TIMEOUT: 504,
  OUTBOUND_BLOCKED: 403,
  REKOR_NOT_FOUND: 404,
  REKOR_UNREACHABLE: 502,
  REKOR_BAD_RESPONSE: 502,
  DATABASE: 500,
  SECRET: 500,
};

export function apiError(status: number, code: string, message: string, issues?: ApiErrorBody['error']['issues']): NextResponse<ApiErrorBody> {
  return NextResponse.json({ error: { code, message, ...(issues ? { issues } : {}) } }, { status });
}

export function errorResponse(e: unknown): NextResponse<ApiErrorBody> {
  if (isSigscopeError(e)) return apiError(STATUS[e.code] ?? 500, e.code, e.message);
  console.error(e);
  return apiError(500, 'INTERNAL', 'Sigscope hit an unexpected error; the server log has the details.');
}

export async function parseJsonBody<S extends z.ZodType>(request: Request, schema: S, maxBytes = 64 * 1024): Promise<{ ok: true; data: z.infer<S> } | { ok: false; response: NextResponse<ApiErrorBody> }> {
  const text = await request.text();
  if (text.length > maxBytes) return { ok: false, response: apiError(413, 'INVALID_INPUT', `request body is larger than ${maxBytes} bytes`) };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, response: apiError(400, 'INVALID_INPUT', 'request body is not JSON') };
  }
  return parseValue(json, schema);
}

export function parseValue<S extends z.ZodType>(value: unknown, schema: S): { ok: true; data: z.infer<S> } | { ok: false; response: NextResponse<ApiErrorBody> } {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  return { ok: false, response: apiError(400, 'INVALID_INPUT', first ? `${first.path || 'input'}: ${first.message}` : 'invalid input', issues) };
}

/** JSON with BigInt (Rekor log indexes) as decimal strings. */
export function jsonResponse(value: unknown, init?: ResponseInit): Response {
  const body = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return new Response(body, { ...init, headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) } });
}
