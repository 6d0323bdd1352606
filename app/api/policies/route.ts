import { z } from 'zod';
import { NextResponse } from 'next/server';
import { apiError, errorResponse, parseJsonBody } from '@/lib/api/respond';
import { getDb } from '@/lib/db';
import { POLICY_NAME_RE, POLICY_NAME_RULE, listPolicies, savePolicy } from '@/lib/db/policies';
import { MAX_POLICY_BYTES, isPolicyParseError } from '@/lib/policy/parse';
import { withRole } from '@/lib/auth/guard';
import { recordAudit } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

const Body = z.object({
  name: z.string().trim().regex(POLICY_NAME_RE, POLICY_NAME_RULE),
  yaml: z.string().min(1, 'paste the policy YAML').max(MAX_POLICY_BYTES, 'the policy is above the 256 KiB limit'),
});

/** Every stored policy with its latest version's documents and its version list. */
export const GET = withRole('viewer', async () => {
  try {
    const policies = await listPolicies(await getDb());
    return NextResponse.json({
      policies: policies.map((p) => ({
        id: p.id,
        name: p.name,
        createdAt: p.createdAt,
        runCount: p.runCount,
        latest: {
          id: p.latest.id,
          version: p.latest.version,
          createdAt: p.latest.createdAt,
          hash: p.latest.hash,
          policies: p.latest.parsed.policies.map((d) => ({ name: d.name, mode: d.mode, images: d.images.map((i) => i.glob), authorities: d.authorities.map((a) => a.name) })),
        },
        versions: p.versions,
      })),
    });
  } catch (e) {
    return errorResponse(e);
  }
});

/** Imports YAML as policy `name`: version 1, a new version when the content changed, or nothing. */
export const POST = withRole('admin', async (request: Request, _ctx, auth) => {
  // YAML up to 256 KiB, JSON-escaped.
  const body = await parseJsonBody(request, Body, 2 * MAX_POLICY_BYTES + 4096);
  if (!body.ok) return body.response;
  try {
    const db = await getDb();
    const saved = await savePolicy(db, body.data.name, body.data.yaml);
    if (saved.created) {
      await recordAudit(db, { actor: auth.user.username, action: 'policy-change', target: saved.policy.name, detail: { version: saved.version.version, hash: saved.version.hash, via: auth.via }, ip: auth.ip });
    }
    return NextResponse.json(
      { policyId: saved.policy.id, name: saved.policy.name, versionId: saved.version.id, version: saved.version.version, hash: saved.version.hash, created: saved.created },
      { status: saved.created ? 201 : 200 },
    );
  } catch (e) {
    if (isPolicyParseError(e)) {
      return apiError(400, 'INVALID_POLICY', e.message, e.issues.map((i) => ({ path: i.path, message: i.message, ...(i.line ? { line: i.line } : {}) })));
    }
    return errorResponse(e);
  }
});
