/**
 * Accounts in the database: users, sessions and API tokens. Secrets handed to
 * clients (session cookie values, API tokens) are stored only as sha256 digests.
 */
import { z } from 'zod';
import { SigscopeError } from '../errors';
import type { Db } from '../db/client';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from './password';
import { isRole, type Role } from './roles';
import { API_TOKEN_RE, newApiToken, randomToken, sha256Hex } from './tokens';

export interface AuthUser {
  id: string;
  username: string;
  role: Role;
}

export const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{1,63}$/;
export const UsernameSchema = z.string().trim().toLowerCase().regex(USERNAME_RE, '2–64 characters: lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');

/** Default session lifetime; SIGSCOPE_SESSION_HOURS overrides (1–720). */
export function sessionLifetimeMs(env: Record<string, string | undefined> = process.env): number {
  const h = Number(env.SIGSCOPE_SESSION_HOURS ?? 12);
  return (Number.isFinite(h) && h >= 1 && h <= 720 ? h : 12) * 3_600_000;
}

function toAuthUser(u: { id: string; username: string; role: string }): AuthUser | null {
  return isRole(u.role) ? { id: u.id, username: u.username, role: u.role } : null;
}

// ---- users

export async function countUsers(db: Db): Promise<number> {
  return db.user.count();
}

export async function createUser(db: Db, input: { username: string; password: string; role: Role }): Promise<AuthUser> {
  const username = UsernameSchema.safeParse(input.username);
  if (!username.success) throw new SigscopeError('INVALID_INPUT', `username: ${username.error.issues[0]?.message}`);
  if (!isRole(input.role)) throw new SigscopeError('INVALID_INPUT', 'role: one of viewer, auditor, admin');
  const problem = passwordProblem(input.password, username.data);
  if (problem) throw new SigscopeError('INVALID_INPUT', `password: ${problem}`);
  if (await db.user.findUnique({ where: { username: username.data } })) throw new SigscopeError('INVALID_INPUT', `a user named ${username.data} already exists`);
  const row = await db.user.create({ data: { username: username.data, role: input.role, passwordHash: await hashPassword(input.password) } });
  return { id: row.id, username: row.username, role: input.role };
}

export interface UserRow {
  id: string;
  username: string;
  role: string;
  createdAt: Date;
  disabledAt: Date | null;
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return db.user.findMany({ select: { id: true, username: true, role: true, createdAt: true, disabledAt: true }, orderBy: { username: 'asc' } });
}

/** Checks a username and password. Unknown users cost a hash too (no timing signal). Disabled users never pass. */
export async function checkPassword(db: Db, username: string, password: string): Promise<AuthUser | null> {
  const row = await db.user.findUnique({ where: { username: username.trim().toLowerCase() } });
  if (!row) {
    await verifyPassword(password, await dummyHash());
    return null;
  }
  const ok = await verifyPassword(password, row.passwordHash);
  if (!ok || row.disabledAt) return null;
  return toAuthUser(row);
}

async function activeAdmins(db: Db): Promise<number> {
  return db.user.count({ where: { role: 'admin', disabledAt: null } });
}

/** Changes role, disables/enables, or sets a new password. Never leaves the instance without an active admin. */
export async function updateUser(db: Db, id: string, change: { role?: Role; disabled?: boolean; password?: string }): Promise<UserRow> {
  const user = await db.user.findUnique({ where: { id } });
  if (!user) throw new SigscopeError('INVALID_INPUT', 'there is no such user');
  if (change.role !== undefined && !isRole(change.role)) throw new SigscopeError('INVALID_INPUT', 'role: one of viewer, auditor, admin');
  const losesAdmin = user.role === 'admin' && !user.disabledAt && ((change.role !== undefined && change.role !== 'admin') || change.disabled === true);
  if (losesAdmin && (await activeAdmins(db)) <= 1) throw new SigscopeError('INVALID_INPUT', `${user.username} is the last active admin; make another user admin first`);
  let passwordHash: string | undefined;
  if (change.password !== undefined) {
    const problem = passwordProblem(change.password, user.username);
    if (problem) throw new SigscopeError('INVALID_INPUT', `password: ${problem}`);
    passwordHash = await hashPassword(change.password);
  }
  const updated = await db.user.update({
    where: { id },
    data: {
      ...(change.role !== undefined ? { role: change.role } : {}),
      ...(change.disabled !== undefined ? { disabledAt: change.disabled ? (user.disabledAt ?? new Date()) : null } : {}),
      ...(passwordHash ? { passwordHash } : {}),
    },
    select: { id: true, username: true, role: true, createdAt: true, disabledAt: true },
  });
  // A disabled user or a new password ends every open session; a disabled user's tokens stop working too (checked on use).
  if (change.disabled === true || passwordHash) await revokeUserSessions(db, id);
  return updated;
}

