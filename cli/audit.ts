/**
 * Audit entries for what the CLI changes in the database. The CLI works on the database
 * file directly (whoever can run it can write the file), so the actor is the local
 * account: `cli:<os user>`.
 */
import os from 'node:os';

export function cliActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

export async function auditCli(action: string, target: string | null, detail: Record<string, unknown>): Promise<void> {
  const { getDb } = await import('../lib/db');
  const { recordAudit } = await import('../lib/db/audit-log');
  await recordAudit(await getDb(), { actor: cliActor(), action, target, detail });
}
