import Link from 'next/link';
import { Digest } from '@/components/digest';
import { EmptyState } from '@/components/empty-state';
import { formatTime, imageName } from '@/components/format';
import { StatusBadge } from '@/components/status-badge';
import { getDb, listImages } from '@/lib/db';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Images' };

export default async function ImagesPage() {
  await requirePage('viewer');
  const images = await listImages(await getDb());
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Images</h1>
      {images.length === 0 ? (
        <EmptyState title="No images yet">
          Images appear once a run resolves them. <Link href="/">Verify an image</Link>.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Images seen by Sigscope</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">Repository</th>
                <th scope="col" className="px-4 py-2">Digest</th>
                <th scope="col" className="px-4 py-2">Last tag</th>
                <th scope="col" className="px-4 py-2">Latest verdict</th>
                <th scope="col" className="px-4 py-2">Runs</th>
                <th scope="col" className="px-4 py-2">Signatures</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {images.map((i) => (
                <tr key={i.id} className="hover:bg-slate-50">
                  <td className="px-4 py-2"><Link href={`/images/${i.id}`}>{imageName(i)}</Link>{i.platforms.length > 0 && <span className="ml-2 text-xs text-slate-500">index · {i.platforms.length} platforms</span>}</td>
                  <td className="px-4 py-2"><Digest value={i.digest} /></td>
                  <td className="px-4 py-2 font-mono text-xs">{i.latestTag?.tag ?? '—'}</td>
                  <td className="px-4 py-2">{i.latestRun ? <Link href={`/runs/${i.latestRun.id}`} className="inline-flex items-center gap-2"><StatusBadge status={i.latestRun.status} /><span className="text-xs text-slate-500">{formatTime(i.latestRun.createdAt)}</span></Link> : '—'}</td>
                  <td className="px-4 py-2">{i.runCount}</td>
                  <td className="px-4 py-2">{i.signatureCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