// ---- first start

/**
 * When no user exists and SIGSCOPE_ADMIN_USER / SIGSCOPE_ADMIN_PASSWORD are set, creates that admin.
 * Returns true when users exist afterwards (false: the one-time /setup page is needed).
 */
export async function ensureFirstAdmin(db: Db, env: Record<string, string | undefined> = process.env): Promise<boolean> {
  if ((await countUsers(db)) > 0) return true;
  const username = env.SIGSCOPE_ADMIN_USER?.trim();
  const password = env.SIGSCOPE_ADMIN_PASSWORD;
  if (!username || !password) return false;
  try {
    await createUser(db, { username, password, role: 'admin' });
  } catch (e) {
    // A concurrent first request may have created it already.
    if ((await countUsers(db)) > 0) return true;
    throw new SigscopeError('INVALID_INPUT', `SIGSCOPE_ADMIN_USER / SIGSCOPE_ADMIN_PASSWORD: ${(e as Error).message}`);
  }
  return true;
}

// ---- sessions

export interface SessionInfo {
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
  user: AuthUser;
}

export async function createSession(db: Db, userId: string, lifetimeMs = sessionLifetimeMs()): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomToken(32);
  const csrfToken = randomToken(32);
  const expiresAt = new Date(Date.now() + lifetimeMs);
  await db.session.create({ data: { tokenHash: sha256Hex(token), userId, csrfToken, expiresAt } });
  return { token, csrfToken, expiresAt };
}

/** The live session for a cookie value: not expired, not revoked, user enabled. */
export async function lookupSession(db: Db, token: string): Promise<SessionInfo | null> {
  if (!token || token.length > 128) return null;
  const row = await db.session.findUnique({ where: { tokenHash: sha256Hex(token) }, include: { user: true } });
  if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now() || row.user.disabledAt) return null;
  const user = toAuthUser(row.user);
  return user && { sessionId: row.id, csrfToken: row.csrfToken, expiresAt: row.expiresAt, user };
}

export async function revokeSession(db: Db, sessionId: string): Promise<void> {
  await db.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
}

export async function revokeUserSessions(db: Db, userId: string): Promise<void> {
  await db.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
}

// ---- API tokens

export const TokenNameSchema = z.string().trim().min(1, 'name the token (e.g. "CI")').max(64).regex(/^[^\u0000-\u001f\u007f]+$/, 'printable characters only');

export interface ApiTokenRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const TOKEN_SELECT = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;
const MAX_TOKENS_PER_USER = 50;

/** The token itself is returned once, here; only its digest is kept. */
export async function createApiToken(db: Db, userId: string, name: string): Promise<{ token: string; row: ApiTokenRow }> {
  const n = TokenNameSchema.safeParse(name);
  if (!n.success) throw new SigscopeError('INVALID_INPUT', `name: ${n.error.issues[0]?.message}`);
  if ((await db.apiToken.count({ where: { userId, revokedAt: null } })) >= MAX_TOKENS_PER_USER) {
    throw new SigscopeError('INVALID_INPUT', `you already have ${MAX_TOKENS_PER_USER} active tokens; revoke some first`);
  }
  const t = newApiToken();
  const row = await db.apiToken.create({ data: { userId, name: n.data, prefix: t.prefix, tokenHash: t.hash }, select: TOKEN_SELECT });
  return { token: t.token, row };
}

export async function listApiTokens(db: Db, userId: string): Promise<ApiTokenRow[]> {
  return db.apiToken.findMany({ where: { userId }, select: TOKEN_SELECT, orderBy: { createdAt: 'desc' } });
}

/** Revokes one of `userId`'s tokens; null when it is not theirs (or does not exist). */
export async function revokeApiToken(db: Db, userId: string, tokenId: string): Promise<ApiTokenRow | null> {
  const row = await db.apiToken.findFirst({ where: { id: tokenId, userId } });
  if (!row) return null;
  if (row.revokedAt) return { ...row };
  return db.apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() }, select: TOKEN_SELECT });
}

/** lastUsedAt is written at most once a minute per token (no write per request). */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function lookupApiToken(db: Db, token: string): Promise<{ tokenId: string; prefix: string; user: AuthUser } | null> {
  if (!API_TOKEN_RE.test(token)) return null;
  const row = await db.apiToken.findUnique({ where: { tokenHash: sha256Hex(token) }, include: { user: true } });
  if (!row || row.revokedAt || row.user.disabledAt) return null;
  const user = toAuthUser(row.user);
  if (!user) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { tokenId: row.id, prefix: row.prefix, user };
}
