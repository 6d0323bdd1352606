'use client';
/** Admin: create accounts, change roles, disable/enable, reset passwords. */
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { apiJson } from './api-fetch';

export interface UserView {
  id: string;
  username: string;
  role: string;
  createdAt: string;
  disabledAt: string | null;
}

const ROLES = ['viewer', 'auditor', 'admin'] as const;
const field = 'rounded-md border border-slate-300 bg-white px-3 py-2 text-sm';

export function UsersAdmin({ users, me }: { users: UserView[]; me: string }) {
  const router = useRouter();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('viewer');
  const create = useMutation({
    mutationFn: () => apiJson('/api/users', { method: 'POST', json: { username, password, role } }),
    onSuccess: () => {
      setUsername('');
      setPassword('');
      router.refresh();
    },
  });
  const change = useMutation({
    mutationFn: (v: { id: string; body: Record<string, unknown> }) => apiJson(`/api/users/${v.id}`, { method: 'PATCH', json: v.body }),
    onSuccess: () => router.refresh(),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <div className="space-y-6">
      <table className="w-full text-left text-sm" aria-label="Users">
        <thead className="text-xs uppercase text-slate-500">
          <tr><th className="py-2">Username</th><th>Role</th><th>Created</th><th>Status</th><th /></tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} className="border-t border-slate-100" data-testid={`user-${u.username}`}>
              <td className="py-2 font-medium">{u.username}{u.username === me && <span className="ml-1 text-xs text-slate-500">(you)</span>}</td>
              <td>
                <label className="sr-only" htmlFor={`role-${u.id}`}>Role of {u.username}</label>
                <select id={`role-${u.id}`} value={u.role} disabled={change.isPending} onChange={(e) => change.mutate({ id: u.id, body: { role: e.target.value } })} className="rounded border border-slate-300 px-2 py-1 text-sm">
                  {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                </select>
              </td>
              <td>{u.createdAt.slice(0, 10)}</td>
              <td>{u.disabledAt ? <span className="text-red-700">disabled</span> : <span className="text-emerald-700">active</span>}</td>
              <td className="space-x-2 text-right">
                <button type="button" disabled={change.isPending} onClick={() => change.mutate({ id: u.id, body: { disabled: !u.disabledAt } })} className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50">
                  {u.disabledAt ? 'Enable' : 'Disable'}
                </button>
                <button
                  type="button"
                  disabled={change.isPending}
                  onClick={() => {
                    const pw = window.prompt(`New password for ${u.username} (at least 10 characters). Their sessions end.`);
                    if (pw) change.mutate({ id: u.id, body: { password: pw } });
                  }}
                  className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50"
                >
                  Reset password
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {change.isError && <p role="alert" className="text-sm text-red-700">{change.error.message}</p>}
      <form onSubmit={submit} className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-label="Create a user">
        <h2 className="text-lg font-semibold">Add a user</h2>
        <div className="flex flex-wrap items-end gap-3">
          <div>
            <label htmlFor="new-username" className="mb-1 block text-sm font-medium">Username</label>
            <input id="new-username" required maxLength={64} value={username} onChange={(e) => setUsername(e.target.value)} className={field} autoComplete="off" />
          </div>
          <div>
            <label htmlFor="new-password" className="mb-1 block text-sm font-medium">Initial password</label>
            <input id="new-password" type="password" required minLength={10} maxLength={1024} value={password} onChange={(e) => setPassword(e.target.value)} className={field} autoComplete="new-password" />
          </div>
          <div>
            <label htmlFor="new-role" className="mb-1 block text-sm font-medium">Role</label>
            <select id="new-role" value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])} className={field}>
              {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </div>
          <button type="submit" disabled={create.isPending} className="rounded-md bg-slate-900 px-4 py-2 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-60">
            {create.isPending ? 'Creating…' : 'Create user'}
          </button>
        </div>
        <p aria-live="polite" className="text-sm">
          {create.isSuccess && <span className="text-emerald-700">Created.</span>}
          {create.isError && <span role="alert" className="text-red-700">{create.error.message}</span>}
        </p>
      </form>
    </div>
  );
}
