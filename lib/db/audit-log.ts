/**
 * The audit log of the auditors: who did what, append-only (rows are only ever
 * created; nothing in Sigscope updates or deletes them).
 *
 *   await recordAudit(db, { actor: auth.user.username, action: 'report', target: report.id, detail: { format: 'pdf' } });
 *
 * `detail` must never hold a secret (passwords, tokens, credentials): it is shown to admins.
 */
import { z } from 'zod';
import { SigscopeError } from '../errors';
import type { Db } from './client';

/** Actions recorded today; other branches add theirs here (free text is accepted, these are the filter's choices). */
export const AUDIT_ACTIONS = [
  'sign-in',
  'sign-in-failed',
  'sign-out',
  'setup',
  'run',
  'scan',
  'report',
  'policy-change',
  'finding-ack',
  'settings-change',
  'key-name-change',
  'credential-change',
  'user-change',
  'token-create',
  'token-revoke',
  'password-change',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditInput {
  /** Username (or 'system', 'cli', or the username tried for a failed sign-in). */
  actor: string;
  action: AuditAction | (string & {});
  target?: string | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export async function recordAudit(db: Db, input: AuditInput): Promise<void> {
  try {
    await db.auditEvent.create({
      data: {
        actor: clip(input.actor, 128),
        action: clip(input.action, 64),
        target: input.target == null ? null : clip(input.target, 512),
        detail: clip(JSON.stringify(input.detail ?? {}), 8192),
        ip: input.ip == null ? null : clip(input.ip, 64),
      },
    });
  } catch (e) {
    // Fail closed with a reason a person can act on, not Prisma's invocation dump.
    const last = e instanceof Error ? (e.message.trim().split('\n').filter(Boolean).slice(-1)[0] ?? e.message) : String(e);
    throw new SigscopeError('DATABASE', `Recording the audit event (${input.action}) failed: ${last}`, { cause: e });
  }
}

export const AuditQuerySchema = z.object({
  actor: z.string().trim().max(128).optional(),
  action: z.string().trim().max(64).optional(),
  target: z.string().trim().max(512).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** id of the last row of the previous page */
  cursor: z.string().max(64).optional(),
});
export type AuditQuery = z.input<typeof AuditQuerySchema>;

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
}

export async function listAuditEvents(db: Db, query: AuditQuery = {}): Promise<{ events: AuditRow[]; nextCursor: string | null }> {
  const parsed = AuditQuerySchema.safeParse(query);
  if (!parsed.success) throw new SigscopeError('INVALID_INPUT', `audit log filter: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  const q = parsed.data;
  const at: { gte?: Date; lt?: Date } = {};
  if (q.from) at.gte = new Date(`${q.from}T00:00:00Z`);
  if (q.to) at.lt = new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000);
  const rows = await db.auditEvent.findMany({
    where: {
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.target ? { target: { contains: q.target } } : {}),
      ...(q.from || q.to ? { at } : {}),
    },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, q.limit);
  return {
    events: page.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, ip: r.ip, detail: parseDetail(r.detail) })),
    nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
  };
}

function parseDetail(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { unparsed: text.slice(0, 200) };
  }
}

/** Distinct actors, for the filter's choices. */
export async function auditActors(db: Db): Promise<string[]> {
  const rows = await db.auditEvent.findMany({ distinct: ['actor'], select: { actor: true }, orderBy: { actor: 'asc' }, take: 500 });
  return rows.map((r) => r.actor);
}
