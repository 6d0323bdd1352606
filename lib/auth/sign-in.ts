/**
 * Sign-in with throttling and auditing, shared by POST /api/session (and usable by tests).
 * Throttling is in memory (./rate-limit.ts): it holds for one server process.
 */
import type { Db } from '../db/client';
import { recordAudit } from '../db/audit-log';
import { printable } from '../errors';
import { checkPassword, createSession, ensureFirstAdmin, type AuthUser } from './accounts';
import { FailureLimiter, SIGN_IN_LIMITS } from './rate-limit';

interface Limiters {
  user: FailureLimiter;
  ip: FailureLimiter;
}

export const signInLimiters = ((globalThis as { __sigscopeSignIn?: Limiters }).__sigscopeSignIn ??= {
  user: new FailureLimiter(SIGN_IN_LIMITS.user),
  ip: new FailureLimiter(SIGN_IN_LIMITS.ip),
});

export type SignInResult =
  | { ok: true; user: AuthUser; session: { token: string; csrfToken: string; expiresAt: Date } }
  | { ok: false; reason: 'invalid' | 'throttled' | 'no-users'; retryAfterMs?: number };

export async function signIn(db: Db, input: { username: string; password: string; ip: string | null }, lim: Limiters = signInLimiters): Promise<SignInResult> {
  if (!(await ensureFirstAdmin(db))) return { ok: false, reason: 'no-users' };
  const userKey = input.username.trim().toLowerCase();
  const ipKey = input.ip ?? 'unknown';
  const wait = Math.max(lim.user.retryAfterMs(userKey), lim.ip.retryAfterMs(ipKey));
  if (wait > 0) return { ok: false, reason: 'throttled', retryAfterMs: wait };
  const user = await checkPassword(db, input.username, input.password);
  if (!user) {
    lim.user.fail(userKey);
    lim.ip.fail(ipKey);
    await recordAudit(db, { actor: printable(userKey, 64) || '(empty)', action: 'sign-in-failed', target: null, detail: { reason: 'wrong username or password, or disabled user' }, ip: input.ip });
    return { ok: false, reason: 'invalid' };
  }
  lim.user.reset(userKey);
  const session = await createSession(db, user.id);
  await recordAudit(db, { actor: user.username, action: 'sign-in', target: null, detail: { role: user.role }, ip: input.ip });
  return { ok: true, user, session };
}
