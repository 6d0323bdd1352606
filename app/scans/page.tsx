import { requirePage } from '@/lib/auth/page';
import { roleAtLeast } from '@/lib/auth/roles';
import Link from 'next/link';
import { EmptyState } from '@/components/empty-state';
import { ScanForm } from '@/components/scan-form';
import { getDb } from '@/lib/db';
import { listScans } from '@/lib/db/scans';
import { resumeOnce } from '@/lib/audit/scan/service';
import { trustRootChoices } from '@/lib/settings';
import { demoScanDefaults } from '@/lib/audit/scan/demo-defaults';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Scans' };

const STATUS_TONE: Record<string, string> = { finished: 'text-emerald-700', failed: 'text-red-700', running: 'text-sky-700', cancelled: 'text-slate-500' };

export default async function ScansPage() {
  const user = await requirePage('viewer');
  const db = await getDb();
  await resumeOnce(db);
  const scans = await listScans(db, 100);
  const roots = trustRootChoices().map((c) => c.name);
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Scans</h1>
        <p className="mt-1 text-sm text-slate-600">
          Verify every tag of a repository, or every repository of an organization, in the background. Scans survive restarts and can be cancelled and resumed;
          the <Link href="/organizations">organization overview</Link> shows coverage over time.
        </p>
      </div>
      {roleAtLeast(user.role, 'auditor') ? (
        <ScanForm trustRoots={roots} defaultTrustRoot={roots.includes('sandbox') ? 'sandbox' : roots[0]!} defaults={demoScanDefaults()} />
      ) : (
        <p className="rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600">Starting scans needs the auditor role; you can follow every scan below.</p>
      )}
      <section aria-label="Past scans">
        <h2 className="mb-2 text-lg font-medium">Recent scans</h2>
        {scans.length === 0 ? (
          <EmptyState title="No scans yet">
            Start one above, or from a terminal: <code>bin/sigscope scan ghcr.io/acme/*</code>.
          </EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="min-w-full text-sm">
              <thead className="text-left text-xs uppercase text-slate-500">
                <tr>
                  <th className="px-4 py-2">Started</th>
                  <th className="px-4 py-2">Targets</th>
                  <th className="px-4 py-2">Status</th>
                  <th className="px-4 py-2 text-right">Images</th>
                  <th className="px-4 py-2">By</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {scans.map((s) => (
                  <tr key={s.id}>
                    <td className="px-4 py-2 whitespace-nowrap">
                      <Link href={`/scans/${s.id}`}>{s.createdAt.toISOString().replace('T', ' ').slice(0, 19)}Z</Link>
                    </td>
                    <td className="px-4 py-2 font-mono text-xs">
                      {s.targets.slice(0, 3).join(', ')}
                      {s.targets.length > 3 && ` and ${s.targets.length - 3} more`}
                    </td>
                    <td className={`px-4 py-2 ${STATUS_TONE[s.status] ?? ''}`}>{s.status}</td>
                    <td className="px-4 py-2 text-right tabular-nums">
                      {s.done}/{s.images}
                    </td>
                    <td className="px-4 py-2 text-xs text-slate-500">{s.actor} · {s.source}</td>
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
