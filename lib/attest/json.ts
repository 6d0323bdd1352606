/**
 * Bounded helpers for reading untrusted JSON (attestation predicates).
 *
 * Everything here works on values that came out of `JSON.parse` of signed-but-untrusted
 * bytes, so nothing may recurse without a depth bound, copy without a size bound, or read
 * a property that the object does not own (`obj.constructor` would otherwise answer from
 * Object.prototype).
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A non-null, non-array object. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property of a plain object, or undefined (never an inherited one). */
export function own(obj: unknown, key: string): unknown {
  if (!isRecord(obj) || !Object.prototype.hasOwnProperty.call(obj, key)) return undefined;
  return obj[key];
}

/** Follows own properties: `path(p, 'runDetails', 'builder', 'id')`. */
export function path(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const k of keys) {
    cur = own(cur, k);
    if (cur === undefined) return undefined;
  }
  return cur;
}

export const MAX_STRING_CHARS = 2048;

/** A non-empty string, capped at `max` characters (an ellipsis marks the cut); otherwise undefined. */
export function str(v: unknown, max = MAX_STRING_CHARS): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return undefined;
  return v.length > max ? `${v.slice(0, max - 1)}…` : v;
}

/** A string or a finite number as a string (versions are sometimes written as numbers). */
export function strOrNumber(v: unknown, max = MAX_STRING_CHARS): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return str(v, max);
}

/** Whether any array/object nests deeper than `maxDepth` (iterative: safe on any input). */
export function jsonDepthExceeds(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > maxDepth) return true;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, depth + 1]);
  }
  return false;
}

export interface CopyLimits {
  /** Containers deeper than this are replaced by the string "…". */
  maxDepth: number;
  /** Keys kept per object. */
  maxKeys: number;
  /** Items kept per array. */
  maxItems: number;
  /** Characters kept per string. */
  maxString: number;
  /** Values copied in total, across the whole tree. */
  maxNodes: number;
}

export const DEFAULT_COPY_LIMITS: CopyLimits = { maxDepth: 8, maxKeys: 64, maxItems: 64, maxString: 1024, maxNodes: 2000 };

/**
 * A JSON-serialisable copy of `value` with every dimension bounded; `truncated` tells
 * whether anything was left out. Non-JSON values (functions, symbols, undefined inside
 * objects) are dropped; non-finite numbers become null; bigints become strings.
 */
export function boundedCopy(value: unknown, limits: CopyLimits = DEFAULT_COPY_LIMITS): { value: JsonValue; truncated: boolean } {
  let nodes = 0;
  let truncated = false;

  const copy = (v: unknown, depth: number): JsonValue | undefined => {
    nodes += 1;
    if (v === null) return null;
    switch (typeof v) {
      case 'string':
        if (v.length > limits.maxString) {
          truncated = true;
          return `${v.slice(0, limits.maxString)}…`;
        }
        return v;
      case 'number':
        return Number.isFinite(v) ? v : null;
      case 'boolean':
        return v;
      case 'bigint':
        return v.toString();
      case 'object':
        break;
      default:
        return undefined;
    }
    if (depth >= limits.maxDepth) {
      truncated = true;
      return '…';
    }
    if (Array.isArray(v)) {
      const out: JsonValue[] = [];
      for (let i = 0; i < v.length; i++) {
        if (i >= limits.maxItems || nodes >= limits.maxNodes) {
          truncated = true;
          break;
        }
        const c = copy(v[i], depth + 1);
        out.push(c === undefined ? null : c);
      }
      return out;
    }
    const entries: Array<[string, JsonValue]> = [];
    const keys = Object.keys(v as object);
    for (let i = 0; i < keys.length; i++) {
      if (i >= limits.maxKeys || nodes >= limits.maxNodes) {
        truncated = true;
        break;
      }
      const key = keys[i]!;
      const c = copy((v as Record<string, unknown>)[key], depth + 1);
      if (c !== undefined) entries.push([key.length > limits.maxString ? `${key.slice(0, limits.maxString)}…` : key, c]);
    }
    // fromEntries defines own properties, so a "__proto__" key stays data, not a prototype.
    return Object.fromEntries(entries) as JsonObject;
  };

  const out = copy(value, 0);
  return { value: out === undefined ? null : out, truncated };
}

/** Beyond this nesting the pretty printer writes "…" instead of descending. */
const PRETTY_MAX_DEPTH = 64;

class BudgetExceeded extends Error {}

/**
 * `JSON.stringify(value, null, 2)` for JSON data, but stopping once `maxChars` characters
 * are written (the text is then cut at `maxChars`) and never descending more than 64
 * levels. Never throws: cycles hit the depth bound, bigints are written as strings.
 */
export function prettyJson(value: unknown, maxChars: number): { text: string; truncated: boolean } {
  const parts: string[] = [];
  let length = 0;
  let truncated = false;

  const write = (s: string) => {
    parts.push(s);
    length += s.length;
    if (length > maxChars) throw new BudgetExceeded();
  };
  const quote = (s: string) => {
    // Quote only what can still fit, so a 100 MB string is never serialised whole.
    const room = maxChars - length + 1;
    return JSON.stringify(s.length > room ? s.slice(0, room) : s);
  };
  const scalar = (v: unknown): string | undefined => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return quote(v);
      case 'number':
        return Number.isFinite(v) ? String(v) : 'null';
      case 'boolean':
        return v ? 'true' : 'false';
      case 'bigint':
        return quote(v.toString());
      default:
        return undefined; // object, or a non-JSON value
    }
  };

  const emit = (v: unknown, indent: string): void => {
    const s = scalar(v);
    if (s !== undefined) return write(s);
    if (typeof v !== 'object' || v === null) return write('null');
    if (indent.length / 2 >= PRETTY_MAX_DEPTH) {
      truncated = true;
      return write('"…"');
    }
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) return write('[]');
      write('[');
      v.forEach((item, i) => {
        write(`${i === 0 ? '' : ','}\n${inner}`);
        const t = typeof item;
        emit(t === 'undefined' || t === 'function' || t === 'symbol' ? null : item, inner);
      });
      return write(`\n${indent}]`);
    }
    const keys = Object.keys(v).filter((k) => {
      const t = typeof (v as Record<string, unknown>)[k];
      return t !== 'undefined' && t !== 'function' && t !== 'symbol';
    });
    if (keys.length === 0) return write('{}');
    write('{');
    keys.forEach((k, i) => {
      write(`${i === 0 ? '' : ','}\n${inner}${quote(k)}: `);
      emit((v as Record<string, unknown>)[k], inner);
    });
    return write(`\n${indent}}`);
  };

  try {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return { text: '', truncated: false };
    emit(value, '');
  } catch (e) {
    if (!(e instanceof BudgetExceeded)) throw e;
    truncated = true;
  }
  const text = parts.join('');
  return { text: text.length > maxChars ? text.slice(0, maxChars) : text, truncated };
}
