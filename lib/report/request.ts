/**
 * What the reports API and page accept: a scope (kind + value, issuer for an identity given
 * by subject), an optional stored policy, a format and whether to sign. Shared by the route
 * handlers and the form (no server-only).
 */
import { z } from 'zod';
import { REPORT_FORMATS, SCOPE_KINDS } from './types';

export const ScopeRequestSchema = z.object({
  kind: z.enum(SCOPE_KINDS),
  value: z.string().max(4096),
  issuer: z.string().max(2048).optional(),
  policy: z
    .string()
    .trim()
    .max(64)
    .regex(/^$|^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a stored policy name')
    .optional()
    .transform((v) => (v ? v : undefined)),
});

export const GenerateRequestSchema = ScopeRequestSchema.extend({
  format: z.enum(REPORT_FORMATS),
  sign: z.boolean().optional().default(false),
});
export type GenerateRequest = z.input<typeof GenerateRequestSchema>;
