/** The explorer's logs (settings): GET the current choice, PUT {trustRoot, logUrls}. Other settings are kept. */
import { errorResponse, jsonResponse, parseJsonBody } from '@/lib/api/respond';
import { exploreContext, loadTrustRootChoice } from '@/lib/rekor/explore';
import { RekorSettingsSchema, rekorLogChoice, setRekorSettings } from '@/lib/settings';
import { apiError } from '@/lib/api/respond';

import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async () => {
  try {
    return jsonResponse(rekorLogChoice());
  } catch (e) {
    return errorResponse(e);
  }
});

export const PUT = withRole('admin', async (request: Request) => {
  const body = await parseJsonBody(request, RekorSettingsSchema, 16 * 1024);
  if (!body.ok) return body.response;
  try {
    const ctx = exploreContext(loadTrustRootChoice(body.data.trustRoot));
    const unknown = body.data.logUrls.find((u) => !ctx.logs.some((l) => l.baseUrl === u.replace(/\/+$/, '')));
    if (unknown) return apiError(400, 'INVALID_INPUT', `${unknown} is not a log of trusted root ${body.data.trustRoot}`);
    setRekorSettings({ ...body.data, logUrls: body.data.logUrls.map((u) => u.replace(/\/+$/, '')) });
    return jsonResponse(rekorLogChoice());
  } catch (e) {
    return errorResponse(e);
  }
});
