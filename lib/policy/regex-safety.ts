/**
 * Regular expressions from policies and verify forms run against certificate
 * identities from registries: a pattern with catastrophic backtracking, such as
 * `(a+)+$`, would let a hostile certificate stall a scan. Two bounds:
 *
 * 1. At import (policy parse, verify request), patterns with nested quantifiers
 *    (star height above one) or more than 25 quantifiers are refused, using
 *    safe-regex2 (fastify's maintained star-height check).
 * 2. At evaluation, values longer than MAX_MATCHED_LENGTH never reach the regexp
 *    (no certificate identity or issuer is that long), which keeps the remaining
 *    polynomial cases small.
 */
import safeRegex from 'safe-regex2';
import { SigscopeError } from '../errors';

/** Longest identity or issuer a regexp is evaluated against. */
export const MAX_MATCHED_LENGTH = 4096;

/** Why `pattern` is refused, or undefined when it is acceptable. */
export function regExpProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
  } catch (e) {
    return `does not compile: ${(e as Error).message}`;
  }
  if (!safeRegex(pattern, { limit: 25 })) {
    return 'could take exponential time on some inputs (nested quantifiers such as (a+)+, or more than 25 quantifiers); rewrite it without a quantifier inside a quantified group';
  }
  return undefined;
}

export function assertSafeRegExp(pattern: string, what: string): void {
  const problem = regExpProblem(pattern);
  if (problem) throw new SigscopeError('INVALID_POLICY', `${what} regexp ${JSON.stringify(pattern.slice(0, 200))} ${problem}`);
}

/** `re.test(value)` for values of a sane length; longer values do not match. */
export function boundedTest(re: RegExp, value: string | undefined): boolean {
  return value !== undefined && value.length <= MAX_MATCHED_LENGTH && re.test(value);
}
