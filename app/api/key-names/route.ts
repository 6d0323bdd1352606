import { z } from 'zod';
import { NextResponse } from 'next/server';
import { errorResponse, parseJsonBody } from '@/lib/api/respond';
import { setKeyName } from '@/lib/settings';

export const dynamic = 'force-dynamic';

const Body = z.object({
  fingerprint: z.string().regex(/^[a-f0-9]{64}$/, 'a sha256 key fingerprint (64 lowercase hex)'),
  /** Empty to remove the name. */
  name: z.string().trim().max(64).regex(/^[^\u0000-\u001f\u007f]*$/, 'printable characters only'),
});

/** Gives a signing key a name people recognise ("release key 2026"). */
export async function PUT(request: Request) {
  const body = await parseJsonBody(request, Body);
  if (!body.ok) return body.response;
  try {
    const settings = setKeyName(body.data.fingerprint, body.data.name);
    return NextResponse.json({ fingerprint: body.data.fingerprint, name: settings.keyNames[body.data.fingerprint] ?? null });
  } catch (e) {
    return errorResponse(e);
  }
}
