'use client';
/** Signing coverage of an organization over time: one point per finished scan. */
import Link from 'next/link';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface CoveragePointJson {
  scanId: string;
  at: string;
  images: number;
  verified: number;
  coverage: number;
}

export function CoverageChart({ points }: { points: CoveragePointJson[] }) {
  if (points.length === 0) return <p className="text-sm text-slate-600">No finished scan of this organization yet: coverage over time appears after the first one.</p>;
  const data = points.map((p) => ({ ...p, pct: Math.round(p.coverage * 1000) / 10, label: p.at.slice(0, 16).replace('T', ' ') }));
  return (
    <div>
      <div className="h-56 w-full" aria-label="Coverage over time chart" role="img">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey="label" tick={{ fontSize: 11 }} />
            <YAxis domain={[0, 100]} unit="%" tick={{ fontSize: 11 }} width={48} />
            <Tooltip formatter={(v) => [`${String(v)} %`, 'verified']} />
            <Line type="monotone" dataKey="pct" stroke="#059669" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <table className="sr-only">
        <caption>Coverage per scan</caption>
        <tbody>
          {data.map((d) => (
            <tr key={d.scanId}>
              <td>{d.label}</td>
              <td>{d.pct} %</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-1 text-xs text-slate-500">
        Latest: <Link href={`/scans/${data[data.length - 1]!.scanId}`}>{data[data.length - 1]!.verified} of {data[data.length - 1]!.images} images verified</Link>
      </p>
    </div>
  );
}
