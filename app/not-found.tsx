import Link from 'next/link';
export default function NotFound() {
  return (
    <div className="py-16 text-center">
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-slate-600">No such run or image. Runs are never deleted, so check the link.</p>
      <p className="mt-4"><Link href="/runs">All runs</Link></p>
    </div>
  );
}
