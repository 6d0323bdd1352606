'use client';
/** Choose a scope and a policy, preview what the report covers, generate it and download it. */
import { apiFetch } from './api-fetch';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { SCOPE_KINDS, SCOPE_KIND_LABEL, type ReportFormat, type ScopeKind } from '@/lib/report/types';

interface Summary {
  total: number;
  verified: number;
  signedUnchecked: number;
  failed: number;
  unsigned: number;
  errors: number;
  coveragePercent: number;
}
interface Preview {
  label: string;
  policy: { name: string; version: number } | null;
  summary: Summary;
  repositories: number;
}
interface Generated {
  id: string;
  fileName: string;
  sha256: string;
  size: number;
  signed: boolean;
  format: ReportFormat;
}

const PLACEHOLDER: Record<ScopeKind, string> = {
  image: 'registry/repository:tag or registry/repository@sha256:…',
  repository: 'registry/repository',
  organization: 'registry/organization (a repository prefix)',
  scan: 'scan id',
  identity: 'certificate subject, identity key (kl.…) or sha256:<key fingerprint>',
  window: '2026-01-01..2026-02-01',
};

const FORMATS: Array<{ value: ReportFormat; label: string; hint: string }> = [
  { value: 'csv', label: 'CSV', hint: 'one line per image, safe to open in a spreadsheet' },
  { value: 'json', label: 'JSON', hint: 'schemas/report.schema.json' },
  { value: 'pdf', label: 'PDF', hint: 'summary, coverage chart and table' },
  { value: 'evidence', label: 'Evidence archive', hint: 'tar.gz with signatures, certificates, Rekor entries; re-verifies offline' },
];

class ApiError extends Error {}

async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await apiFetch(url, init);
  const json = (await res.json().catch(() => null)) as (T & { error?: { message: string } }) | null;
  if (!res.ok || !json || json.error) throw new ApiError(json?.error?.message ?? `the server answered ${res.status}`);
  return json;
}

