import { requirePage } from '@/lib/auth/page';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CoverageChart } from '@/components/coverage-chart';
import { EmptyState } from '@/components/empty-state';
import { getDb } from '@/lib/db';
import { organizationOverview } from '@/lib/db/organizations';
import { timelineHref } from '@/lib/audit/timeline';
import { assertRegistryHost, assertRepositoryName } from '@/lib/oci/reference';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Organization' };

export default async function OrganizationPage({ params }: { params: Promise<{ path: string[] }> }) {
  await requirePage('viewer');
  const { path } = await params;
  const [registry, ...rest] = path.map(decodeURIComponent);
  const prefix = rest.join('/');
  try {
    assertRegistryHost(registry ?? '');
    assertRepositoryName(prefix);
  } catch {
    notFound();
  }
  const o = await organizationOverview(await getDb(), registry!, prefix);
  const scanned = o.repositories.filter((r) => r.scanId);
  const totals = scanned.reduce((t, r) => ({ images: t.images + r.images, verified: t.verified + r.verified }), { images: 0, verified: 0 });
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-slate-500">
          <Link href="/organizations">Organizations</Link> / {registry}/{prefix}
        </p>
        <h1 className="mt-1 text-2xl font-semibold tracking-tight">{registry}/{prefix}</h1>
        <p className="mt-1 text-sm text-slate-600">
          {o.repositories.length} repositories · {scanned.length} scanned ·{' '}
          {totals.images ? `${Math.round((totals.verified / totals.images) * 100)} % of ${totals.images} images verified in their latest scan` : 'no scan yet'} ·{' '}
          <Link href={timelineHref({ kind: 'org', registry: registry!, org: prefix })}>timeline</Link> ·{' '}
          <Link href={`/reports?kind=organization&value=${encodeURIComponent(`${registry}/${prefix}`)}`}>audit report</Link>
        </p>
      </div>
      <section aria-label="Coverage over time" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="mb-2 font-medium">Signing coverage over time</h2>
        <CoverageChart points={o.history.map((h) => ({ ...h, at: h.at.toISOString() }))} />
      </section>
      {o.repositories.length === 0 ? (
        <EmptyState title="Nothing stored under this prefix">
          <Link href="/scans">Start a scan</Link> of <code>{`${registry}/${prefix}/*`}</code>.
        </EmptyState>
      ) : (
        <section aria-label="Repositories" className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="min-w-full text-sm">
            <thead className="text-left text-xs uppercase text-slate-500">
              <tr>
                <th className="px-4 py-2">Repository</th>
                <th className="px-2 py-2 text-right">Tags</th>
                <th className="px-2 py-2 text-right">Verified</th>
                <th className="px-2 py-2 text-right">Failed</th>
                <th className="px-2 py-2 text-right">Unsigned</th>
                <th className="px-4 py-2">Coverage</th>
                <th className="px-4 py-2">Last scan</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {o.repositories.map((r) => {
                const cov = r.images ? Math.round((r.verified / r.images) * 100) : null;
                return (
                  <tr key={r.repository}>
                    <td className="px-4 py-1.5 font-mono text-xs"><Link href={`/repositories/${registry}/${r.repository}`}>{r.repository}</Link></td>
                    <td className="px-2 py-1.5 text-right tabular-nums">{r.images || ''}</td>
                    <td className="px-2 py-1.5 text-right tabular-nums text-emerald-700">{r.scanId ? r.verified : ''}</td>
                    <td className="px-2 py-1.5 text-right tabular-nums text-red-700">{r.failed || ''}</td>
                    <td className="px-2 py-1.5 text-right tabular-nums">{r.unsigned || ''}</td>
                    <td className="px-4 py-1.5">
                      {cov === null ? (
                        <span className="text-xs text-slate-500">not scanned</span>
                      ) : (
                        <div className="flex items-center gap-2">
                          <div className="h-1.5 w-24 rounded-full bg-slate-100"><div className={`h-1.5 rounded-full ${cov === 100 ? 'bg-emerald-500' : cov >= 80 ? 'bg-amber-400' : 'bg-red-500'}`} style={{ width: `${cov}%` }} /></div>
                          <span className="text-xs tabular-nums">{cov}%</span>
                        </div>
                      )}
                    </td>
                    <td className="px-4 py-1.5 text-xs">{r.scanId && r.scannedAt ? <Link href={`/scans/${r.scanId}`}>{r.scannedAt.toISOString().slice(0, 16).replace('T', ' ')}</Link> : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
