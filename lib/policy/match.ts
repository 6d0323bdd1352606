/**
 * Which policies apply to an image: each policy's `images[].glob` against the image's
 * `registry/repository` (no tag, no digest), with picomatch:
 *
 * - `*` matches within one path segment: `ghcr.io/acme/*` matches ghcr.io/acme/app, not
 *   ghcr.io/acme/team/app, nor ghcr.io/acme itself;
 * - `**` as a whole segment matches any depth: `ghcr.io/acme/**` matches ghcr.io/acme/app and
 *   ghcr.io/acme/team/app (not ghcr.io/acme itself); `**` alone matches every image, on every
 *   registry (a port is part of the registry segment: `127.0.0.1:5000/demo/*`);
 * - `*` also matches dots (`ghcr.io/acme/app*` matches ghcr.io/acme/app.v2); elsewhere than a
 *   whole segment, `**` acts as `*`;
 * - nothing else is special: the parser only accepts the characters of registry and repository
 *   names plus `*` (no braces, classes, extglobs or negation), and the match is on the whole name.
 *
 * Docker Hub: a glob whose first segment is not a registry (no "." or ":", not "localhost")
 * is read as a Docker Hub path, as image references are: `acme/*` means `docker.io/acme/*` and
 * `nginx` means `docker.io/library/nginx`. `index.docker.io/` and `registry-1.docker.io/` mean
 * `docker.io/`. Registry names compare lowercased.
 *
 * An image matched by several policies must satisfy each of them (policy-controller's rule).
 */
import picomatch from 'picomatch';
import type { ImagePolicy } from './types';

const OPTIONS: picomatch.PicomatchOptions = { dot: true, nobrace: true, noextglob: true, nonegate: true, noglobstar: false };
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

function isRegistrySegment(seg: string): boolean {
  return seg.includes('.') || seg.includes(':') || seg === 'localhost' || seg.includes('*');
}

/** The glob as matched: registry lowercased, Docker Hub spelled docker.io/…, library/ added. */
export function normalizeGlob(glob: string): string {
  const segs = glob.split('/');
  const first = segs[0] ?? '';
  if (segs.length === 1 && !first.includes('*')) return `docker.io/library/${first}`;
  if (!isRegistrySegment(first) || (segs.length === 1 && first !== '**' && first !== '*')) return `docker.io/${glob}`;
  const registry = first.toLowerCase();
  return [DOCKER_HUB_ALIASES.has(registry) ? 'docker.io' : registry, ...segs.slice(1)].join('/');
}

const cache = new Map<string, (s: string) => boolean>();

function matcher(glob: string): (s: string) => boolean {
  let m = cache.get(glob);
  if (!m) {
    m = picomatch(normalizeGlob(glob), OPTIONS);
    if (cache.size > 1000) cache.clear();
    cache.set(glob, m);
  }
  return m;
}

/** Does `glob` match `registry/repository`? (A tag or digest in `name` is ignored.) */
export function globMatches(glob: string, name: string): boolean {
  return matcher(glob)(stripTarget(name));
}

/** "reg/org/app:1.0@sha256:…" → "reg/org/app" (a ":" in the first segment is a port); registry lowercased, Docker Hub as docker.io. */
export function stripTarget(name: string): string {
  let s = name;
  const at = s.indexOf('@');
  if (at !== -1) s = s.slice(0, at);
  const slash = s.lastIndexOf('/');
  const colon = s.indexOf(':', slash + 1);
  if (colon !== -1 && slash !== -1) s = s.slice(0, colon);
  const segs = s.split('/');
  const registry = (segs[0] ?? '').toLowerCase();
  return [DOCKER_HUB_ALIASES.has(registry) ? 'docker.io' : registry, ...segs.slice(1)].join('/');
}

export interface PolicyMatch<P extends Pick<ImagePolicy, 'images'> = ImagePolicy> {
  policy: P;
  /** The first glob of the policy that matched. */
  glob: string;
}

/** The policies whose image globs match `reference` (registry/repository, as lib/oci formats it), in file order. */
export function policiesFor<P extends Pick<ImagePolicy, 'images'>>(reference: string, policies: readonly P[]): Array<PolicyMatch<P>> {
  const name = stripTarget(reference);
  const out: Array<PolicyMatch<P>> = [];
  for (const policy of policies) {
    const hit = policy.images.find((i) => matcher(i.glob)(name));
    if (hit) out.push({ policy, glob: hit.glob });
  }
  return out;
}
