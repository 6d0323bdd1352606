import { readSettings, writeSettings, SettingsSchema } from '@/lib/settings';
import { errorResponse, parseJsonBody } from '@/lib/api/respond';
import { NextResponse } from 'next/server';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    return NextResponse.json(readSettings());
  } catch (e) {
    return errorResponse(e);
  }
}

// The settings form edits hosts and trusted roots; key names are edited on identity pages.
const Body = SettingsSchema.omit({ keyNames: true, rekor: true });

export async function PUT(request: Request) {
  const body = await parseJsonBody(request, Body);
  if (!body.ok) return body.response;
  try {
    const current = readSettings();
    return NextResponse.json(writeSettings({ ...body.data, keyNames: current.keyNames, rekor: current.rekor }));
  } catch (e) {
    return errorResponse(e);
  }
}
