/**
 * Image references ("nginx", "ghcr.io/org/app:1.2", "127.0.0.1:5000/app@sha256:…").
 *
 * Hand-written after Docker's reference grammar because every other module
 * trusts what comes out of here: the repository and tag/digest end up in URL
 * paths, so anything that is not strictly valid is refused with a message that
 * says which part is wrong, instead of being "cleaned up".
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ registry "/" ] path-component *( "/" path-component )
 *   registry   := host [ ":" port ]   (first component containing "." or ":", or "localhost")
 *   path-comp  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [\w][\w.-]{0,127}
 *   digest     := "sha256:" 64 hex | "sha512:" 128 hex   (lowercase)
 */
import { SigscopeError } from '../errors';
import { parseDigest } from './digest';

export interface ImageReference {
  /** Registry as people write it: "docker.io", "ghcr.io", "127.0.0.1:5000". */
  registry: string;
  /** Host[:port] the Registry API is served from ("registry-1.docker.io" for docker.io). */
  apiHost: string;
  /** Repository path inside the registry, e.g. "library/nginx". */
  repository: string;
  /** Tag, kept for display even when a digest is present. */
  tag?: string;
  /** Digest; when present it is what gets fetched. */
  digest?: string;
  /** The input exactly as given. */
  original: string;
}

/** Where a repository lives; an ImageReference is one too. */
export interface RepositoryLocator {
  registry: string;
  repository: string;
  apiHost?: string;
}

export const DOCKER_HUB_REGISTRY = 'docker.io';
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
export const DEFAULT_TAG = 'latest';

/** Docker's limit on the name part (registry + repository as written). */
const MAX_NAME_LENGTH = 255;
/** Upper bound for the whole input: name + ":" tag + "@sha512:" digest, with room to spare. */
const MAX_INPUT_LENGTH = 512;

const TAG_RE = /^[\w][\w.-]{0,127}$/;
// Separators never start with [a-z0-9], so this cannot backtrack badly.
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_LABEL_RE = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_RE = /^\[[0-9a-fA-F:.]+\]$/;

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

function invalid(input: string, what: string): SigscopeError {
  return new SigscopeError('INVALID_REFERENCE', `"${printable(input)}" is not a valid image reference: ${what}`);
}

/** Shows hostile input safely inside a message (control characters escaped, length capped). */
function printable(s: string): string {
  const escaped = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > 80 ? `${escaped.slice(0, 77)}...` : escaped;
}

