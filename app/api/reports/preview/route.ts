/** GET ?kind=&value=&issuer=&policy=: what a report would cover (counts from stored runs), without writing one. */
import { NextResponse } from 'next/server';
import { errorResponse, parseValue } from '@/lib/api/respond';
import { getDb } from '@/lib/db';
import { ScopeRequestSchema } from '@/lib/report/request';
import { parseScope, scopeLabel } from '@/lib/report/scope';
import { selectRuns } from '@/lib/report/select';

import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (request: Request) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const q = parseValue(params, ScopeRequestSchema);
  if (!q.ok) return q.response;
  try {
    const scope = parseScope(q.data.kind, q.data.value, { issuer: q.data.issuer });
    const selection = await selectRuns(await getDb(), scope, q.data.policy);
    const repositories = new Set(selection.runs.filter((r) => r.digest).map((r) => `${r.registry}/${r.repository}`));
    return NextResponse.json({
      label: scopeLabel(scope),
      scope,
      policy: selection.policy ? { name: selection.policy.name, version: selection.policy.version, hash: selection.policy.hash } : null,
      summary: selection.summary,
      repositories: repositories.size,
      trustRoots: selection.trustRoots,
    });
  } catch (e) {
    return errorResponse(e);
  }
});
