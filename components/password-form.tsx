'use client';
/** Change your own password (PUT /api/account/password); other sessions end. */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiJson } from './api-fetch';

const field = 'w-64 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm';

export function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const change = useMutation({
    mutationFn: () => {
      if (next !== again) throw new Error('the two new passwords differ');
      return apiJson<{ changed: boolean }>('/api/account/password', { method: 'PUT', json: { current, next } });
    },
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setAgain('');
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    change.mutate();
  }
  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Change your password">
      <div className="flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="pw-current" className="mb-1 block text-sm font-medium">Current password</label>
          <input id="pw-current" type="password" required autoComplete="current-password" maxLength={1024} value={current} onChange={(e) => setCurrent(e.target.value)} className={field} />
        </div>
        <div>
          <label htmlFor="pw-next" className="mb-1 block text-sm font-medium">New password</label>
          <input id="pw-next" type="password" required minLength={10} autoComplete="new-password" maxLength={1024} value={next} onChange={(e) => setNext(e.target.value)} className={field} />
        </div>
        <div>
          <label htmlFor="pw-again" className="mb-1 block text-sm font-medium">New password again</label>
          <input id="pw-again" type="password" required autoComplete="new-password" maxLength={1024} value={again} onChange={(e) => setAgain(e.target.value)} className={field} />
        </div>
        <button type="submit" disabled={change.isPending} className="rounded-md bg-slate-900 px-4 py-2 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-60">
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
      </div>
      <p aria-live="polite" className="text-sm">
        {change.isSuccess && <span className="text-emerald-700">Password changed; your other sessions were signed out.</span>}
        {change.isError && <span role="alert" className="text-red-700">{change.error.message}</span>}
      </p>
    </form>
  );
}
