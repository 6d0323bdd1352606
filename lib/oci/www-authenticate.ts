/**
 * WWW-Authenticate challenge parsing (RFC 7235), hand-written because
 * registries answer 401 with `Bearer realm="…",service="…",scope="…"` and the
 * realm decides where credentials are sent: the header is untrusted input, so
 * the parser is strict, bounded, and never evaluates anything.
 *
 * A header may carry several challenges ("Basic realm=x, Bearer realm=y");
 * after a comma, `name=` continues the current challenge's parameters while a
 * bare token starts a new challenge. token68 forms are not used by registries
 * and are ignored.
 */

export interface AuthChallenge {
  /** Lowercased scheme: "bearer", "basic", … */
  scheme: string;
  /** Parameters with lowercased names. */
  params: Record<string, string>;
}

const MAX_HEADER_LENGTH = 8192;
const MAX_PARAMS = 32;
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

export function parseWwwAuthenticate(header: string | null | undefined): AuthChallenge[] {
  if (!header || header.length > MAX_HEADER_LENGTH) return [];
  const challenges: AuthChallenge[] = [];
  let current: AuthChallenge | undefined;
  let i = 0;

  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i]!)) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < header.length && TCHAR.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  // Unquoted values should be tokens, but servers send bare URLs too: read up to a comma or space.
  const readBare = (): string => {
    const start = i;
    while (i < header.length && !/[\s,"]/.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  const readQuoted = (): string | undefined => {
    let out = '';
    i++; // opening quote
    while (i < header.length) {
      const c = header[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\' && i + 1 < header.length) {
        out += header[i + 1];
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    return undefined; // unterminated
  };

  while (i < header.length) {
    skip(/[\s,]/);
    if (i >= header.length) break;
    const token = readToken();
    if (token === '') return challenges; // garbage: stop at what was understood
    skip(/[ \t]/);
    if (header[i] === '=' && current) {
      i++;
      skip(/[ \t]/);
      const value = header[i] === '"' ? readQuoted() : readBare();
      if (value === undefined) return challenges;
      if (Object.keys(current.params).length < MAX_PARAMS) current.params[token.toLowerCase()] = value;
      skip(/[ \t]/);
      continue;
    }
    if (header[i] === '=') return challenges; // a parameter without a scheme
    current = { scheme: token.toLowerCase(), params: {} };
    challenges.push(current);
  }
  return challenges;
}