const input = 'w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-200';
const label = 'block text-sm font-medium text-slate-700 mb-1';

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function ReportForm(props: { policies: string[]; initial: { kind: ScopeKind; value: string; issuer?: string; policy?: string }; signingAvailable: boolean }) {
  const router = useRouter();
  const [kind, setKind] = useState<ScopeKind>(props.initial.kind);
  const [value, setValue] = useState(props.initial.value);
  const [issuer, setIssuer] = useState(props.initial.issuer ?? '');
  const [policy, setPolicy] = useState(props.initial.policy ?? '');
  const [format, setFormat] = useState<ReportFormat>('pdf');
  const [sign, setSign] = useState(false);
  // The preview follows the form, a moment after typing stops.
  const [debounced, setDebounced] = useState({ kind, value, issuer, policy });
  useEffect(() => {
    const t = setTimeout(() => setDebounced({ kind, value, issuer, policy }), 350);
    return () => clearTimeout(t);
  }, [kind, value, issuer, policy]);

  const previewParams = new URLSearchParams({ kind: debounced.kind, value: debounced.value, ...(debounced.issuer && debounced.kind === 'identity' ? { issuer: debounced.issuer } : {}), ...(debounced.policy ? { policy: debounced.policy } : {}) });
  const preview = useQuery({
    queryKey: ['report-preview', previewParams.toString()],
    queryFn: () => api<Preview>(`/api/reports/preview?${previewParams.toString()}`),
    enabled: debounced.value.trim() !== '' || debounced.kind === 'organization',
    retry: false,
  });
  const generate = useMutation({
    mutationFn: () =>
      api<{ report: Generated }>('/api/reports', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind, value, ...(kind === 'identity' && issuer ? { issuer } : {}), ...(policy ? { policy } : {}), format, sign }),
      }),
    onSuccess: () => router.refresh(),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    generate.mutate();
  }

  const s = preview.data?.summary;
  const done = generate.data?.report;
  return (
    <form onSubmit={submit} className="space-y-5 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" aria-label="Generate a report">
      <div className="grid gap-4 md:grid-cols-[15rem_1fr]">
        <div>
          <label htmlFor="scope-kind" className={label}>
            Scope
          </label>
          <select id="scope-kind" className={input} value={kind} onChange={(e) => setKind(e.target.value as ScopeKind)}>
            {SCOPE_KINDS.map((k) => (
              <option key={k} value={k}>
                {SCOPE_KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="scope-value" className={label}>
            {SCOPE_KIND_LABEL[kind]}
          </label>
          <input id="scope-value" className={`${input} font-mono`} value={value} onChange={(e) => setValue(e.target.value)} placeholder={PLACEHOLDER[kind]} spellCheck={false} autoComplete="off" maxLength={4096} />
        </div>
      </div>
      {kind === 'identity' && (
        <div className="md:ml-[16rem]">
          <label htmlFor="scope-issuer" className={label}>
            OIDC issuer <span className="font-normal text-slate-500">(for a certificate subject)</span>
          </label>
          <input id="scope-issuer" className={`${input} font-mono`} value={issuer} onChange={(e) => setIssuer(e.target.value)} placeholder="https://token.actions.githubusercontent.com" spellCheck={false} autoComplete="off" />
        </div>
      )}
      <div className="grid gap-4 md:grid-cols-[15rem_1fr]">
        <div>
          <label htmlFor="report-policy" className={label}>
            Policy
          </label>
          <select id="report-policy" className={input} value={policy} onChange={(e) => setPolicy(e.target.value)}>
            <option value="">Latest run, any policy</option>
            {props.policies.map((p) => (
              <option key={p} value={p}>
                {p} (latest version)
              </option>
            ))}
          </select>
        </div>
        <fieldset>
          <legend className={label}>Format</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {FORMATS.map((f) => (
              <label key={f.value} className={`flex cursor-pointer items-start gap-2 rounded-md border px-3 py-2 text-sm ${format === f.value ? 'border-sky-500 bg-sky-50' : 'border-slate-200'}`}>
                <input type="radio" name="format" value={f.value} checked={format === f.value} onChange={() => setFormat(f.value)} className="mt-1" />
                <span>
                  <span className="font-medium">{f.label}</span>
                  <span className="block text-xs text-slate-500">{f.hint}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
      </div>

      <section aria-label="Preview" aria-live="polite" className="rounded-md bg-slate-50 px-4 py-3 text-sm" data-testid="report-preview">
        {preview.isFetching && !s && <p className="text-slate-500">Counting stored runs…</p>}
        {preview.error && <p className="text-red-700">{preview.error.message}</p>}
        {!preview.error && s && (
          <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1">
            <span>
              <strong>{s.total}</strong> image{s.total === 1 ? '' : 's'} in <span className="font-mono">{preview.data!.label}</span>
              {preview.data!.policy ? ` under ${preview.data!.policy.name} v${preview.data!.policy.version}` : ''}
            </span>
            <span className="text-emerald-700">{s.verified} verified</span>
            <span className="text-red-700">{s.failed + s.signedUnchecked} failed</span>
            <span className="text-slate-600">{s.unsigned} unsigned</span>
            <span className="text-red-900">{s.errors} errors</span>
            <span className="font-medium">{s.coveragePercent}% coverage</span>
          </div>
        )}
        {!preview.error && !s && !preview.isFetching && <p className="text-slate-500">Enter a scope to see what the report will cover.</p>}
        {s && s.total === 0 && <p className="mt-1 text-slate-500">No stored run falls in this scope: the report would be empty. Verify images first, or widen the scope.</p>}
      </section>

      <div className="flex flex-wrap items-center gap-4">
        <button type="submit" disabled={generate.isPending} className="rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-slate-700 disabled:opacity-60">
          {generate.isPending ? 'Generating…' : 'Generate report'}
        </button>
        <label className={`flex items-center gap-2 text-sm ${props.signingAvailable ? '' : 'text-slate-400'}`} title={props.signingAvailable ? '' : 'No signing key configured: an administrator stores one with bin/sigscope secrets set-report-key FILE'}>
          <input type="checkbox" checked={sign} disabled={!props.signingAvailable} onChange={(e) => setSign(e.target.checked)} />
          Sign a verification summary {props.signingAvailable ? '' : '(no signing key configured)'}
        </label>
        <span className="text-xs text-slate-500">Made from stored runs only: nothing is verified again.</span>
      </div>
      {generate.error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {generate.error.message}
        </p>
      )}
      {done && (
        <div role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900">
          Report stored: <span className="font-mono">{done.fileName}</span> ({formatBytes(done.size)}), sha256 <code className="break-all text-xs">{done.sha256}</code>
          <div className="mt-2 flex gap-4">
            <a className="font-medium" href={`/api/reports/${done.id}`} download={done.fileName}>
              Download {done.format.toUpperCase()}
            </a>
            {done.signed && (
              <a href={`/api/reports/${done.id}/attestation`} download={`${done.fileName}.dsse.json`}>
                Download signed summary
              </a>
            )}
          </div>
        </div>
      )}
    </form>
  );
}
