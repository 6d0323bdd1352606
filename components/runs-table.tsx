import Link from 'next/link';
import { Digest } from './digest';
import { formatTime, imageName } from './format';
import { StatusBadge } from './status-badge';

export interface RunRow {
  id: string;
  createdAt: Date | string;
  input: string;
  status: string;
  summary: string;
  source: string;
  image: { id: string; registry: string; repository: string; digest: string } | null;
}

export function RunsTable({ runs, caption }: { runs: RunRow[]; caption?: string }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-2">When</th>
            <th scope="col" className="px-4 py-2">Verdict</th>
            <th scope="col" className="px-4 py-2">Reference</th>
            <th scope="col" className="px-4 py-2">Summary</th>
            <th scope="col" className="px-4 py-2">From</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {runs.map((r) => (
            <tr key={r.id} className="align-top hover:bg-slate-50">
              <td className="whitespace-nowrap px-4 py-2 text-slate-600">
                <Link href={`/runs/${r.id}`}>{formatTime(r.createdAt)}</Link>
              </td>
              <td className="px-4 py-2">
                <StatusBadge status={r.status} />
              </td>
              <td className="px-4 py-2">
                <div className="font-mono text-xs break-all">{r.input}</div>
                {r.image && (
                  <div className="mt-1 text-xs">
                    <Link href={`/images/${r.image.id}`}>{imageName(r.image)}</Link> <Digest value={r.image.digest} />
                  </div>
                )}
              </td>
              <td className="max-w-md px-4 py-2 text-slate-700 [overflow-wrap:anywhere]">{r.summary}</td>
              <td className="px-4 py-2 text-xs text-slate-500">{r.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
