'use client';
/** Signs out (DELETE /api/session revokes the session server-side) and goes to the sign-in page. */
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiFetch } from './api-fetch';

export function SignOutButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        await apiFetch('/api/session', { method: 'DELETE' }).catch(() => undefined);
        router.replace('/sign-in');
        router.refresh();
      }}
      className="rounded-md border border-slate-300 px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
    >
      {busy ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
