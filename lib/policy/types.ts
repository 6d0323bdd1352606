/**
 * A Sigscope signing policy after parsing: one `ImagePolicy` per YAML document of a
 * ClusterImagePolicy-like file (see ./parse.ts for the YAML format). This normalized form is
 * what is stored (PolicyVersion.parsed), hashed, re-exported as YAML and evaluated.
 *
 * Framework-free and without `server-only`: pure types and schemas.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const MODES = ['enforce', 'warn'] as const;
export type PolicyMode = (typeof MODES)[number];

/** Sigscope extension: GitHub Actions claims a keyless identity must also carry. */
export const GithubIdentitySchema = z
  .object({
    /** org/repo of the workflow run. */
    repository: z.string().optional(),
    /** refs/heads/main exactly, or a glob when it contains "*" (refs/tags/v*). */
    ref: z.string().optional(),
    /** Event that triggered the workflow: push, release, workflow_dispatch… */
    trigger: z.string().optional(),
    /** Workflow name claim (cosign's --certificate-github-workflow-name). */
    workflow: z.string().optional(),
    /** Commit SHA. */
    sha: z.string().optional(),
  })
  .strict();
export type GithubIdentity = z.infer<typeof GithubIdentitySchema>;

export const IdentitySchema = z
  .object({
    issuer: z.string().optional(),
    issuerRegExp: z.string().optional(),
    subject: z.string().optional(),
    subjectRegExp: z.string().optional(),
    github: GithubIdentitySchema.optional(),
  })
  .strict();
export type KeylessIdentity = z.infer<typeof IdentitySchema>;

export const AttestationRequirementSchema = z
  .object({
    name: z.string().optional(),
    /** A predicate type URI, or one of policy-controller's short names (slsaprovenance, spdxjson, …). */
    predicateType: z.string(),
    /** Sigscope extension: the SLSA provenance's builder ID must equal this. */
    builderId: z.string().optional(),
    /** Sigscope extension: the SLSA provenance's source repository must be this URL, or "image". */
    sourceRepository: z.string().optional(),
  })
  .strict();
export type PolicyAttestation = z.infer<typeof AttestationRequirementSchema>;

export const AuthoritySchema = z
  .object({
    name: z.string(),
    keyless: z
      .object({
        /** Fulcio URL: recorded, informational (trust comes from the run's trusted root). */
        url: z.string().optional(),
        /** policy-controller TrustRoot name: recorded, informational. */
        trustRootRef: z.string().optional(),
        identities: z.array(IdentitySchema),
      })
      .strict()
      .optional(),
    key: z
      .object({
        data: z.string(),
        hashAlgorithm: z.string().optional(),
      })
      .strict()
      .optional(),
    ctlog: z
      .object({
        url: z.string().optional(),
        trustRootRef: z.string().optional(),
      })
      .strict()
      .optional(),
    /** Sigscope extension: accept signatures with no transparency-log entry (insecure). */
    insecureIgnoreTlog: z.boolean().optional(),
    /** Attestations this authority must also have signed. */
    attestations: z.array(AttestationRequirementSchema),
  })
  .strict();
export type PolicyAuthority = z.infer<typeof AuthoritySchema>;

export const ImagePolicySchema = z
  .object({
    name: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    mode: z.enum(MODES),
    images: z.array(z.object({ glob: z.string() }).strict()),
    authorities: z.array(AuthoritySchema),
    /** Sigscope extension: attestations required whichever authority signed (from that authority). */
    attestations: z.array(AttestationRequirementSchema),
  })
  .strict();
export type ImagePolicy = z.infer<typeof ImagePolicySchema>;

/** A whole policy file: one ImagePolicy per YAML document. */
export const ParsedPolicySchema = z.object({ policies: z.array(ImagePolicySchema).min(1) }).strict();
export type ParsedPolicy = z.infer<typeof ParsedPolicySchema>;

/** JSON with object keys sorted at every level: the same policy always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** sha256 (hex) of the canonical JSON: PolicyVersion.hash. */
export function policyHash(p: ParsedPolicy): string {
  return createHash('sha256').update(canonicalJson(p)).digest('hex');
}
