import Link from 'next/link';
import { z } from 'zod';
import { EmptyState } from '@/components/empty-state';
import { formatTime } from '@/components/format';
import { IdentityName } from '@/components/identity-name';
import { readSettings } from '@/lib/settings';
import { IdentityStatusBadge } from '@/components/identity-status';
import { WrapAt } from '@/components/wrap-at';
import { getDb, listIdentities, listIdentityIssuers, repositoryHref } from '@/lib/db';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Identities' };

const Field = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().trim().max(512).optional().catch(undefined));
const FilterSchema = z.object({ issuer: Field, repository: Field, workflow: Field, ref: Field, q: Field });
type Filter = z.infer<typeof FilterSchema>;

const FIELDS: Array<{ name: keyof Filter; label: string; placeholder: string }> = [
  { name: 'q', label: 'Search', placeholder: 'identity, issuer or key' },
  { name: 'issuer', label: 'Issuer', placeholder: 'https://token.actions.githubusercontent.com' },
  { name: 'repository', label: 'Image repository', placeholder: 'registry/org/app or part of it' },
  { name: 'workflow', label: 'Workflow', placeholder: 'release.yml' },
  { name: 'ref', label: 'Ref', placeholder: 'refs/tags/v*' },
];

export default async function IdentitiesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('viewer');
  const filter = FilterSchema.parse(await searchParams);
  const active = Object.values(filter).some((v) => v);
  const db = await getDb();
  const keyNames = readSettings().keyNames;
  const [{ identities, truncated }, issuers] = await Promise.all([listIdentities(db, { ...filter, limit: 500 }), listIdentityIssuers(db)]);

  return (
    <div className="space-y-5">
      <header className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Identities</h1>
        <p className="max-w-3xl text-sm text-slate-600">
          Every signer named by a signature Sigscope has seen: a certificate identity with its OIDC issuer, or a public key.
          An identity is only a claim until a verification passes; those that never did are marked <em>unverified claim</em>.
        </p>
      </header>

      <form method="get" action="/identities" role="search" aria-label="Filter identities" className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-2 lg:grid-cols-5">
        {FIELDS.map((f) => (
          <label key={f.name} className="flex flex-col gap-1 text-xs font-medium text-slate-600">
            {f.label}
            <input
              name={f.name}
              defaultValue={filter[f.name] ?? ''}
              placeholder={f.placeholder}
              list={f.name === 'issuer' ? 'known-issuers' : undefined}
              maxLength={512}
              className="rounded-md border border-slate-300 px-2 py-1.5 font-normal text-slate-900 placeholder:text-slate-400"
            />
          </label>
        ))}
        <datalist id="known-issuers">
          {issuers.map((i) => <option key={i} value={i} />)}
        </datalist>
        <div className="flex items-center gap-3 sm:col-span-2 lg:col-span-5">
          <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">Filter</button>
          {active && <Link href="/identities" className="text-sm">Clear filter</Link>}
          <span className="text-xs text-slate-500">
            <code>*</code> is a wildcard. {active ? 'Counts cover the signatures that match the filter.' : ''}
          </span>
        </div>
      </form>

      {identities.length === 0 ? (
        active ? (
          <EmptyState title="No identity matches this filter">
            <Link href="/identities">Show every identity</Link>.
          </EmptyState>
        ) : (
          <EmptyState title="No identities yet">
            Identities appear once a verification finds signatures. <Link href="/">Verify an image</Link>.
          </EmptyState>
        )
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Signing identities</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">Identity</th>
                <th scope="col" className="px-4 py-2">Issuer</th>
                <th scope="col" className="px-4 py-2 text-right">Signatures</th>
                <th scope="col" className="px-4 py-2 text-right">Verified</th>
                <th scope="col" className="px-4 py-2">Repositories</th>
                <th scope="col" className="px-4 py-2">First / last seen</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {identities.map((i) => (
                <tr key={i.key} className="align-top hover:bg-slate-50" data-testid="identity-row">
                  <td className="min-w-72 max-w-md px-4 py-2">
                    <IdentityName identityKey={i.key} ref_={i.ref} keyName={i.ref.kind === 'key' ? keyNames[i.ref.fingerprint] : undefined} />
                    <div className="mt-1"><IdentityStatusBadge status={i.status} /></div>
                  </td>
                  <td className="max-w-52 px-4 py-2 text-xs text-slate-700">{i.ref.kind === 'keyless' ? (i.ref.issuer ? <WrapAt text={i.ref.issuer} /> : '—') : 'public key'}</td>
                  <td className="px-4 py-2 text-right tabular-nums">
                    {i.counts.signatures}
                    {i.counts.attestations > 0 && <div className="text-xs text-slate-500">{i.counts.attestations} attestation{i.counts.attestations === 1 ? '' : 's'}</div>}
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">
                    <span className={i.counts.verified > 0 ? 'text-emerald-700' : 'text-slate-500'}>{i.counts.verified}</span>
                    {i.counts.failed > 0 && <div className="text-xs text-red-700">{i.counts.failed} failed</div>}
                  </td>
                  <td className="px-4 py-2 text-xs">
                    <ul className="space-y-0.5">
                      {i.repositories.slice(0, 3).map((r) => (
                        <li key={`${r.registry}/${r.repository}`}>
                          <Link href={repositoryHref(r)}><WrapAt text={`${r.registry}/${r.repository}`} /></Link>
                        </li>
                      ))}
                    </ul>
                    {i.repositoryCount > 3 && <span className="text-slate-500">+{i.repositoryCount - 3} more</span>}
                  </td>
                  <td className="px-4 py-2 text-xs whitespace-nowrap text-slate-600">
                    <div title={i.firstSignedAt ? `earliest Rekor integrated time ${formatTime(i.firstSignedAt)}` : 'first seen by Sigscope'}>{formatTime(i.firstSeenAt)}</div>
                    <div title={i.lastSignedAt ? `latest Rekor integrated time ${formatTime(i.lastSignedAt)}` : 'last seen by Sigscope'}>{formatTime(i.lastSeenAt)}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {truncated && <p className="text-sm text-amber-800">Only the {identities.length} most recently active identities are shown; narrow the filter to see others.</p>}
    </div>
  );
}
