'use client';
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6 text-sm text-red-900">
      <h1 className="text-lg font-semibold">This page could not be shown</h1>
      <p className="mt-2">{error.message || 'An unexpected error occurred.'}</p>
      {error.digest && <p className="mt-1 text-xs text-red-700">Reference {error.digest} (see the server log).</p>}
      <button onClick={reset} className="mt-4 rounded-md bg-red-700 px-4 py-2 font-medium text-white hover:bg-red-600">Try again</button>
    </div>
  );
}
