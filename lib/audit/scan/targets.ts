/**
 * What a scan covers: targets as users write them, and the tag filters.
 *
 *   HOST/REPO            every tag of one repository
 *   HOST/PREFIX/*        every repository under PREFIX (from the registry catalog)
 *   HOST/*               every repository of the registry
 *   HOST/REPO:TAG, @DIGEST  one image (a pasted list may mix them)
 */
import { z } from 'zod';
import { SigscopeError } from '../../errors';
import { apiHostFor, assertRegistryHost, assertRepositoryName, parseReference } from '../../oci/reference';

export type ScanTarget =
  | { kind: 'catalog'; registry: string; prefix: string; text: string }
  | { kind: 'repository'; registry: string; repository: string; text: string }
  | { kind: 'image'; registry: string; repository: string; tag?: string; digest?: string; text: string };

const MAX_TARGET_LENGTH = 600;

/** Parses one target; throws INVALID_REFERENCE naming the bad part. */
export function parseTarget(input: string): ScanTarget {
  const text = input.trim();
  if (text.length === 0 || text.length > MAX_TARGET_LENGTH) {
    throw new SigscopeError('INVALID_REFERENCE', `scan target must be 1 to ${MAX_TARGET_LENGTH} characters`);
  }
  if (text.endsWith('/*') || text.endsWith('/**')) {
    const base = text.replace(/\/\*\*?$/, '');
    const slash = base.indexOf('/');
    const registry = slash < 0 ? base : base.slice(0, slash);
    const prefix = slash < 0 ? '' : base.slice(slash + 1);
    if (!/[.:]/.test(registry) && registry !== 'localhost') {
      throw new SigscopeError('INVALID_REFERENCE', `"${text}": a prefix target needs its registry host first, e.g. ghcr.io/acme/*`);
    }
    assertRegistryHost(registry);
    if (prefix) assertRepositoryName(prefix);
    return { kind: 'catalog', registry: registry.toLowerCase(), prefix, text };
  }
  const ref = parseReference(text);
  if (ref.digest || /:[\w][\w.-]{0,127}$/.test(text.slice(text.lastIndexOf('/') + 1))) {
    return { kind: 'image', registry: ref.registry, repository: ref.repository, ...(ref.tag ? { tag: ref.tag } : {}), ...(ref.digest ? { digest: ref.digest } : {}), text };
  }
  return { kind: 'repository', registry: ref.registry, repository: ref.repository, text };
}

export function registryApiHost(registry: string): string {
  return apiHostFor(registry);
}

export const TagFilterSchema = z
  .object({
    /** picomatch glob on the tag, e.g. "v1.*" or "!(*-rc*)". */
    glob: z.string().min(1).max(200).optional(),
    /** semver range, e.g. ">=1.2 <2"; tags that are not semver are left out when set. */
    semver: z.string().min(1).max(200).optional(),
    /** Keep only the N highest tags (semver order first, then newest-looking names). */
    latest: z.number().int().min(1).max(10_000).optional(),
    /** Leave out cosign's own tags (sha256-….sig/.att/.sbom) and referrers fallback tags. Default true. */
    skipSignatureTags: z.boolean().default(true),
  })
  .strict();
export type TagFilter = z.output<typeof TagFilterSchema>;

export const ScanSpecSchema = z
  .object({
    targets: z.array(z.string().min(1).max(MAX_TARGET_LENGTH)).min(1).max(10_000),
    tags: TagFilterSchema.default({ skipSignatureTags: true }),
    concurrency: z.number().int().min(1).max(64).default(8),
    /** Re-verify digests already verified under the same policy and trust root. */
    full: z.boolean().default(false),
    allowHttpRegistries: z.array(z.string().max(261)).max(64).default([]),
  })
  .strict();
export type ScanSpec = z.output<typeof ScanSpecSchema>;
export type ScanSpecInput = z.input<typeof ScanSpecSchema>;

/** Every target parsed, errors collected with their position so a pasted list reports all bad lines at once. */
export function parseTargets(targets: readonly string[]): ScanTarget[] {
  const errors: string[] = [];
  const parsed: ScanTarget[] = [];
  targets.forEach((t, i) => {
    try {
      parsed.push(parseTarget(t));
    } catch (e) {
      errors.push(`target ${i + 1}: ${(e as Error).message}`);
    }
  });
  if (errors.length > 0) throw new SigscopeError('INVALID_REFERENCE', errors.slice(0, 20).join('; ') + (errors.length > 20 ? `; and ${errors.length - 20} more` : ''));
  return parsed;
}
