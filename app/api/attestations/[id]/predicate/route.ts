import { z } from 'zod';
import { predicateDownloadName } from '@/lib/attest/predicates';
import { apiError, errorResponse, parseValue } from '@/lib/api/respond';
import { getDb, getSignature } from '@/lib/db';
import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().regex(/^[a-z0-9]{1,64}$/, 'an attestation id') });

/** The predicate of a stored attestation as a JSON download (an SBOM, a provenance document…). */
export const GET = withRole('viewer', async (_request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const p = parseValue(await ctx.params, Params);
  if (!p.ok) return p.response;
  try {
    const sig = await getSignature(await getDb(), p.data.id, { resultsLimit: 1 });
    if (!sig || !sig.statement) return apiError(404, 'NOT_FOUND', `no stored statement for attestation ${p.data.id}`);
    const statement = JSON.parse(sig.statement) as { predicateType?: string; predicate?: unknown };
    const name = predicateDownloadName(statement.predicateType ?? '', statement.predicate).replace(/[^\w.-]/g, '_');
    return new Response(JSON.stringify(statement.predicate ?? null, null, 2), {
      headers: { 'content-type': 'application/json', 'content-disposition': `attachment; filename="${name}"`, 'x-content-type-options': 'nosniff' },
    });
  } catch (e) {
    return errorResponse(e);
  }
});
