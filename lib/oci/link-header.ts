import { SigscopeError } from '../errors';

/**
 * `Link: </v2/_catalog?last=b&n=2>; rel="next"` parsing (RFC 8288), hand-written
 * because the Registry API paginates catalog and tag lists with it and nothing
 * else in the stack reads Link headers. The target is resolved against the
 * request URL and must stay on the same origin: a registry must not be able to
 * send the client (and its credentials) elsewhere by pagination.
 */

/** The absolute URL of the rel="next" link, or undefined when there is none. Throws on a cross-origin link. */
export function nextLinkUrl(header: string | null | undefined, requestUrl: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const link of splitLinks(header)) {
    const m = /^\s*<([^>]*)>(.*)$/s.exec(link);
    if (!m) continue;
    const rels = relValues(m[2] ?? '');
    if (!rels.includes('next')) continue;
    const target = new URL(m[1] ?? '', requestUrl);
    if (target.origin !== new URL(requestUrl).origin) {
      throw new SigscopeError('REGISTRY_BAD_RESPONSE', `the registry's pagination link points to another origin (${target.origin}); refusing to follow it`);
    }
    return target.toString();
  }
  return undefined;
}

/** Splits on commas that are outside <…> and quoted strings. */
function splitLinks(header: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(header.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(header.slice(start));
  return parts;
}

/** rel values of a link's parameter string ("; rel=\"next prev\"" → ["next","prev"]). */
function relValues(params: string): string[] {
  const m = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
  const value = m ? (m[1] ?? m[2] ?? '') : '';
  return value.toLowerCase().split(/\s+/).filter(Boolean);
}
