import { z } from 'zod';
import { runVerification } from '@/lib/audit/run-verification';
import { errorResponse, parseJsonBody } from '@/lib/api/respond';
import { NextResponse } from 'next/server';
import { withRole } from '@/lib/auth/guard';
import { getDb } from '@/lib/db';
import { recordAudit } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

const Body = z.object({
  reference: z.string().trim().min(1, 'enter an image reference').max(600),
  policy: z.record(z.string(), z.unknown()).default({}),
  trustRoot: z.string().max(64).default('public-good'),
  /** A stored policy version (the form's "Policy" select); `policy` is then ignored. */
  policyVersionId: z.string().trim().min(1).max(128).regex(/^[a-z0-9]+$/, 'not a policy version id').optional(),
});

/** Runs a verification now and records it. Bad input is still recorded as an errored run. */
export const POST = withRole('auditor', async (request: Request, _ctx, auth) => {
  const body = await parseJsonBody(request, Body);
  if (!body.ok) return body.response;
  try {
    const { policyVersionId, policy, ...rest } = body.data;
    const outcome = await runVerification({ ...rest, ...(policyVersionId ? { policyVersionId } : { policy }), source: 'web' });
    await recordAudit(await getDb(), { actor: auth.user.username, action: 'run', target: outcome.runId ?? rest.reference, detail: { reference: rest.reference, status: outcome.status, ...(policyVersionId ? { policyVersionId } : {}), via: auth.via }, ip: auth.ip });
    const status = outcome.status === 'error' && outcome.errorCode?.startsWith('INVALID') ? 400 : 200;
    if (status !== 200) {
      return NextResponse.json({ error: { code: outcome.errorCode, message: outcome.errorMessage }, runId: outcome.runId }, { status });
    }
    return NextResponse.json({
      runId: outcome.runId,
      imageId: outcome.imageId,
      status: outcome.status,
      summary: outcome.summary,
      digest: outcome.digest,
      errorCode: outcome.errorCode,
      ...(outcome.policyEvaluation ? { policy: { name: outcome.policyEvaluation.name, version: outcome.policyEvaluation.version, verdict: outcome.policyEvaluation.verdict } } : {}),
    });
  } catch (e) {
    return errorResponse(e);
  }
});
