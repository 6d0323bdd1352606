/** The explorer's result table (server and client): one row per proven (or not) entry, newest first. */
import Link from 'next/link';
import { Digest } from '@/components/digest';
import { formatTime } from '@/components/format';
import { ProofBadge } from '@/components/rekor-proof-badge';
import type { ResultRow } from '@/lib/rekor/rows';

export function ResultsTable({ rows, showLog }: { rows: ResultRow[]; showLog?: boolean }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-500">
          <tr>
            <th className="px-3 py-2 font-medium">Proof</th>
            <th className="px-3 py-2 font-medium">Integrated</th>
            <th className="px-3 py-2 font-medium">Log index</th>
            <th className="px-3 py-2 font-medium">Kind</th>
            <th className="px-3 py-2 font-medium">Artifact hash</th>
            <th className="px-3 py-2 font-medium">Signer</th>
            <th className="px-3 py-2 font-medium">Images</th>
            {showLog && <th className="px-3 py-2 font-medium">Log</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-testid="rekor-result" data-log-index={r.logIndex} className="border-b border-slate-100 last:border-0">
              <td className="px-3 py-2"><ProofBadge status={r.status} /></td>
              <td className="px-3 py-2 text-xs whitespace-nowrap" data-testid="integrated-time">{r.integratedTime ? formatTime(new Date(r.integratedTime * 1000)) : '—'}</td>
              <td className="px-3 py-2 font-mono text-xs"><Link href={r.href}>{r.logIndex}</Link></td>
              <td className="px-3 py-2 text-xs">{r.kind}</td>
              <td className="px-3 py-2">{r.artifactHash ? <Digest value={r.artifactHash} /> : <span className="text-xs text-slate-500">—</span>}</td>
              <td className="px-3 py-2 font-mono text-xs break-all">{r.signer ?? '—'}</td>
              <td className="px-3 py-2 text-xs">
                {r.images.length === 0 ? '—' : r.images.map((i) => <Link key={i.id} href={`/images/${i.id}`} className="block font-mono">{i.label}</Link>)}
              </td>
              {showLog && <td className="px-3 py-2 font-mono text-xs">{r.logUrl}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
