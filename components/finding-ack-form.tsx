'use client';
/** Acknowledge (or reopen) a finding with a note: POST /api/findings/ack, then re-render the page. */
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { apiFetch } from './api-fetch';

export function FindingAckForm({ findingKey, status }: { findingKey: string; status: 'open' | 'acknowledged' }) {
  const router = useRouter();
  const [note, setNote] = useState('');
  const action = status === 'open' ? 'acknowledged' : 'reopened';
  const save = useMutation({
    mutationFn: async () => {
      const res = await apiFetch('/api/findings/ack', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: findingKey, action, note }),
      });
      const json = (await res.json().catch(() => null)) as { status?: string; error?: { message: string } } | null;
      if (!res.ok || !json || json.error) throw new Error(json?.error?.message ?? `the server answered ${res.status}`);
      return json;
    },
    onSuccess: () => {
      setNote('');
      router.refresh();
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <form onSubmit={submit} className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-label={status === 'open' ? 'Acknowledge this finding' : 'Reopen this finding'}>
      <label htmlFor="ack-note" className="block text-sm font-medium text-slate-700">
        {status === 'open' ? 'Why is this expected? (kept with the acknowledgement)' : 'Why reopen it?'}
      </label>
      <textarea
        id="ack-note"
        name="note"
        required
        maxLength={2000}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        className="h-24 w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-200"
        placeholder={status === 'open' ? 'e.g. publish.yml replaced release.yml in PR #123' : 'e.g. the migration was rolled back'}
      />
      <div className="flex items-center gap-4">
        <button
          type="submit"
          disabled={save.isPending || note.trim() === ''}
          className="rounded-md bg-slate-900 px-4 py-2 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-60"
        >
          {save.isPending ? 'Saving…' : status === 'open' ? 'Acknowledge' : 'Reopen'}
        </button>
        <span aria-live="polite" className="text-sm">
          {save.isError && <span role="alert" className="text-red-700">{save.error.message}</span>}
        </span>
      </div>
    </form>
  );
}
