'use client';
/** The signed-in user's API tokens: create (shown once), list with prefix and last use, revoke. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiJson } from './api-fetch';
import { CopyButton } from './copy-button';

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const when = (iso: string | null) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—');

export function TokensPanel({ initial }: { initial: TokenView[] }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: async () => (await apiJson<{ tokens: TokenView[] }>('/api/tokens')).tokens, initialData: initial });
  const create = useMutation({
    mutationFn: () => apiJson<TokenView & { token: string }>('/api/tokens', { method: 'POST', json: { name } }),
    onSuccess: (t) => {
      setShown({ name: t.name, token: t.token });
      setName('');
      const { token: _shownOnce, ...row } = t;
      qc.setQueryData<TokenView[]>(['tokens'], (old) => [row, ...(old ?? [])]);
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => apiJson<TokenView>(`/api/tokens/${id}`, { method: 'DELETE' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['tokens'] }),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-label="Create an API token">
        <div>
          <label htmlFor="token-name" className="mb-1 block text-sm font-medium">Token name</label>
          <input id="token-name" required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} placeholder="CI pipeline" className="w-64 rounded-md border border-slate-300 px-3 py-2 text-sm" />
        </div>
        <button type="submit" disabled={create.isPending} className="rounded-md bg-slate-900 px-4 py-2 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-60">
          {create.isPending ? 'Creating…' : 'Create token'}
        </button>
        {create.isError && <span role="alert" className="text-sm text-red-700">{create.error.message}</span>}
      </form>
      {shown && (
        <div role="status" className="rounded-md border border-amber-300 bg-amber-50 p-4 text-sm">
          <p className="font-medium">Token “{shown.name}” — copy it now; Sigscope keeps only its hash and cannot show it again.</p>
          <div className="mt-2 flex items-center gap-2">
            <code data-testid="new-token" className="rounded bg-white px-2 py-1 font-mono text-xs break-all">{shown.token}</code>
            <CopyButton text={shown.token} />
          </div>
          <p className="mt-2 text-xs text-slate-600">Use it as <code>Authorization: Bearer {shown.token.slice(0, 12)}…</code></p>
        </div>
      )}
      {tokens.data.length === 0 ? (
        <p className="text-sm text-slate-500">No API tokens yet. Create one for the CLI or for automation.</p>
      ) : (
        <table className="w-full text-left text-sm" aria-label="API tokens">
          <thead className="text-xs uppercase text-slate-500">
            <tr><th className="py-2">Name</th><th>Prefix</th><th>Created</th><th>Last used</th><th>Status</th><th /></tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id} className="border-t border-slate-100">
                <td className="py-2">{t.name}</td>
                <td className="font-mono text-xs">{t.prefix}…</td>
                <td>{when(t.createdAt)}</td>
                <td>{when(t.lastUsedAt)}</td>
                <td>{t.revokedAt ? <span className="text-slate-500">revoked {when(t.revokedAt)}</span> : <span className="text-emerald-700">active</span>}</td>
                <td className="text-right">
                  {!t.revokedAt && (
                    <button type="button" onClick={() => revoke.mutate(t.id)} disabled={revoke.isPending} className="rounded border border-red-300 px-2 py-0.5 text-xs text-red-700 hover:bg-red-50" aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoke.isError && <p role="alert" className="text-sm text-red-700">{revoke.error.message}</p>}
    </div>
  );
}
