import { readSettings, writeSettings, withoutEnvHosts, SettingsSchema } from '@/lib/settings';
import { errorResponse, parseJsonBody } from '@/lib/api/respond';
import { NextResponse } from 'next/server';
import { withRole } from '@/lib/auth/guard';
import { getDb } from '@/lib/db';
import { recordAudit } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

export const GET = withRole('admin', async () => {
  try {
    return NextResponse.json(readSettings());
  } catch (e) {
    return errorResponse(e);
  }
});

// The settings form edits hosts and trusted roots; key names are edited on identity pages.
const Body = SettingsSchema.omit({ keyNames: true, rekor: true });

export const PUT = withRole('admin', async (request: Request, _ctx, auth) => {
  const body = await parseJsonBody(request, Body);
  if (!body.ok) return body.response;
  try {
    const before = readSettings();
    // Hosts that come from the environment are shown but never written into the file.
    const saved = writeSettings(withoutEnvHosts({ ...body.data, keyNames: before.keyNames, rekor: before.rekor }));
    await recordAudit(await getDb(), {
      actor: auth.user.username,
      action: 'settings-change',
      target: 'settings',
      detail: { allowHttpRegistries: saved.allowHttpRegistries, trustedRoots: saved.trustedRoots.map((r) => r.name), via: auth.via },
      ip: auth.ip,
    });
    return NextResponse.json(readSettings());
  } catch (e) {
    return errorResponse(e);
  }
});
