/**
 * Admin: registry credentials stored encrypted (lib/secrets). Write-only: GET lists
 * host, username and date — never the password; PUT {host, username, password}
 * saves or replaces; DELETE {host} removes.
 */
import { z } from 'zod';
import { NextResponse } from 'next/server';
import { apiError, errorResponse, parseJsonBody } from '@/lib/api/respond';
import { withRole } from '@/lib/auth/guard';
import { getDb } from '@/lib/db';
import { recordAudit } from '@/lib/db/audit-log';
import { CredentialInputSchema, RegistryHostSchema, deleteRegistryCredential, listRegistryCredentials, saveRegistryCredential } from '@/lib/secrets/registry-credentials';

export const dynamic = 'force-dynamic';

export const GET = withRole('admin', async () => {
  try {
    return NextResponse.json({ credentials: await listRegistryCredentials(await getDb()) });
  } catch (e) {
    return errorResponse(e);
  }
});

export const PUT = withRole('admin', async (request: Request, _ctx, auth) => {
  const body = await parseJsonBody(request, CredentialInputSchema, 16 * 1024);
  if (!body.ok) return body.response;
  try {
    const db = await getDb();
    const saved = await saveRegistryCredential(db, body.data);
    await recordAudit(db, { actor: auth.user.username, action: 'credential-change', target: saved.host, detail: { change: 'saved', username: saved.username, via: auth.via }, ip: auth.ip });
    return NextResponse.json(saved);
  } catch (e) {
    return errorResponse(e);
  }
});

const DeleteBody = z.object({ host: RegistryHostSchema });

export const DELETE = withRole('admin', async (request: Request, _ctx, auth) => {
  const body = await parseJsonBody(request, DeleteBody, 4096);
  if (!body.ok) return body.response;
  try {
    const db = await getDb();
    if (!(await deleteRegistryCredential(db, body.data.host))) return apiError(404, 'NOT_FOUND', `no stored credentials for ${body.data.host}`);
    await recordAudit(db, { actor: auth.user.username, action: 'credential-change', target: body.data.host, detail: { change: 'deleted', via: auth.via }, ip: auth.ip });
    return NextResponse.json({ deleted: body.data.host });
  } catch (e) {
    return errorResponse(e);
  }
});
