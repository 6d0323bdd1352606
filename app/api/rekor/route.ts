import { z } from 'zod';
import { errorResponse, jsonResponse, parseValue } from '@/lib/api/respond';
import { parseExploreQuery } from '@/lib/rekor/explore';
import { exploreRekor, searchRekor } from '@/lib/rekor/explore-db';
import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

const Query = z
  .object({
    trustRoot: z.string().trim().min(1).max(4096).optional(),
    uuid: z.string().trim().regex(/^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/, 'a UUID is 64 or 80 hex characters').optional(),
    logIndex: z.string().trim().regex(/^[0-9]{1,15}$/, 'a log index is a non-negative integer').optional(),
    sha256: z.string().trim().regex(/^(sha256:)?[0-9a-fA-F]{64}$/, 'sha256:<64 hex characters>').optional(),
    email: z.string().trim().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/, 'an email address').optional(),
    /** Anything the explorer's search box takes (see /api/rekor/search for pasted bundles). */
    q: z.string().trim().min(1).max(4096).optional(),
  })
  .strict()
  .refine((q) => [q.uuid, q.logIndex, q.sha256, q.email, q.q].filter((v) => v !== undefined).length === 1, { message: 'give exactly one of uuid, logIndex, sha256, email or q' });

export const GET = withRole('viewer', async (request: Request) => {
  const url = new URL(request.url);
  const q = parseValue(Object.fromEntries(url.searchParams), Query);
  if (!q.ok) return q.response;
  try {
    const { trustRoot, q: text, ...rest } = q.data;
    const result = text !== undefined ? await searchRekor(trustRoot, text) : await exploreRekor(trustRoot, parseExploreQuery(rest));
    return jsonResponse(result);
  } catch (e) {
    return errorResponse(e);
  }
});