export function parseReference(input: string): ImageReference {
  if (typeof input !== 'string' || input.length === 0) {
    throw new SigscopeError('INVALID_REFERENCE', 'the image reference is empty — expected something like "ghcr.io/org/app:1.2"');
  }
  if (input.length > MAX_INPUT_LENGTH) {
    throw invalid(input, `it is ${input.length} characters long (at most ${MAX_INPUT_LENGTH} allowed)`);
  }
  const bad = /[\s\u0000-\u001f\u007f-\u009f]/.exec(input);
  if (bad) {
    const kind = /\s/.test(bad[0]) ? 'whitespace' : 'a control character';
    throw invalid(input, `it contains ${kind} at position ${bad.index + 1}`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    throw invalid(input, 'it is a URL — write the reference without the scheme, e.g. "ghcr.io/org/app:1.2"');
  }

  const at = input.indexOf('@');
  if (at !== -1 && input.indexOf('@', at + 1) !== -1) throw invalid(input, 'it contains more than one "@"');
  const nameAndTag = at === -1 ? input : input.slice(0, at);
  const digest = at === -1 ? undefined : input.slice(at + 1);
  if (digest !== undefined) checkDigest(input, digest);

  // A tag is the part after the last ":" that comes after the last "/" (a ":" before it is a port).
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.indexOf(':', lastSlash + 1);
  const name = colon === -1 ? nameAndTag : nameAndTag.slice(0, colon);
  const tag = colon === -1 ? undefined : nameAndTag.slice(colon + 1);
  if (tag !== undefined && !TAG_RE.test(tag)) {
    throw invalid(input, tag === '' ? 'the tag after ":" is empty' : `tag "${printable(tag)}" must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
  }

  if (name.length === 0) throw invalid(input, 'the repository name is missing');
  if (name.length > MAX_NAME_LENGTH) throw invalid(input, `the name is ${name.length} characters long (at most ${MAX_NAME_LENGTH})`);

  const components = name.split('/');
  const first = components[0] ?? '';
  const hasRegistry = components.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  let registry = DOCKER_HUB_REGISTRY;
  if (hasRegistry) {
    checkRegistryHost(first, (what) => invalid(input, what));
    components.shift();
    registry = DOCKER_HUB_ALIASES.has(first.toLowerCase()) ? DOCKER_HUB_REGISTRY : first.toLowerCase();
  }
  for (const component of components) checkPathComponent(input, component);
  if (registry === DOCKER_HUB_REGISTRY && components.length === 1) components.unshift('library');

  const ref: ImageReference = {
    registry,
    apiHost: apiHostFor(registry),
    repository: components.join('/'),
    original: input,
  };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined) ref.tag = DEFAULT_TAG;
  return ref;
}

function checkDigest(input: string, digest: string): void {
  try {
    parseDigest(digest);
  } catch (e) {
    throw invalid(input, e instanceof Error ? e.message : 'bad digest');
  }
}

function checkRegistryHost(host: string, fail: (what: string) => SigscopeError): void {
  // "[::1]:5000" splits after the bracket; "a.b:5000" at its only colon.
  let hostname: string;
  let port: string | undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    hostname = close === -1 ? host : host.slice(0, close + 1);
    const rest = close === -1 ? '' : host.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw fail(`registry "${printable(host)}" is not host[:port]`);
    port = rest === '' ? undefined : rest.slice(1);
    if (!IPV6_RE.test(hostname)) throw fail(`registry "${printable(host)}" is not a valid IPv6 address in brackets`);
  } else {
    const parts = host.split(':');
    if (parts.length > 2) throw fail(`registry "${printable(host)}" has more than one ":" (IPv6 addresses need brackets: [::1]:5000)`);
    hostname = parts[0] ?? '';
    port = parts[1];
    const labels = hostname.split('.');
    if (hostname === '' || labels.some((l) => !DOMAIN_LABEL_RE.test(l))) {
      throw fail(`registry host "${printable(hostname)}" is not a valid host name`);
    }
  }
  if (port !== undefined) {
    const n = /^[0-9]{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(n >= 1 && n <= 65535)) throw fail(`registry port "${printable(port)}" must be a number from 1 to 65535`);
  }
}

function checkPathComponent(input: string, component: string): void {
  if (component === '') throw invalid(input, 'the repository path has an empty component ("//" or a leading/trailing "/")');
  if (component === '.' || component === '..') throw invalid(input, `the repository path may not contain "${component}"`);
  if (PATH_COMPONENT_RE.test(component)) return;
  if (PATH_COMPONENT_RE.test(component.toLowerCase())) {
    throw invalid(input, `repository names must be lowercase ("${printable(component)}" → "${printable(component.toLowerCase())}")`);
  }
  throw invalid(
    input,
    `repository component "${printable(component)}" may only contain lowercase letters, digits and single ".", "_", "__" or "-" separators between them`,
  );
}

/** The host serving the Registry API for a registry name (Docker Hub is special). */
export function apiHostFor(registry: string): string {
  return DOCKER_HUB_ALIASES.has(registry.toLowerCase()) ? DOCKER_HUB_API_HOST : registry.toLowerCase();
}

/** Throws INVALID_REFERENCE unless `repository` is a valid repository path (it goes into URLs). */
export function assertRepositoryName(repository: string): void {
  if (typeof repository !== 'string' || repository.length === 0 || repository.length > MAX_NAME_LENGTH) {
    throw new SigscopeError('INVALID_REFERENCE', `repository name must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  for (const component of repository.split('/')) checkPathComponent(repository, component);
}

/** Throws INVALID_REFERENCE unless `host` is host[:port] (it becomes the URL authority). */
export function assertRegistryHost(host: string): void {
  if (typeof host !== 'string' || host.length === 0 || host.length > MAX_NAME_LENGTH) {
    throw new SigscopeError('INVALID_REFERENCE', 'registry host must be 1 to 255 characters of host[:port]');
  }
  checkRegistryHost(host, (what) => new SigscopeError('INVALID_REFERENCE', `invalid registry: ${what}`));
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** Canonical string form, e.g. "docker.io/library/nginx:1.27@sha256:…". `familiar` drops "docker.io/library/". */
export function formatReference(ref: Pick<ImageReference, 'registry' | 'repository' | 'tag' | 'digest'>, options?: { familiar?: boolean }): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (options?.familiar && ref.registry === DOCKER_HUB_REGISTRY) {
    name = ref.repository.startsWith('library/') && ref.repository.split('/').length === 2 ? ref.repository.slice('library/'.length) : ref.repository;
  }
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The same reference pinned to `digest` (the tag stays for display). */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  try {
    parseDigest(digest);
  } catch (e) {
    throw new SigscopeError('INVALID_REFERENCE', `cannot pin ${formatReference(ref)} to "${printable(digest)}": ${e instanceof Error ? e.message : 'bad digest'}`);
  }
  return { ...ref, digest };
}

/** What to fetch: the digest when there is one, else the tag. */
export function referenceTarget(ref: Pick<ImageReference, 'tag' | 'digest'>): string {
  return ref.digest ?? ref.tag ?? DEFAULT_TAG;
}
