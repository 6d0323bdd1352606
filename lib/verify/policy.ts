/**
 * Verification policy: who is allowed to sign. Mirrors cosign's flags
 * (--certificate-identity[-regexp], --certificate-oidc-issuer[-regexp],
 * --certificate-github-workflow-*, --key).
 *
 * Matching is done here, not by @sigstore/verify's policy, because that policy
 * treats a string identity as an unanchored regular expression: an "exact"
 * `…@refs/heads/main` would also accept `…@refs/heads/main-hotfix`. Here an exact
 * value must be equal, and a regexp must match the whole value (it is anchored).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { assertSafeRegExp, boundedTest } from '../policy/regex-safety';
import { SigscopeError } from '../errors';

const MAX_PATTERN = 1024;
const MAX_KEY_PEM = 16 * 1024;

const Pattern = z.string().trim().min(1).max(MAX_PATTERN);

export const GithubClaimsSchema = z
  .object({
    repository: Pattern.optional(),
    ref: Pattern.optional(),
    /**
     * The ref as a glob instead of an exact value: `*` matches within one path segment (not `/`),
     * `**` matches anything including `/`; every other character is literal; the whole ref must
     * match (`refs/tags/v*` accepts refs/tags/v1.2.0, not refs/tags/v1/x nor refs/heads/v1).
     */
    refGlob: Pattern.optional(),
    sha: Pattern.optional(),
    trigger: Pattern.optional(),
    name: Pattern.optional(),
  })
  .strict();

export const PolicySchema = z
  .object({
    identity: Pattern.optional(),
    identityRegExp: Pattern.optional(),
    issuer: Pattern.optional(),
    issuerRegExp: Pattern.optional(),
    github: GithubClaimsSchema.optional(),
    /** PEM public keys; a signature made by any one of them is accepted. */
    keys: z.array(z.string().max(MAX_KEY_PEM)).max(16).optional(),
    /**
     * Attestations the image must carry, verified and signed by the policy's signer: a predicate
     * type, optionally with simple conditions on SLSA provenance.
     */
    requireAttestations: z
      .array(
        z
          .object({
            predicateType: Pattern,
            builderId: Pattern.optional(),
            /** An exact repository URL, or "image": the image's own repository path (org/repo). */
            sourceRepository: Pattern.optional(),
          })
          .strict(),
      )
      .max(16)
      .optional(),
    /** Accept key signatures that have no transparency-log entry (cosign's --insecure-ignore-tlog). */
    insecureIgnoreTlog: z.boolean().optional(),
  })
  .strict();

export type PolicyInput = z.input<typeof PolicySchema>;

export interface Matcher {
  describe: string;
  test(value: string | undefined): boolean;
}

export interface PolicyKey {
  pem: string;
  key: KeyObject;
  /** sha256 of the DER SubjectPublicKeyInfo, hex: how keys are named in results. */
  fingerprint: string;
}

export interface AttestationRequirement {
  predicateType: string;
  builderId?: string;
  sourceRepository?: string;
}

/** A GitHub workflow claim as githubClaims() names it. */
export type GithubClaim = 'repository' | 'ref' | 'sha' | 'trigger' | 'name';

export interface GithubClaimMatcher {
  claim: GithubClaim;
  /** For people: the exact value, or "glob refs/tags/v*". */
  expected: string;
  test(value: string | undefined): boolean;
}

export interface CompiledPolicy {
  identity?: Matcher;
  issuer?: Matcher;
  github: GithubClaimMatcher[];
  keys: PolicyKey[];
  requireAttestations: AttestationRequirement[];
  /** Key signatures without a Rekor entry are accepted (recorded in the canonical policy). */
  ignoreTlog: boolean;
  /** Canonical JSON stored with each run and hashed. */
  canonical: string;
  hash: string;
  /** True when the policy names no signer: results can be at best "signed, signer not checked". */
  empty: boolean;
}

/**
 * A ref glob as a whole-value matcher: `**` matches any characters, `*` any characters but `/`,
 * everything else (regexp metacharacters included) is literal.
 */
