export default function Loading() {
  return (
    <div role="status" className="flex items-center gap-3 py-16 text-sm text-slate-600">
      <span className="h-4 w-4 animate-spin rounded-full border-2 border-slate-500 border-t-transparent" aria-hidden />
      Loading…
    </div>
  );
}
