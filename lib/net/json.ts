/**
 * JSON from the network (registries, token services, transparency logs), parsed
 * with a nesting bound checked before JSON.parse. JSON.parse itself copes with
 * deep nesting, but everything after it that recurses (JSON.stringify when a
 * result is stored, canonicalisation, zod on recursive shapes) would overflow the
 * stack on `[[[[…]]]]` and fail with an internal error instead of a clear one.
 * The scan is a single pass over the text that skips strings; written by hand
 * because it is twenty lines and no maintained package does only this.
 */

/** Deeper than any manifest, index, token or Rekor answer Sigscope reads. */
export const MAX_JSON_DEPTH = 64;

export class JsonLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonLimitError';
  }
}

/** The deepest nesting of objects/arrays in `text`, stopping early past `limit`. */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * JSON.parse after checking the nesting depth. Throws JsonLimitError when nested
 * deeper than `maxDepth`, SyntaxError when not JSON (callers wrap both in their
 * own SigscopeError with what was being read).
 */
export function parseBoundedJson(input: string | Uint8Array, maxDepth = MAX_JSON_DEPTH): unknown {
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  if (jsonDepth(text, maxDepth) > maxDepth) throw new JsonLimitError(`JSON nested deeper than ${maxDepth} levels`);
  return JSON.parse(text);
}
