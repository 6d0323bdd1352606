import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { Metadata } from 'next';
import { EmptyState } from '@/components/empty-state';
import { formatTime, imageName } from '@/components/format';
import { ModeBadge } from '@/components/policy-badge';
import { StatusBadge } from '@/components/status-badge';
import { getDb } from '@/lib/db';
import { getPolicy, listPolicyRuns } from '@/lib/db/policies';
import { describeAuthority } from '@/lib/policy/describe';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Policy ${(await params).id.slice(0, 40)}` };
}

export default async function PolicyPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePage('viewer');
  const { id } = await params;
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(id)) notFound();
  const db = await getDb();
  const policy = await getPolicy(db, id);
  if (!policy) notFound();
  const runs = await listPolicyRuns(db, policy.id, { limit: 100 });
  const latest = policy.versions[0]!;

  return (
    <div className="space-y-8">
      <nav className="text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href="/policies">Policies</Link> / <span className="font-mono">{policy.name}</span>
      </nav>
      <header className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{policy.name}</h1>
          <p className="mt-1 text-sm text-slate-600">
            Version {latest.version} of {policy.versions.length}, since {formatTime(latest.createdAt)}. Versions are never edited: importing changed YAML under this name adds one.
          </p>
        </div>
        <div className="flex gap-3 text-sm">
          <a href={`/api/policies/${policy.id}/export`} download className="rounded-md border border-slate-300 bg-white px-3 py-1.5 shadow-sm hover:no-underline hover:bg-slate-50">
            Export YAML
          </a>
          <Link href={`/policies/${policy.id}/compare?version=${latest.version}`} className="rounded-md bg-slate-900 px-3 py-1.5 font-semibold text-white! shadow-sm hover:no-underline hover:bg-slate-700">
            Re-evaluate history
          </Link>
        </div>
      </header>

      <section aria-labelledby="versions" className="space-y-4">
        <h2 id="versions" className="text-lg font-semibold">Versions</h2>
        {policy.versions.map((v, n) => (
          <article key={v.id} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" data-testid={`version-${v.version}`} aria-label={`Version ${v.version}`}>
            <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
              <h3 className="font-semibold">Version {v.version}</h3>
              {n === 0 && <span className="rounded bg-sky-100 px-1.5 py-0.5 text-xs font-medium text-sky-800">latest</span>}
              <span className="text-xs text-slate-500">{formatTime(v.createdAt)}</span>
              <code className="text-xs text-slate-500" title={v.hash}>sha256:{v.hash.slice(0, 12)}</code>
              <span className="text-xs text-slate-600">
                {v.runCount} run{v.runCount === 1 ? '' : 's'}
              </span>
              <span className="ml-auto flex gap-3 text-xs">
                <a href={`/api/policies/${policy.id}/export?version=${v.version}`} download>
                  YAML
                </a>
                <a href={`/api/policies/${policy.id}/export?version=${v.version}&format=normalized`} download>
                  Normalized YAML
                </a>
                <Link href={`/policies/${policy.id}/compare?version=${v.version}`}>Re-evaluate history under v{v.version}</Link>
              </span>
            </div>
            <div className="mt-3 space-y-3">
              {v.parsed.policies.map((d) => (
                <div key={d.name} className="text-sm">
                  <div className="flex flex-wrap items-center gap-1.5">
                    <span className="font-mono font-medium">{d.name}</span>
                    <ModeBadge mode={d.mode} />
                    {d.images.map((i) => (
                      <code key={i.glob} className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">
                        {i.glob}
                      </code>
                    ))}
                  </div>
                  <ul className="mt-1.5 space-y-1 pl-4">
                    {d.authorities.map((a) => (
                      <li key={a.name} className="text-xs">
                        <span className="font-medium">{a.name}</span>
                        <ul className="list-disc pl-5 font-mono text-[11px] text-slate-700 break-all">
                          {describeAuthority(a, d.attestations).map((line, i) => (
                            <li key={i}>{line}</li>
                          ))}
                        </ul>
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </div>
            <details className="mt-3" open={n === 0}>
              <summary className="cursor-pointer text-sm text-slate-600">YAML as imported</summary>
              <pre className="mt-2 max-h-96 overflow-auto rounded-md bg-slate-900 p-4 text-xs leading-relaxed text-slate-100" data-testid={`yaml-${v.version}`}>
                {v.yaml}
              </pre>
            </details>
          </article>
        ))}
      </section>

      <section aria-labelledby="runs" className="space-y-3">
        <h2 id="runs" className="text-lg font-semibold">Runs that used it</h2>
        {runs.length === 0 ? (
          <EmptyState title="No run used this policy yet">
            Choose it under <em>Policy</em> on the <Link href="/">Verify</Link> form, or run <code>bin/sigscope verify IMAGE --policy {policy.name}</code>.
          </EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="policy-runs">
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2">When</th>
                  <th scope="col" className="px-4 py-2">Image</th>
                  <th scope="col" className="px-4 py-2">Version</th>
                  <th scope="col" className="px-4 py-2">Policy verdict</th>
                  <th scope="col" className="px-4 py-2">Run status</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {runs.map((r) => (
                  <tr key={r.id} className="hover:bg-slate-50">
                    <td className="px-4 py-2 whitespace-nowrap">
                      <Link href={`/runs/${r.id}`}>{formatTime(r.createdAt)}</Link>
                    </td>
                    <td className="px-4 py-2 font-mono text-xs break-all">{r.image ? <Link href={`/images/${r.image.id}`}>{imageName(r.image)}</Link> : r.input}</td>
                    <td className="px-4 py-2">v{r.version}</td>
                    <td className="px-4 py-2">{r.verdict ? <ModeBadge mode={r.verdict} /> : '—'}</td>
                    <td className="px-4 py-2">
                      <StatusBadge status={r.status} />
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
