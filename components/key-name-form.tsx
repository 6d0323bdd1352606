'use client';
/** Names a signing key; the name is shown wherever the key appears. */
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { apiFetch } from './api-fetch';

export function KeyNameForm({ fingerprint, current }: { fingerprint: string; current?: string }) {
  const router = useRouter();
  const [name, setName] = useState(current ?? '');
  const save = useMutation({
    mutationFn: async (value: string) => {
      const res = await apiFetch('/api/key-names', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fingerprint, name: value }) });
      const json = (await res.json()) as { name: string | null } | { error: { message: string } };
      if (!res.ok || 'error' in json) throw new Error('error' in json ? json.error.message : `server answered ${res.status}`);
      return json;
    },
    onSuccess: () => router.refresh(),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate(name);
  }
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-3 text-sm" aria-label="Name this key">
      <div>
        <label htmlFor="key-name" className="mb-1 block text-xs font-medium text-slate-600">
          Name this key
        </label>
        <input id="key-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={64} placeholder="release key 2026" className="rounded-md border border-slate-300 px-3 py-1.5" />
      </div>
      <button type="submit" disabled={save.isPending} className="rounded-md bg-slate-900 px-4 py-1.5 font-medium text-white hover:bg-slate-700 disabled:opacity-60">
        {save.isPending ? 'Saving…' : 'Save name'}
      </button>
      <span aria-live="polite">
        {save.isSuccess && <span className="text-emerald-700">Saved.</span>}
        {save.isError && <span role="alert" className="text-red-700">{save.error.message}</span>}
      </span>
    </form>
  );
}
