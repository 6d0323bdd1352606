import { requirePage } from '@/lib/auth/page';
import { roleAtLeast } from '@/lib/auth/roles';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ScanView, type ScanJson } from '@/components/scan-view';
import { getDb } from '@/lib/db';
import { getScanJob, repositorySummaries, scanProgress } from '@/lib/db/scans';
import { resumeOnce } from '@/lib/audit/scan/service';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Scan' };

export default async function ScanPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePage('viewer');
  const { id } = await params;
  if (!/^[a-z0-9]{1,64}$/.test(id)) notFound();
  const db = await getDb();
  await resumeOnce(db);
  const [job, progress, repositories] = await Promise.all([getScanJob(db, id), scanProgress(db, id), repositorySummaries(db, id)]);
  if (!job || !progress) notFound();
  let spec: ScanJson['spec'] = null;
  try {
    spec = JSON.parse(job.spec) as ScanJson['spec'];
  } catch {
    spec = null;
  }
  let policyText = 'signer not checked';
  try {
    const policy = JSON.parse(job.policy) as { kind: string; policyName?: string; version?: number; policy?: Record<string, unknown> };
    if (policy.kind === 'named') policyText = `policy “${policy.policyName}” v${policy.version}`;
    else if (policy.policy && Object.keys(policy.policy).length > 0) {
      const p = policy.policy;
      policyText = [p.identity ?? p.identityRegExp, p.issuer ?? p.issuerRegExp, Array.isArray(p.keys) ? `${p.keys.length} key(s)` : null].filter(Boolean).join(' · ');
    }
  } catch {
    policyText = '(unreadable policy)';
  }
  const initial: ScanJson = JSON.parse(JSON.stringify({ id, spec, runner: job.runner, trustRootName: job.trustRootName, actor: job.actor, progress, repositories })) as ScanJson;
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-slate-500">
          <Link href="/scans">Scans</Link> / {id}
        </p>
        <h1 className="mt-1 text-2xl font-semibold tracking-tight">Scan of {spec?.targets?.slice(0, 2).join(', ') ?? '?'}{(spec?.targets?.length ?? 0) > 2 ? ` and ${spec!.targets!.length - 2} more` : ''}</h1>
        <dl className="mt-2 flex flex-wrap gap-x-6 gap-y-1 text-sm text-slate-600">
          <div><dt className="inline text-slate-500">Signer: </dt><dd className="inline font-mono text-xs">{policyText}</dd></div>
          <div><dt className="inline text-slate-500">Trusted root: </dt><dd className="inline">{job.trustRootName}</dd></div>
          <div><dt className="inline text-slate-500">Runner: </dt><dd className="inline">{job.runner === 'queue' ? 'PostgreSQL queue (workers)' : 'in process'}</dd></div>
          <div><dt className="inline text-slate-500">Started by: </dt><dd className="inline">{job.actor} ({job.source})</dd></div>
          <div><Link href={`/reports?kind=scan&value=${id}`}>Audit report of this scan</Link></div>
        </dl>
      </div>
      <ScanView initial={initial} canControl={roleAtLeast(user.role, 'auditor')} />
    </div>
  );
}
