'use client';
/** Username + password → POST /api/session (or /api/setup for the first admin), then into the dashboard. */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiJson } from './api-fetch';

const input = 'w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-200';

export function SignInForm({ mode, next }: { mode: 'sign-in' | 'setup'; next?: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const submit = useMutation({
    mutationFn: () => {
      if (mode === 'setup' && password !== confirm) throw new Error('the two passwords differ');
      return apiJson<{ user: { username: string } }>(mode === 'setup' ? '/api/setup' : '/api/session', { method: 'POST', json: { username, password } });
    },
    onSuccess: () => {
      // A full load so every server component sees the new session.
      window.location.assign(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
    },
  });
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    submit.mutate();
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" aria-label={mode === 'setup' ? 'Create the first admin' : 'Sign in'}>
      <div>
        <label htmlFor="username" className="mb-1 block text-sm font-medium">Username</label>
        <input id="username" name="username" autoComplete="username" required autoFocus maxLength={64} className={input} value={username} onChange={(e) => setUsername(e.target.value)} />
      </div>
      <div>
        <label htmlFor="password" className="mb-1 block text-sm font-medium">Password</label>
        <input id="password" name="password" type="password" autoComplete={mode === 'setup' ? 'new-password' : 'current-password'} required maxLength={1024} className={input} value={password} onChange={(e) => setPassword(e.target.value)} />
        {mode === 'setup' && <p className="mt-1 text-xs text-slate-500">At least 10 characters.</p>}
      </div>
      {mode === 'setup' && (
        <div>
          <label htmlFor="confirm" className="mb-1 block text-sm font-medium">Password again</label>
          <input id="confirm" name="confirm" type="password" autoComplete="new-password" required maxLength={1024} className={input} value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        </div>
      )}
      <button type="submit" disabled={submit.isPending} className="w-full rounded-md bg-slate-900 px-5 py-2 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-60">
        {submit.isPending ? (mode === 'setup' ? 'Creating…' : 'Signing in…') : mode === 'setup' ? 'Create admin and sign in' : 'Sign in'}
      </button>
      <p aria-live="polite" className="min-h-5 text-sm">
        {submit.isError && <span role="alert" className="text-red-700">{submit.error.message}</span>}
      </p>
    </form>
  );
}
