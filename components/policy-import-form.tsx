'use client';
/** Import a policy: a name and ClusterImagePolicy-like YAML; errors come back with line numbers. */
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { apiFetch } from './api-fetch';

interface Issue {
  path: string;
  message: string;
  line?: number;
}

interface ImportResponse {
  policyId: string;
  name: string;
  versionId: string;
  version: number;
  hash: string;
  created: boolean;
}

class ImportError extends Error {
  constructor(
    message: string,
    readonly issues: Issue[],
  ) {
    super(message);
  }
}

async function postPolicy(body: { name: string; yaml: string }): Promise<ImportResponse> {
  const res = await apiFetch('/api/policies', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json().catch(() => null)) as (ImportResponse & { error?: { message: string; issues?: Issue[] } }) | null;
  if (!res.ok || !json || json.error) {
    throw new ImportError(json?.error?.message ?? `the server answered ${res.status}`, json?.error?.issues ?? []);
  }
  return json;
}

const input = 'w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-200';
const label = 'block text-sm font-medium text-slate-700 mb-1';

export function PolicyImportForm({ example, initialName = '' }: { example: string; initialName?: string }) {
  const router = useRouter();
  const [name, setName] = useState(initialName);
  const [yaml, setYaml] = useState('');
  const [fileError, setFileError] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const mutation = useMutation({ mutationFn: postPolicy, onSuccess: () => router.refresh() });

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate({ name: name.trim(), yaml });
  }

  /** Puts the caret on a line of the YAML (1-based) and selects it. */
  function goToLine(line: number) {
    const el = area.current;
    if (!el) return;
    const lines = yaml.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    const end = start + (lines[line - 1]?.length ?? 0);
    el.focus();
    el.setSelectionRange(start, end);
    // Scroll the selected line into view (approximate line height).
    el.scrollTop = Math.max(0, (line - 4) * 18);
  }

  async function loadFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    mutation.reset();
    if (file.size > 256 * 1024) {
      setFileError(`${file.name} is ${file.size} bytes, above the 256 KiB limit`);
      return;
    }
    setFileError(null);
    setYaml(await file.text());
    if (!name) setName(file.name.replace(/\.(ya?ml)$/i, '').replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64));
  }

  const error = mutation.error instanceof ImportError ? mutation.error : null;
  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" aria-label="Import a policy">
      <div className="grid gap-4 md:grid-cols-[minmax(0,20rem)_1fr] md:items-end">
        <div>
          <label htmlFor="policy-name" className={label}>
            Name
          </label>
          <input id="policy-name" className={`${input} font-mono`} value={name} onChange={(e) => setName(e.target.value)} placeholder="release-policy" required maxLength={64} pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" title="letters, digits, '.', '_' or '-'" spellCheck={false} autoComplete="off" />
        </div>
        <p className="text-xs text-slate-500">Importing under an existing name adds a version when the content changed; earlier versions and the runs that used them stay as they were.</p>
      </div>
      <div>
        <div className="mb-1 flex items-end justify-between gap-4">
          <label htmlFor="policy-yaml" className="block text-sm font-medium text-slate-700">
            Policy YAML (ClusterImagePolicy, one or more <code>---</code> documents)
          </label>
          <div className="flex items-center gap-3 text-xs">
            <button type="button" className="text-sky-700 hover:underline" onClick={() => setYaml(example)}>
              Insert an example
            </button>
            <label className="cursor-pointer text-sky-700 hover:underline">
              Load a file
              <input type="file" accept=".yaml,.yml,text/yaml,application/yaml" className="sr-only" onChange={loadFile} />
            </label>
          </div>
        </div>
        <textarea
          id="policy-yaml"
          ref={area}
          className={`${input} h-80 font-mono text-xs leading-[18px]`}
          value={yaml}
          onChange={(e) => setYaml(e.target.value)}
          placeholder={'apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\n…'}
          spellCheck={false}
          required
        />
      </div>
      <div className="flex items-center gap-4">
        <button type="submit" disabled={mutation.isPending} className="rounded-md bg-slate-900 px-5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-slate-700 disabled:cursor-wait disabled:opacity-60">
          {mutation.isPending ? 'Importing…' : 'Import'}
        </button>
        {mutation.isSuccess && (
          <p role="status" className="text-sm text-emerald-800" data-testid="import-result">
            {mutation.data.created ? `Imported ${mutation.data.name} version ${mutation.data.version}.` : `${mutation.data.name} unchanged: version ${mutation.data.version} already has this content.`}{' '}
            <Link href={`/policies/${mutation.data.policyId}`}>Open it</Link>
          </p>
        )}
      </div>
      {fileError && (
        <p role="alert" className="text-sm text-red-800">
          {fileError}
        </p>
      )}
      {mutation.isError && (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900" data-testid="import-errors">
          <p className="font-semibold">{error?.issues.length ? `The policy was not imported: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}` : 'The policy was not imported'}</p>
          {error?.issues.length ? (
            <ul className="mt-2 space-y-1 font-mono text-xs">
              {error.issues.map((i, n) => (
                <li key={n}>
                  {i.line ? (
                    <button type="button" className="mr-2 rounded bg-red-100 px-1.5 py-0.5 font-semibold text-red-900 hover:bg-red-200" onClick={() => goToLine(i.line!)} title="Select this line in the editor">
                      line {i.line}
                    </button>
                  ) : null}
                  {i.path && <span className="text-red-800">{i.path}: </span>}
                  <span>{i.message}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-1">{mutation.error.message}</p>
          )}
        </div>
      )}
    </form>
  );
}
