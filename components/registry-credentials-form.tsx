'use client';
/**
 * Registry credentials (admin). The password field is write-only: the server never
 * sends a stored password back, so the list shows host and username only.
 */
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { apiJson } from './api-fetch';

export interface CredentialView {
  host: string;
  username: string;
  updatedAt: string;
}

const field = 'rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-mono';

export function RegistryCredentialsForm({ credentials }: { credentials: CredentialView[] }) {
  const router = useRouter();
  const [host, setHost] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const save = useMutation({
    mutationFn: () => apiJson<CredentialView>('/api/registry-credentials', { method: 'PUT', json: { host, username, password } }),
    onSuccess: () => {
      setHost('');
      setUsername('');
      setPassword('');
      router.refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (h: string) => apiJson('/api/registry-credentials', { method: 'DELETE', json: { host: h } }),
    onSuccess: () => router.refresh(),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <div className="space-y-4">
      {credentials.length === 0 ? (
        <p className="text-sm text-slate-500">No stored credentials. Registries are reached anonymously, or with Docker&apos;s config file (~/.docker/config.json) when it has an entry.</p>
      ) : (
        <table className="w-full text-left text-sm" aria-label="Stored registry credentials">
          <thead className="text-xs uppercase text-slate-500">
            <tr><th className="py-2">Registry host</th><th>Username</th><th>Password</th><th>Updated</th><th /></tr>
          </thead>
          <tbody>
            {credentials.map((c) => (
              <tr key={c.host} className="border-t border-slate-100">
                <td className="py-2 font-mono text-xs">{c.host}</td>
                <td className="font-mono text-xs">{c.username}</td>
                <td className="text-xs text-slate-500">stored encrypted (not shown)</td>
                <td className="text-xs">{c.updatedAt.replace('T', ' ').slice(0, 16)} UTC</td>
                <td className="text-right">
                  <button type="button" onClick={() => remove.mutate(c.host)} disabled={remove.isPending} aria-label={`Delete credentials for ${c.host}`} className="rounded border border-red-300 px-2 py-0.5 text-xs text-red-700 hover:bg-red-50">
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {remove.isError && <p role="alert" className="text-sm text-red-700">{remove.error.message}</p>}
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-label="Save registry credentials">
        <div>
          <label htmlFor="cred-host" className="mb-1 block text-xs font-medium">Registry host</label>
          <input id="cred-host" required maxLength={261} value={host} onChange={(e) => setHost(e.target.value)} placeholder="ghcr.io" className={field} autoComplete="off" />
        </div>
        <div>
          <label htmlFor="cred-username" className="mb-1 block text-xs font-medium">Username</label>
          <input id="cred-username" required maxLength={256} value={username} onChange={(e) => setUsername(e.target.value)} className={field} autoComplete="off" />
        </div>
        <div>
          <label htmlFor="cred-password" className="mb-1 block text-xs font-medium">Password or token</label>
          <input id="cred-password" type="password" required maxLength={8192} value={password} onChange={(e) => setPassword(e.target.value)} className={field} autoComplete="new-password" />
        </div>
        <button type="submit" disabled={save.isPending} className="rounded-md bg-slate-900 px-4 py-2 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-60">
          {save.isPending ? 'Saving…' : 'Save credentials'}
        </button>
      </form>
      <p aria-live="polite" className="text-sm">
        {save.isSuccess && <span className="text-emerald-700">Saved for {save.data.host}.</span>}
        {save.isError && <span role="alert" className="text-red-700">{save.error.message}</span>}
      </p>
      <p className="text-xs text-slate-500">Sent only to that exact host. Stored with AES-256-GCM; replacing a credential overwrites it.</p>
    </div>
  );
}
