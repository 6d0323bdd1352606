/** Which tags of a repository a scan verifies: glob, semver range, most recent N. */
import picomatch from 'picomatch';
import semver from 'semver';
import { SigscopeError } from '../../errors';
import type { TagFilter } from './targets';

/** cosign's attachment tags and the referrers-API fallback tag: artifacts about images, not images. */
const ATTACHMENT_TAG_RE = /^sha(256|512)-[0-9a-f]{64,128}(\.(sig|att|sbom))?$/;

export function isAttachmentTag(tag: string): boolean {
  return ATTACHMENT_TAG_RE.test(tag);
}

/** Compiles the filter once; throws INVALID_INPUT for a bad glob or range. */
export function compileTagFilter(filter: TagFilter): (tags: readonly string[]) => string[] {
  let glob: ((s: string) => boolean) | undefined;
  if (filter.glob) {
    try {
      glob = picomatch(filter.glob, { dot: true });
    } catch (e) {
      throw new SigscopeError('INVALID_INPUT', `tag glob ${JSON.stringify(filter.glob)} is invalid: ${(e as Error).message}`);
    }
  }
  let range: semver.Range | undefined;
  if (filter.semver) {
    try {
      range = new semver.Range(filter.semver, { loose: true });
    } catch {
      throw new SigscopeError('INVALID_INPUT', `tag range ${JSON.stringify(filter.semver)} is not a semver range (e.g. ">=1.2 <2" or "^3")`);
    }
  }
  return (tags) => {
    let kept = tags.filter((t) => {
      if (filter.skipSignatureTags !== false && isAttachmentTag(t)) return false;
      if (glob && !glob(t)) return false;
      if (range) {
        const v = semver.coerce(t, { loose: true });
        if (!semver.valid(t, { loose: true }) && !v) return false;
        if (!semver.satisfies(semver.valid(t, { loose: true }) ?? v!.version, range, { includePrerelease: true })) return false;
      }
      return true;
    });
    kept = [...new Set(kept)].sort(compareTagsNewestFirst);
    if (filter.latest) kept = kept.slice(0, filter.latest);
    return kept;
  };
}

/**
 * Newest first without fetching image configs (a registry's tag list has no dates):
 * semver tags by version, descending; then other tags by name, descending (dates and
 * counters in names sort right that way). Registries list tags unordered.
 */
export function compareTagsNewestFirst(a: string, b: string): number {
  const va = semver.valid(a, { loose: true });
  const vb = semver.valid(b, { loose: true });
  if (va && vb) return semver.rcompare(va, vb, true) || (a < b ? 1 : a > b ? -1 : 0);
  if (va) return -1;
  if (vb) return 1;
  return a < b ? 1 : a > b ? -1 : 0;
}