export function refGlobMatcher(glob: string): Matcher {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i++;
      } else source += '[^/]*';
    } else source += c.replace(/[\\^$.|?+()[\]{}/]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`, 'u');
  return { describe: `glob ${glob}`, test: (v) => v !== undefined && re.test(v) };
}

function exact(value: string): Matcher {
  return { describe: value, test: (v) => v === value };
}

function anchored(pattern: string, what: string): Matcher {
  let re: RegExp;
  try {
    // Compiled alone first: a pattern like "a)|(?:b" would otherwise close our group and escape the anchors.
    new RegExp(pattern, 'u');
    re = new RegExp(`^(?:${pattern})$`, 'u');
  } catch (e) {
    throw new SigscopeError('INVALID_POLICY', `${what} regexp ${JSON.stringify(pattern)} does not compile: ${(e as Error).message}`);
  }
  // Catastrophic patterns are refused; evaluation is bounded by value length (lib/policy/regex-safety.ts).
  assertSafeRegExp(pattern, what);
  return { describe: `/${pattern}/ (whole value)`, test: (v) => boundedTest(re, v) };
}

export function publicKeyFingerprint(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function parsePublicKey(pem: string): PolicyKey {
  const trimmed = pem.trim();
  if (!trimmed.startsWith('-----BEGIN PUBLIC KEY-----')) {
    throw new SigscopeError('INVALID_POLICY', 'public key must be a PEM "-----BEGIN PUBLIC KEY-----" block (cosign.pub format)');
  }
  let key: KeyObject;
  try {
    key = createPublicKey(trimmed);
  } catch (e) {
    throw new SigscopeError('INVALID_POLICY', `public key could not be read: ${(e as Error).message}`);
  }
  const type = key.asymmetricKeyType;
  if (type !== 'ec' && type !== 'ed25519' && type !== 'rsa') {
    throw new SigscopeError('INVALID_POLICY', `public key type ${type} is not supported (use ECDSA P-256/P-384, Ed25519 or RSA)`);
  }
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1' && curve !== 'secp384r1') {
      throw new SigscopeError('INVALID_POLICY', `ECDSA curve ${curve} is not supported (use P-256 or P-384)`);
    }
  }
  return { pem: trimmed, key, fingerprint: publicKeyFingerprint(key) };
}

function compilePolicyUncached(input: unknown): CompiledPolicy {
  const parsed = PolicySchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SigscopeError('INVALID_POLICY', `policy ${issue?.path.join('.') || ''}: ${issue?.message}`.trim());
  }
  const p = parsed.data;
  if (p.identity && p.identityRegExp) throw new SigscopeError('INVALID_POLICY', 'give either an exact certificate identity or an identity regexp, not both');
  if (p.issuer && p.issuerRegExp) throw new SigscopeError('INVALID_POLICY', 'give either an exact OIDC issuer or an issuer regexp, not both');
  const hasIdentity = Boolean(p.identity ?? p.identityRegExp);
  const hasIssuer = Boolean(p.issuer ?? p.issuerRegExp);
  // As cosign: a keyless policy names both who signed and which issuer vouched for them.
  if (hasIdentity !== hasIssuer) {
    throw new SigscopeError(
      'INVALID_POLICY',
      hasIdentity
        ? 'a certificate identity needs an OIDC issuer too (--certificate-oidc-issuer), or anyone with that name at any issuer would pass'
        : 'an OIDC issuer needs a certificate identity too (--certificate-identity or --certificate-identity-regexp)',
    );
  }
  if (p.github?.ref && p.github.refGlob) throw new SigscopeError('INVALID_POLICY', 'give either an exact GitHub ref or a ref glob, not both');
  const githubEntries = Object.entries(p.github ?? {}).filter((e): e is [keyof z.infer<typeof GithubClaimsSchema>, string] => typeof e[1] === 'string');
  const github: GithubClaimMatcher[] = githubEntries.map(([key, value]) => {
    if (key === 'refGlob') {
      const m = refGlobMatcher(value);
      return { claim: 'ref', expected: m.describe, test: m.test };
    }
    return { claim: key, expected: value, test: (v: string | undefined) => v === value };
  });
  if (github.length > 0 && !hasIdentity) {
    throw new SigscopeError('INVALID_POLICY', 'GitHub workflow claims refine a keyless identity; give --certificate-identity and --certificate-oidc-issuer as well');
  }
  const keys = (p.keys ?? []).map(parsePublicKey);
  if (p.requireAttestations?.length && !hasIdentity && keys.length === 0) {
    throw new SigscopeError('INVALID_POLICY', 'required attestations must come from a given signer: give a certificate identity and issuer, or a key');
  }
  const canonicalObj = {
    identity: p.identity ?? null,
    identityRegExp: p.identityRegExp ?? null,
    issuer: p.issuer ?? null,
    issuerRegExp: p.issuerRegExp ?? null,
    github: Object.fromEntries(githubEntries.sort()),
    keys: keys.map((k) => k.fingerprint).sort(),
    ...(p.insecureIgnoreTlog ? { insecureIgnoreTlog: true } : {}),
    ...(p.requireAttestations?.length ? { requireAttestations: p.requireAttestations } : {}),
  };
  const canonical = JSON.stringify(canonicalObj);
  return {
    identity: p.identity ? exact(p.identity) : p.identityRegExp ? anchored(p.identityRegExp, 'identity') : undefined,
    issuer: p.issuer ? exact(p.issuer) : p.issuerRegExp ? anchored(p.issuerRegExp, 'issuer') : undefined,
    github,
    keys,
    ignoreTlog: p.insecureIgnoreTlog === true,
    requireAttestations: p.requireAttestations ?? [],
    canonical,
    hash: createHash('sha256').update(canonical).digest('hex'),
    empty: !hasIdentity && keys.length === 0,
  };
}

/** One line for people: "identity = X, issuer = Y" / "key sha256:ab12…". */
export function describePolicy(p: CompiledPolicy): string {
  const parts: string[] = [];
  if (p.identity) parts.push(`identity ${p.identity.describe}`);
  if (p.issuer) parts.push(`issuer ${p.issuer.describe}`);
  for (const g of p.github) parts.push(g.expected.startsWith('glob ') ? `github ${g.claim} ~ ${g.expected}` : `github ${g.claim} = ${g.expected}`);
  for (const k of p.keys) parts.push(`key sha256:${k.fingerprint.slice(0, 16)}…`);
  if (p.ignoreTlog) parts.push('transparency log not required (insecure)');
  for (const r of p.requireAttestations) {
    parts.push(`requires attestation ${r.predicateType}${r.builderId ? ` from builder ${r.builderId}` : ''}${r.sourceRepository ? ` of source ${r.sourceRepository === 'image' ? "the image's repository" : r.sourceRepository}` : ''}`);
  }
  return parts.length ? parts.join('; ') : 'no signer policy (signatures are checked, the signer is not)';
}

// A scan compiles the same policy once per image; parsing its PEM keys dominated that.
const compiled = new Map<string, CompiledPolicy>();
const MAX_COMPILED = 64;

/** Validates and compiles a policy; identical inputs share one (immutable) compiled policy. */
export function compilePolicy(input: unknown): CompiledPolicy {
  let key: string;
  try {
    key = JSON.stringify(input ?? {});
  } catch {
    return compilePolicyUncached(input);
  }
  const hit = compiled.get(key);
  if (hit) return hit;
  const result = compilePolicyUncached(input);
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, result);
  return result;
}
