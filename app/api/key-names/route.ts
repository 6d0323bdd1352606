import { z } from 'zod';
import { NextResponse } from 'next/server';
import { errorResponse, parseJsonBody } from '@/lib/api/respond';
import { setKeyName } from '@/lib/settings';
import { withRole } from '@/lib/auth/guard';
import { getDb } from '@/lib/db';
import { recordAudit } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

const Body = z.object({
  fingerprint: z.string().regex(/^[a-f0-9]{64}$/, 'a sha256 key fingerprint (64 lowercase hex)'),
  /** Empty to remove the name. */
  name: z.string().trim().max(64).regex(/^[^\u0000-\u001f\u007f]*$/, 'printable characters only'),
});

/** Gives a signing key a name people recognise ("release key 2026"). */
export const PUT = withRole('admin', async (request: Request, _ctx, auth) => {
  const body = await parseJsonBody(request, Body);
  if (!body.ok) return body.response;
  try {
    const settings = setKeyName(body.data.fingerprint, body.data.name);
    await recordAudit(await getDb(), { actor: auth.user.username, action: 'key-name-change', target: body.data.fingerprint, detail: { name: body.data.name || null, via: auth.via }, ip: auth.ip });
    return NextResponse.json({ fingerprint: body.data.fingerprint, name: settings.keyNames[body.data.fingerprint] ?? null });
  } catch (e) {
    return errorResponse(e);
  }
});
