import { Suspense } from 'react';
import { OpenFindings, OpenFindingsLoading } from '@/components/open-findings';
import { RecentRuns } from '@/components/recent-runs';
import { VerifyForm } from '@/components/verify-form';
import { getDb, listRuns } from '@/lib/db';
import { resumeOnce } from '@/lib/audit/scan/service';
import { trustRootChoices } from '@/lib/settings';
import { readDemoExamples } from '@/lib/demo-examples';
import { requirePage } from '@/lib/auth/page';
import { roleAtLeast } from '@/lib/auth/roles';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const user = await requirePage('viewer');
  const roots = trustRootChoices().map((r) => r.name);
  const db = await getDb();
  await resumeOnce(db); // scans a restart interrupted carry on from where they stopped
  const { runs } = await listRuns(db, { limit: 8 });
  const initial = runs.map((r) => ({
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    input: r.input,
    status: r.status,
    summary: typeof r.summary.text === 'string' ? r.summary.text : '',
    source: r.source,
    image: r.image,
  }));
  return (
    <div className="space-y-10">
      {roleAtLeast(user.role, 'auditor') ? (
        <>
          <div>
            <h1 className="text-2xl font-semibold tracking-tight">Verify an image</h1>
            <p className="mt-1 max-w-3xl text-sm text-slate-600">
              Sigscope resolves the reference, finds its cosign signatures, verifies each one against the trusted root (certificate chain, SCT, Rekor entry) and checks
              that the signer is the one you expect. Every run is stored.
            </p>
          </div>
          <VerifyForm trustRoots={roots} defaultTrustRoot={roots.includes('sandbox') ? 'sandbox' : 'public-good'} examples={readDemoExamples()} />
        </>
      ) : (
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Overview</h1>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">
            Open findings and the latest verifications. You are a viewer: auditors and admins run verifications.
          </p>
        </div>
      )}
      <Suspense fallback={<OpenFindingsLoading />}>
        <OpenFindings />
      </Suspense>
      <RecentRuns initial={initial} />
    </div>
  );
}
