import { reportSigningAvailable } from '@/lib/report/signing-key';
import { requirePage } from '@/lib/auth/page';
import { roleAtLeast } from '@/lib/auth/roles';
import { EmptyState } from '@/components/empty-state';
import { formatTime } from '@/components/format';
import { ReportForm } from '@/components/report-form';
import { getDb } from '@/lib/db';
import { listReports } from '@/lib/report/generate';
import { SCOPE_KINDS, SCOPE_KIND_LABEL, type ScopeKind } from '@/lib/report/types';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Reports' };

const FORMAT_LABEL: Record<string, string> = { csv: 'CSV', json: 'JSON', pdf: 'PDF', evidence: 'Evidence' };

function one(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' && v.length <= 4096 ? v : undefined;
}

export default async function ReportsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePage('viewer');
  const params = await searchParams;
  const db = await getDb();
  const [reports, policies, firstImage] = await Promise.all([
    listReports(db, { limit: 100 }),
    db.policy.findMany({ select: { name: true }, orderBy: { name: 'asc' } }),
    db.image.findFirst({ select: { registry: true, repository: true }, orderBy: [{ registry: 'asc' }, { repository: 'asc' }] }),
  ]);
  const askedKind = one(params.kind);
  const kind: ScopeKind = askedKind && (SCOPE_KINDS as readonly string[]).includes(askedKind) ? (askedKind as ScopeKind) : 'organization';
  // Without a scope in the URL, start on the first organization that has images.
  const value = one(params.value) ?? (firstImage ? `${firstImage.registry}/${firstImage.repository.split('/')[0]}` : '');
  return (
    <div className="space-y-8">
      <div className="flex items-baseline justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Audit reports</h1>
        <span className="text-sm text-slate-500">Stored byte for byte · never regenerated</span>
      </div>
      {roleAtLeast(user.role, 'auditor') ? (
        <ReportForm
          policies={policies.map((p) => p.name)}
          initial={{ kind, value, issuer: one(params.issuer), policy: one(params.policy) }}
          signingAvailable={await reportSigningAvailable(db)}
        />
      ) : (
        <p className="rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600">Generating reports needs the auditor role; past reports can be downloaded below.</p>
      )}
      <section className="space-y-3" aria-labelledby="past-reports">
        <h2 id="past-reports" className="text-lg font-semibold">
          Past reports
        </h2>
        {reports.length === 0 ? (
          <EmptyState title="No reports yet">
            Generate one above, or run <code>bin/sigscope report --scope organization=REGISTRY/ORG --format pdf --out report.pdf</code>.
          </EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="w-full text-sm">
              <caption className="sr-only">Past reports</caption>
              <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="px-4 py-2">Generated</th>
                  <th className="px-4 py-2">Scope</th>
                  <th className="px-4 py-2">Policy</th>
                  <th className="px-4 py-2">Images</th>
                  <th className="px-4 py-2">Format</th>
                  <th className="px-4 py-2">sha256</th>
                  <th className="px-4 py-2">
                    <span className="sr-only">Download</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {reports.map((r) => (
                  <tr key={r.id} data-report-id={r.id}>
                    <td className="whitespace-nowrap px-4 py-2 text-slate-600">
                      {formatTime(r.createdAt)}
                      <div className="text-xs text-slate-400">by {r.actor}</div>
                    </td>
                    <td className="px-4 py-2">
                      <span className="text-xs text-slate-500">{SCOPE_KIND_LABEL[r.scope.kind] ?? r.scope.kind}</span>
                      <div className="break-all font-mono text-xs">{r.scopeLabel}</div>
                    </td>
                    <td className="px-4 py-2 text-xs">{r.policyName ? `${r.policyName} v${r.summary.policyVersion ?? '?'}` : <span className="text-slate-500">latest run</span>}</td>
                    <td className="whitespace-nowrap px-4 py-2 text-xs">
                      {r.summary.total} · <span className="text-emerald-700">{r.summary.verified} verified</span> · {r.summary.coveragePercent}%
                    </td>
                    <td className="px-4 py-2 text-xs">
                      {FORMAT_LABEL[r.format] ?? r.format}
                      {r.signed && <span className="ml-1 rounded bg-sky-100 px-1.5 py-0.5 text-sky-800">signed</span>}
                    </td>
                    <td className="px-4 py-2">
                      <code title={r.sha256} className="whitespace-nowrap rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">
                        {r.sha256.slice(0, 16)}…
                      </code>
                    </td>
                    <td className="whitespace-nowrap px-4 py-2 text-right text-xs">
                      <a href={`/api/reports/${r.id}`} download={r.fileName}>
                        Download
                      </a>
                      {r.signed && (
                        <a className="ml-3" href={`/api/reports/${r.id}/attestation`} download={`${r.fileName}.dsse.json`}>
                          Summary
                        </a>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
