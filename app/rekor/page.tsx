import Link from 'next/link';
import type { Metadata } from 'next';
import { Digest } from '@/components/digest';
import { formatTime } from '@/components/format';
import { ProofBadge } from '@/components/rekor-proof-badge';
import { isSigscopeError } from '@/lib/errors';
import { artifactHashOf, parseExploreQuery, rekorEntryHref, signerOf, type ExploreResult } from '@/lib/rekor/explore';
import { exploreRekor } from '@/lib/rekor/explore-db';
import { trustRootChoices } from '@/lib/settings';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Rekor explorer' };

const KINDS = [
  { value: 'logIndex', label: 'Log index', placeholder: '12345' },
  { value: 'uuid', label: 'Entry UUID', placeholder: '64 or 80 hex characters' },
  { value: 'sha256', label: 'Artifact hash', placeholder: 'sha256:…' },
  { value: 'email', label: 'Email', placeholder: 'someone@example.com' },
] as const;
type Kind = (typeof KINDS)[number]['value'];

function one(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v)?.slice(0, 4096) ?? '';
}

export default async function RekorPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('viewer');
  const sp = await searchParams;
  const choices = trustRootChoices();
  const kindParam = one(sp.kind);
  const kind: Kind = KINDS.some((k) => k.value === kindParam) ? (kindParam as Kind) : 'sha256';
  const value = one(sp.q).trim();
  const trustRoot = one(sp.trustRoot) || (choices.some((c) => c.name === 'sandbox') ? 'sandbox' : choices[0]!.name);

  let result: ExploreResult | null = null;
  let error: string | null = null;
  if (value) {
    try {
      result = await exploreRekor(trustRoot, parseExploreQuery({ [kind]: value }));
    } catch (e) {
      if (!isSigscopeError(e)) throw e;
      error = e.message;
    }
  }

  return (
    <div className="space-y-6">
      <header className="space-y-1">
        <h1 className="text-xl font-semibold">Rekor explorer</h1>
        <p className="max-w-3xl text-sm text-slate-600">
          Look up transparency-log entries of a trusted root&apos;s Rekor logs. Every entry is proven here: its inclusion proof is checked against a checkpoint signed by the log&apos;s key from the trusted root, and its SET is verified. Search by hash or email uses Rekor&apos;s index, which may be incomplete; Rekor v2 logs have none and can only be looked up by log index.
        </p>
      </header>

      <form method="get" action="/rekor" role="search" aria-label="Search the transparency log" className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-[max-content_1fr_max-content_max-content]">
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
          Search by
          <select name="kind" defaultValue={kind} className="rounded-md border border-slate-300 px-2 py-1.5 font-normal text-slate-900">
            {KINDS.map((k) => <option key={k.value} value={k.value}>{k.label}</option>)}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
          Value
          <input name="q" defaultValue={value} required maxLength={4096} placeholder="log index, UUID, sha256:… or email" className="rounded-md border border-slate-300 px-2 py-1.5 font-mono font-normal text-slate-900 placeholder:text-slate-400" />
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
          Trusted root
          <select name="trustRoot" defaultValue={trustRoot} className="rounded-md border border-slate-300 px-2 py-1.5 font-normal text-slate-900">
            {choices.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
            {!choices.some((c) => c.name === trustRoot) && <option value={trustRoot}>{trustRoot}</option>}
          </select>
        </label>
        <div className="flex items-end">
          <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">Search</button>
        </div>
      </form>

      {error && <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">{error}</div>}

      {result && (
        <section aria-labelledby="results" className="space-y-3">
          <h2 id="results" className="text-lg font-semibold">
            {result.entries.length} entr{result.entries.length === 1 ? 'y' : 'ies'}
            <span className="ml-2 text-sm font-normal text-slate-500">in {result.logs.map((l) => `${l.baseUrl} (${l.version})`).join(', ') || 'no log'}</span>
          </h2>
          {result.messages.map((m, i) => (
            <p key={i} role="note" className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">{m}</p>
          ))}
          {result.truncated > 0 && <p className="text-sm text-slate-600">{result.truncated} more entries matched; only the first {result.entries.length} were fetched and proven. Narrow the search.</p>}
          {result.entries.length > 0 && (
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
              <table className="w-full text-left text-sm">
                <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-500">
                  <tr>
                    <th className="px-3 py-2 font-medium">Proof</th>
                    <th className="px-3 py-2 font-medium">Log index</th>
                    <th className="px-3 py-2 font-medium">Kind</th>
                    <th className="px-3 py-2 font-medium">Artifact hash</th>
                    <th className="px-3 py-2 font-medium">Signer</th>
                    <th className="px-3 py-2 font-medium">Integrated</th>
                    <th className="px-3 py-2 font-medium">Images</th>
                  </tr>
                </thead>
                <tbody>
                  {result.entries.map((e) => {
                    const hash = artifactHashOf(e);
                    return (
                      <tr key={`${e.logUrl}#${e.logIndex}`} data-testid="rekor-result" className="border-b border-slate-100 last:border-0">
                        <td className="px-3 py-2"><ProofBadge status={e.status} /></td>
                        <td className="px-3 py-2 font-mono text-xs">
                          <Link href={rekorEntryHref(e, result.trustRoot.name)}>{e.logIndex}</Link>
                        </td>
                        <td className="px-3 py-2 text-xs">{e.decoded.kind ?? 'unknown'} {e.decoded.apiVersion ?? ''}</td>
                        <td className="px-3 py-2">{hash ? <Digest value={hash} /> : <span className="text-xs text-slate-500">—</span>}</td>
                        <td className="px-3 py-2 font-mono text-xs break-all">{signerOf(e) ?? '—'}</td>
                        <td className="px-3 py-2 text-xs whitespace-nowrap">{e.decoded.integratedTime ? formatTime(new Date(e.decoded.integratedTime * 1000)) : '—'}</td>
                        <td className="px-3 py-2 text-xs">{e.signatures.length === 0 ? '—' : [...new Set(e.signatures.map((s) => `${s.image.repository}`))].join(', ')}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
