import { requirePage } from '@/lib/auth/page';
import Link from 'next/link';
import { EmptyState } from '@/components/empty-state';
import { getDb } from '@/lib/db';
import { listOrganizations } from '@/lib/db/organizations';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Organizations' };

export default async function OrganizationsPage() {
  await requirePage('viewer');
  const orgs = await listOrganizations(await getDb());
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Organizations</h1>
      {orgs.length === 0 ? (
        <EmptyState title="No organization known yet">
          <Link href="/scans">Scan</Link> a prefix such as <code>ghcr.io/acme/*</code> to see its repositories and signing coverage here.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-sm">
          {orgs.map((o) => (
            <li key={`${o.registry}/${o.prefix}`} className="flex items-center justify-between px-4 py-2">
              <Link className="font-mono text-sm" href={`/organizations/${o.registry}/${o.prefix}`}>
                {o.registry}/{o.prefix}
              </Link>
              <span className="text-xs text-slate-500">{o.repositories} repositories</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
