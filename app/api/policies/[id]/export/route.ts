import { z } from 'zod';
import { apiError, errorResponse, parseValue } from '@/lib/api/respond';
import { getDb } from '@/lib/db';
import { getPolicy } from '@/lib/db/policies';
import { toYaml } from '@/lib/policy/parse';
import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1).max(128) });
const Query = z.object({
  /** Default: the latest version. */
  version: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /** `original`: the YAML as imported (comments kept); `normalized`: regenerated from the parsed policy. */
  format: z.enum(['original', 'normalized']).default('original'),
});

/** Downloads one version of a policy as YAML. */
export const GET = withRole('viewer', async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const p = parseValue(await params, Params);
  if (!p.ok) return p.response;
  const q = parseValue(Object.fromEntries(new URL(request.url).searchParams), Query);
  if (!q.ok) return q.response;
  try {
    const policy = await getPolicy(await getDb(), p.data.id);
    if (!policy) return apiError(404, 'NOT_FOUND', `no policy ${JSON.stringify(p.data.id)}`);
    const version = q.data.version === undefined ? policy.versions[0] : policy.versions.find((v) => v.version === q.data.version);
    if (!version) return apiError(404, 'NOT_FOUND', `policy ${policy.name} has no version ${q.data.version}`);
    const text = q.data.format === 'normalized' ? toYaml(version.parsed) : version.yaml;
    return new Response(text, {
      headers: {
        'content-type': 'application/yaml; charset=utf-8',
        'content-disposition': `attachment; filename="${policy.name}-v${version.version}.yaml"`,
        'x-content-type-options': 'nosniff',
      },
    });
  } catch (e) {
    return errorResponse(e);
  }
});
