import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Digest } from '@/components/digest';
import { formatTime, imageName } from '@/components/format';
import { FORMAT_LABEL } from '@/components/signature-result';
import { StatusBadge } from '@/components/status-badge';
import { summarizePredicate, type PredicateSummary, type SbomPackage } from '@/lib/attest/predicates';
import { prettyJson } from '@/lib/attest/json';
import { getDb, getSignature } from '@/lib/db';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Attestation' };

interface StoredStatement {
  subject?: Array<{ name?: string; digest?: Record<string, string> }>;
  predicateType?: string;
  predicate?: unknown;
}

function parseStored(text: string | null): StoredStatement | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as StoredStatement;
  } catch {
    return null;
  }
}

export default async function AttestationPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePage('viewer');
  const { id } = await params;
  if (!/^[a-z0-9]{1,64}$/.test(id)) notFound();
  const sig = await getSignature(await getDb(), id);
  if (!sig) notFound();
  const statement = parseStored(sig.statement);
  const summary: PredicateSummary | null = statement?.predicateType ? summarizePredicate(statement.predicateType, statement.predicate) : null;
  const latest = sig.results[0];
  const raw = statement ? prettyJson(statement.predicate, 200_000) : null;

  return (
    <div className="space-y-8">
      <nav className="text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href="/images">Images</Link> / <Link href={`/images/${sig.image.id}`}>{imageName(sig.image)}</Link> / attestation
      </nav>
      <header className="space-y-2">
        <div className="flex flex-wrap items-center gap-3">
          {latest && <StatusBadge status={latest.verdict} large />}
          <h1 className="text-xl font-semibold">{summary?.title ?? sig.predicateType ?? 'Attestation'}</h1>
        </div>
        <p className="font-mono text-xs text-slate-600 break-all">{sig.predicateType}</p>
        {latest?.reason && <p className={latest.verdict === 'failed' ? 'text-sm text-red-800' : 'text-sm text-amber-900'}>{latest.reason}</p>}
      </header>

      <section className="grid gap-x-8 gap-y-2 rounded-lg border border-slate-200 bg-white p-5 text-sm shadow-sm sm:grid-cols-[max-content_1fr]" aria-label="Attestation details">
        <span className="text-slate-500">Image</span>
        <span>
          <Link href={`/images/${sig.image.id}`}>{imageName(sig.image)}</Link> <Digest value={sig.image.digest} />
        </span>
        <span className="text-slate-500">Found as</span>
        <span>{FORMAT_LABEL[sig.format] ?? sig.format}{sig.artifactType ? ` (${sig.artifactType})` : ''}</span>
        <span className="text-slate-500">{latest?.verdict === 'verified' ? 'Signed by' : 'Signer (claimed)'}</span>
        <span className="font-mono text-xs break-all">{sig.identity ?? (sig.publicKeyFingerprint ? `key sha256:${sig.publicKeyFingerprint}` : '—')}{sig.oidcIssuer ? ` · ${sig.oidcIssuer}` : ''}</span>
        {sig.rekorLogIndex != null && (
          <>
            <span className="text-slate-500">Rekor entry</span>
            <span>log index <span className="font-mono">{String(sig.rekorLogIndex)}</span>, integrated {formatTime(sig.rekorIntegratedTime)}</span>
          </>
        )}
        {statement?.subject && (
          <>
            <span className="text-slate-500">Subjects</span>
            <ul className="space-y-0.5">
              {statement.subject.slice(0, 20).map((s, i) => (
                <li key={i} className="font-mono text-xs break-all">
                  {s.name || '(unnamed)'} {Object.entries(s.digest ?? {}).map(([alg, hex]) => `${alg}:${hex.slice(0, 16)}…`).join(' ')}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      {summary ? (
        <section aria-labelledby="predicate" className="space-y-3">
          <div className="flex items-baseline justify-between">
            <h2 id="predicate" className="text-lg font-semibold">Predicate</h2>
            <a href={`/api/attestations/${sig.id}/predicate`} download className="text-sm">Download predicate (JSON)</a>
          </div>
          <dl className="grid gap-x-6 gap-y-1.5 rounded-lg border border-slate-200 bg-white p-5 text-sm sm:grid-cols-[max-content_1fr]" data-testid="predicate-fields">
            {summary.fields.map((f, i) => (
              <div key={`${f.label}-${i}`} className="contents">
                <dt className="text-slate-500">{f.label}</dt>
                <dd className="font-mono text-xs break-all">{f.value}</dd>
              </div>
            ))}
          </dl>
          <Packages summary={summary} />
          {summary.problems.length > 0 && (
            <ul className="list-disc rounded-md border border-amber-200 bg-amber-50 p-4 pl-8 text-sm text-amber-900">{summary.problems.map((p) => <li key={p}>{p}</li>)}</ul>
          )}
          {raw && (
            <details className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
              <summary className="cursor-pointer text-slate-600">Raw predicate{raw.truncated ? ' (truncated; download for the whole document)' : ''}</summary>
              <pre className="mt-3 max-h-[32rem] overflow-auto text-xs">{raw.text}</pre>
            </details>
          )}
        </section>
      ) : (
        <p className="text-sm text-slate-600">The statement of this attestation was not stored (too large or unreadable); its verdict is above.</p>
      )}

      <section aria-labelledby="verdicts" className="space-y-2">
        <h2 id="verdicts" className="text-lg font-semibold">Verdicts over time</h2>
        <ul className="space-y-1 text-sm">
          {sig.results.map((r) => (
            <li key={r.id} className="flex flex-wrap items-center gap-2">
              <StatusBadge status={r.verdict} /> <Link href={`/runs/${r.run.id}`}>{formatTime(r.run.createdAt)}</Link>
              <span className="text-slate-500">trusted root {r.run.trustRootName}</span>
              {r.reasonCode && <code className="text-xs text-red-700">{r.reasonCode}</code>}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function Packages({ summary }: { summary: PredicateSummary }) {
  const pkgs: SbomPackage[] = summary.kind === 'spdx' ? summary.topPackages : summary.kind === 'cyclonedx' ? summary.topComponents : [];
  if (pkgs.length === 0) return null;
  return (
    <table className="min-w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm" aria-label="Top-level packages">
      <thead className="bg-slate-50 text-left text-xs uppercase text-slate-500">
        <tr><th className="px-4 py-2">Package</th><th className="px-4 py-2">Version</th><th className="px-4 py-2">purl</th></tr>
      </thead>
      <tbody>
        {pkgs.map((p, i) => (
          <tr key={`${p.name}-${i}`} className="border-t border-slate-100">
            <td className="px-4 py-1.5">{p.name ?? '—'}</td>
            <td className="px-4 py-1.5 font-mono text-xs">{p.version ?? '—'}</td>
            <td className="px-4 py-1.5 font-mono text-xs break-all">{p.purl ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
