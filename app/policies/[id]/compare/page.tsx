import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { Metadata } from 'next';
import clsx from 'clsx';
import { EmptyState } from '@/components/empty-state';
import { formatTime, imageName, shortDigest } from '@/components/format';
import { ModeBadge } from '@/components/policy-badge';
import { StatusBadge } from '@/components/status-badge';
import { getDb } from '@/lib/db';
import { getPolicy, latestEvidence } from '@/lib/db/policies';
import { globMatches } from '@/lib/policy/match';
import { reevaluate, type ReevaluatedImage } from '@/lib/policy/reevaluate';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Re-evaluate · policy ${(await params).id.slice(0, 40)}` };
}

/** Why the image got its re-evaluated verdict, in one line. */
function reason(r: ReevaluatedImage): string {
  if (r.outcomes.length === 0) return 'no policy of this version matches the image';
  const parts: string[] = [];
  for (const o of r.outcomes) {
    if (o.verdict === 'pass') {
      parts.push(`${o.policy}: authority ${o.satisfiedBy}`);
      continue;
    }
    const first = o.authorities.flatMap((a) => a.signers.map((s) => ({ a, s }))).find(({ s }) => s.status !== 'verified');
    parts.push(`${o.policy}: ${first ? `${first.a.name} — ${first.s.summary}` : 'no authority satisfied'}`);
  }
  return parts.join(' · ');
}

export default async function ComparePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('viewer');
  const { id } = await params;
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(id)) notFound();
  const sp = await searchParams;
  const db = await getDb();
  const policy = await getPolicy(db, id);
  if (!policy) notFound();
  const asked = typeof sp.version === 'string' && /^\d{1,7}$/.test(sp.version) ? Number(sp.version) : policy.versions[0]!.version;
  const version = policy.versions.find((v) => v.version === asked);
  if (!version) notFound();

  const globs = version.parsed.policies.flatMap((d) => d.images.map((i) => i.glob));
  const { evidence, truncated } = await latestEvidence(db, (name) => globs.some((g) => globMatches(g, name)), { limit: 200 });
  const rows = evidence.map((e) => reevaluate(e, version.parsed));
  const changed = rows.filter((r) => r.changed).length;

  return (
    <div className="space-y-6">
      <nav className="text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href="/policies">Policies</Link> / <Link href={`/policies/${policy.id}`}>{policy.name}</Link> / re-evaluate
      </nav>
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">
          History under {policy.name} v{version.version}
        </h1>
        <div className="flex flex-wrap items-center gap-2 text-sm" role="navigation" aria-label="Versions">
          <span className="text-slate-500">Version:</span>
          {[...policy.versions].reverse().map((v) => (
            <Link
              key={v.id}
              href={`/policies/${policy.id}/compare?version=${v.version}`}
              aria-current={v.version === version.version ? 'page' : undefined}
              className={clsx('rounded-full border px-2.5 py-0.5 text-xs hover:no-underline', v.version === version.version ? 'border-slate-900 bg-slate-900 text-white!' : 'border-slate-300 bg-white hover:border-sky-500')}
            >
              v{v.version}
            </Link>
          ))}
        </div>
      </header>

      <div role="note" className="rounded-lg border border-sky-200 bg-sky-50 p-4 text-sm text-sky-950" data-testid="reevaluation-note">
        <p className="font-semibold">A re-evaluation of stored evidence, not a new verification</p>
        <p className="mt-1">
          For the latest run of each image matching v{version.version}&apos;s globs, signatures whose cryptographic checks passed in that run (certificate chain, SCT,
          transparency log and signature, or the public key) are re-matched against v{version.version}&apos;s authorities using their stored certificates. Nothing is
          fetched from the registry or the transparency log, and stored runs are not modified. Signatures the stored run never checked show as <em>unknown</em>;
          signatures pushed since are not seen. Verify again for an authoritative verdict.
        </p>
      </div>

      {rows.length === 0 ? (
        <EmptyState title="No stored run of a matching image">
          No image matching {globs.map((g) => `"${g}"`).join(', ')} has a finished run yet. <Link href="/">Verify one</Link>.
        </EmptyState>
      ) : (
        <>
          <p className="text-sm text-slate-600" data-testid="compare-counts">
            {rows.length} image{rows.length === 1 ? '' : 's'}
            {truncated ? ' (the first 200)' : ''}; {changed} whose status would change under v{version.version}.
          </p>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="compare-table">
              <caption className="sr-only">Stored verdicts next to the verdicts under version {version.version}</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="w-[30%] px-4 py-2">Image</th>
                  <th scope="col" className="w-[25%] px-4 py-2">Stored (latest run)</th>
                  <th scope="col" className="px-4 py-2">Under v{version.version} (re-evaluated)</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 align-top">
                {rows.map((r) => (
                  <tr key={r.image.id} className={clsx(r.changed && 'bg-amber-50/60')} data-changed={r.changed ? 'true' : 'false'}>
                    <td className="px-4 py-3">
                      <Link href={`/images/${r.image.id}`} className="font-mono text-xs [overflow-wrap:anywhere]">
                        {imageName(r.image)}
                      </Link>
                      <div className="font-mono text-[11px] text-slate-500">
                        {r.image.tag ? `:${r.image.tag} · ` : ''}
                        {shortDigest(r.image.digest)}
                      </div>
                    </td>
                    <td className="px-4 py-3">
                      <div className="flex flex-wrap items-center gap-2">
                        <StatusBadge status={r.run.status} />
                        {r.run.verdict && <ModeBadge mode={r.run.verdict} />}
                      </div>
                      <div className="mt-1 text-xs text-slate-500">
                        <Link href={`/runs/${r.run.id}`}>{formatTime(r.run.createdAt)}</Link> ·{' '}
                        {r.run.usedPolicy ? (
                          <>
                            policy {r.run.usedPolicy.name} v{r.run.usedPolicy.version}
                          </>
                        ) : (
                          'ad hoc signer policy'
                        )}
                      </div>
                    </td>
                    <td className="px-4 py-3">
                      <div className="flex flex-wrap items-center gap-2">
                        <StatusBadge status={r.status} />
                        <ModeBadge mode={r.verdict} />
                        {r.changed && <span className="text-xs font-semibold text-amber-800">changed</span>}
                      </div>
                      <p className="mt-1 max-w-xl text-xs text-slate-600 break-words">{reason(r)}</p>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
