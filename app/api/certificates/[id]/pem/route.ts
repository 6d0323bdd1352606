import { z } from 'zod';
import { apiError, errorResponse, parseValue } from '@/lib/api/respond';
import { getCertificatePem, getDb } from '@/lib/db';
import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().regex(/^[a-z0-9]{1,64}$/, 'a certificate id') });

/** A stored certificate as a PEM download, named by its fingerprint. */
export const GET = withRole('viewer', async (_request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const p = parseValue(await ctx.params, Params);
  if (!p.ok) return p.response;
  try {
    const cert = await getCertificatePem(await getDb(), p.data.id);
    if (!cert) return apiError(404, 'NOT_FOUND', `no stored certificate ${p.data.id}`);
    const name = `certificate-${cert.fingerprintSha256.replace(/[^0-9a-f]/g, '').slice(0, 16)}.pem`;
    return new Response(cert.pem, {
      headers: {
        'content-type': 'application/x-pem-file',
        'content-disposition': `attachment; filename="${name}"`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, max-age=3600',
      },
    });
  } catch (e) {
    return errorResponse(e);
  }
});
