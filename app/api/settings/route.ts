import { readSettings, writeSettings } from '@/lib/settings';
import { errorResponse, parseJsonBody } from '@/lib/api/respond';
import { SettingsSchema } from '@/lib/settings';
import { NextResponse } from 'next/server';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    return NextResponse.json(readSettings());
  } catch (e) {
    return errorResponse(e);
  }
}

export async function PUT(request: Request) {
  const body = await parseJsonBody(request, SettingsSchema);
  if (!body.ok) return body.response;
  try {
    return NextResponse.json(writeSettings(body.data));
  } catch (e) {
    return errorResponse(e);
  }
}
