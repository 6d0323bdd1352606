'use client';
/**
 * The explorer's one search box. Text queries are a GET of /rekor (shareable,
 * paginated, rendered on the server); a pasted bundle (JSON) is POSTed to
 * /api/rekor/search — too large for a URL — and its entries shown here, proven.
 * Enter searches; Shift+Enter adds a line.
 */
import { apiFetch } from '@/components/api-fetch';
import { useMutation } from '@tanstack/react-query';
import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ResultRow } from '@/lib/rekor/rows';
import { ResultsTable } from './results-table';

interface PastedResult {
  understood: string;
  rows: ResultRow[];
  messages: string[];
}

const KINDS = [
  { value: 'auto', label: 'Anything (detected)' },
  { value: 'logIndex', label: 'Log index' },
  { value: 'uuid', label: 'Entry UUID' },
  { value: 'sha256', label: 'Artifact hash' },
  { value: 'email', label: 'Email' },
] as const;

export function SearchBox({ initial, kind, trustRoot, roots }: { initial: string; kind: string; trustRoot: string; roots: string[] }) {
  const form = useRef<HTMLFormElement>(null);
  const [text, setText] = useState(initial);
  const pasted = useMutation({
    mutationFn: async (body: { q: string; trustRoot: string }): Promise<PastedResult> => {
      const res = await apiFetch('/api/rekor/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json()) as PastedResult | { error: { message: string } };
      if (!res.ok || 'error' in json) throw new Error('error' in json ? json.error.message : `server answered ${res.status}`);
      return json;
    },
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    if (!text.trim().startsWith('{')) return; // a plain GET of /rekor
    e.preventDefault();
    const root = (new FormData(e.currentTarget).get('trustRoot') as string | null) ?? trustRoot;
    pasted.mutate({ q: text, trustRoot: root });
  }
  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      form.current?.requestSubmit();
    }
  }
  return (
    <div className="space-y-4">
      <form ref={form} method="get" action="/rekor" role="search" aria-label="Search the transparency log" onSubmit={submit} className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-[1fr_max-content_max-content_max-content]">
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
          Search the log
          <textarea
            name="q"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
            required
            rows={text.includes('\n') || text.length > 120 ? 6 : 2}
            maxLength={512 * 1024}
            placeholder="log index, range N-M, UUID, sha256:…, email or URI identity — or paste a bundle (JSON)"
            className="resize-y rounded-md border border-slate-300 px-2 py-1.5 font-mono text-sm font-normal text-slate-900 placeholder:text-slate-400"
          />
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
          Search by
          <select name="kind" defaultValue={kind} className="rounded-md border border-slate-300 px-2 py-1.5 font-normal text-slate-900">
            {KINDS.map((k) => <option key={k.value} value={k.value}>{k.label}</option>)}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
          Trusted root
          <select name="trustRoot" defaultValue={trustRoot} className="rounded-md border border-slate-300 px-2 py-1.5 font-normal text-slate-900">
            {roots.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <div className="flex items-end">
          <button type="submit" disabled={pasted.isPending} className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-60">
            {pasted.isPending ? 'Proving…' : 'Search'}
          </button>
        </div>
      </form>
      {pasted.isError && <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">{pasted.error.message}</div>}
      {pasted.data && (
        <section aria-labelledby="pasted-results" className="space-y-3">
          <h2 id="pasted-results" className="text-lg font-semibold">
            {pasted.data.rows.length} entr{pasted.data.rows.length === 1 ? 'y' : 'ies'} from the pasted document
            <span className="ml-2 text-sm font-normal text-slate-500" data-testid="understood">{pasted.data.understood}</span>
          </h2>
          <p className="text-sm text-slate-600">Proven offline with the trusted root&apos;s log keys: the bundle&apos;s inclusion proof against its signed checkpoint, and its SET.</p>
          {pasted.data.messages.map((m, i) => <p key={i} role="note" className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">{m}</p>)}
          {pasted.data.rows.length > 0 && <ResultsTable rows={pasted.data.rows} />}
        </section>
      )}
    </div>
  );
}
