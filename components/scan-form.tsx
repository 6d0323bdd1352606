'use client';
/** New scan: targets (typed, pasted or loaded from a file), tag filters, a policy and a trusted root. */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { apiJson } from './api-fetch';

const input = 'w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-200';
const label = 'block text-sm font-medium text-slate-700 mb-1';

interface NamedPolicy {
  id: string;
  name: string;
  latest: { id: string; version: number };
}

export interface ScanFormDefaults {
  targets?: string;
  identity?: string;
  issuer?: string;
  publicKeyPem?: string;
}

function postScan(body: unknown): Promise<{ id: string }> {
  return apiJson<{ id: string }>('/api/scans', { method: 'POST', json: body });
}

export function ScanForm({ trustRoots, defaultTrustRoot, defaults }: { trustRoots: string[]; defaultTrustRoot: string; defaults?: ScanFormDefaults }) {
  const router = useRouter();
  const [targets, setTargets] = useState(defaults?.targets ?? '');
  const [glob, setGlob] = useState('');
  const [semver, setSemver] = useState('');
  const [latest, setLatest] = useState('');
  const [policyName, setPolicyName] = useState('');
  const [identity, setIdentity] = useState(defaults?.identity ?? '');
  const [regexp, setRegexp] = useState(false);
  const [issuer, setIssuer] = useState(defaults?.issuer ?? 'https://token.actions.githubusercontent.com');
  const [key, setKey] = useState(defaults?.publicKeyPem ?? '');
  const [trustRoot, setTrustRoot] = useState(defaultTrustRoot);
  const [concurrency, setConcurrency] = useState('8');
  const [full, setFull] = useState(false);
  const policies = useQuery({
    queryKey: ['policies'],
    queryFn: async () => ((await (await fetch('/api/policies')).json()) as { policies: NamedPolicy[] }).policies,
  });
  const mutation = useMutation({ mutationFn: postScan, onSuccess: ({ id }) => router.push(`/scans/${id}`) });
  const lines = targets.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);

  async function loadFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > 1024 * 1024) {
      mutation.reset();
      alert('That file is larger than 1 MiB; a target list is one reference per line.');
      return;
    }
    const text = await file.text();
    setTargets((t) => (t.trim() ? `${t.trim()}\n${text}` : text));
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const tags = {
      ...(glob.trim() ? { glob: glob.trim() } : {}),
      ...(semver.trim() ? { semver: semver.trim() } : {}),
      ...(latest.trim() ? { latest: Number.parseInt(latest, 10) } : {}),
    };
    const policy: Record<string, unknown> = {};
    if (!policyName) {
      if (identity.trim()) {
        policy[regexp ? 'identityRegExp' : 'identity'] = identity.trim();
        if (issuer.trim()) policy.issuer = issuer.trim();
      }
      if (key.trim()) policy.keys = [key.trim()];
    }
    mutation.mutate({
      targets: lines,
      tags,
      ...(policyName ? { policyName } : { policy }),
      trustRoot,
      concurrency: Number.parseInt(concurrency, 10) || 8,
      full,
    });
  }

  return (
    <form onSubmit={submit} aria-label="New scan" className="space-y-5 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <label htmlFor="targets" className={label}>
          What to scan <span className="font-normal text-slate-500">— one per line</span>
        </label>
        <textarea
          id="targets"
          rows={4}
          required
          className={`${input} font-mono`}
          placeholder={'ghcr.io/acme/*            every repository under acme (registry catalog)\nghcr.io/acme/api          every tag of one repository\nghcr.io/acme/web:1.4      one image'}
          value={targets}
          onChange={(e) => setTargets(e.target.value)}
        />
        <div className="mt-1 flex items-center justify-between text-xs text-slate-500">
          <span>{lines.length} target{lines.length === 1 ? '' : 's'} · lines starting with # are ignored</span>
          <label className="cursor-pointer text-sky-700 hover:underline">
            Load a list from a file…
            <input type="file" accept=".txt,.csv,text/plain" className="sr-only" onChange={loadFile} />
          </label>
        </div>
      </div>
      <fieldset className="grid gap-4 sm:grid-cols-3">
        <legend className={label}>Which tags</legend>
        <div>
          <label htmlFor="glob" className="mb-1 block text-xs text-slate-600">Glob</label>
          <input id="glob" className={`${input} font-mono`} placeholder="v* (all when empty)" value={glob} onChange={(e) => setGlob(e.target.value)} />
        </div>
        <div>
          <label htmlFor="semver" className="mb-1 block text-xs text-slate-600">Semver range</label>
          <input id="semver" className={`${input} font-mono`} placeholder=">=1.2 <2" value={semver} onChange={(e) => setSemver(e.target.value)} />
        </div>
        <div>
          <label htmlFor="latest" className="mb-1 block text-xs text-slate-600">Most recent N per repository</label>
          <input id="latest" type="number" min={1} className={input} placeholder="all" value={latest} onChange={(e) => setLatest(e.target.value)} />
        </div>
      </fieldset>
      <fieldset className="space-y-3">
        <legend className={label}>Who must have signed</legend>
        <div>
          <label htmlFor="policy-name" className="mb-1 block text-xs text-slate-600">Stored policy</label>
          <select id="policy-name" className={input} value={policyName} onChange={(e) => setPolicyName(e.target.value)}>
            <option value="">None: use the signer below</option>
            {policies.data?.map((p) => (
              <option key={p.id} value={p.name}>
                {p.name} (v{p.latest.version})
              </option>
            ))}
          </select>
        </div>
        {!policyName && (
          <div className="grid gap-4 sm:grid-cols-2">
            <div>
              <label htmlFor="identity" className="mb-1 block text-xs text-slate-600">Certificate identity</label>
              <input id="identity" className={`${input} font-mono`} placeholder="https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main" value={identity} onChange={(e) => setIdentity(e.target.value)} />
              <label className="mt-1 flex items-center gap-2 text-xs text-slate-600">
                <input type="checkbox" checked={regexp} onChange={(e) => setRegexp(e.target.checked)} /> regular expression (anchored)
              </label>
            </div>
            <div>
              <label htmlFor="issuer" className="mb-1 block text-xs text-slate-600">OIDC issuer</label>
              <input id="issuer" className={`${input} font-mono`} value={issuer} onChange={(e) => setIssuer(e.target.value)} />
            </div>
            <div className="sm:col-span-2">
              <label htmlFor="key" className="mb-1 block text-xs text-slate-600">…or a public key (PEM) — either signer is accepted</label>
              <textarea id="key" rows={2} className={`${input} font-mono text-xs`} placeholder="-----BEGIN PUBLIC KEY-----" value={key} onChange={(e) => setKey(e.target.value)} />
            </div>
            {!identity.trim() && !key.trim() && (
              <p className="text-xs text-amber-800 sm:col-span-2">With no signer, signatures are checked cryptographically but not who made them: images show as “signed, signer not checked”.</p>
            )}
          </div>
        )}
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-3">
        <div>
          <label htmlFor="trust-root" className={label}>Trusted root</label>
          <select id="trust-root" className={input} value={trustRoot} onChange={(e) => setTrustRoot(e.target.value)}>
            {trustRoots.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="concurrency" className={label}>Concurrency per registry</label>
          <input id="concurrency" type="number" min={1} max={32} className={input} value={concurrency} onChange={(e) => setConcurrency(e.target.value)} />
        </div>
        <label className="flex items-end gap-2 pb-2 text-sm text-slate-700">
          <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} /> Verify again even if unchanged
        </label>
      </div>
      <div className="flex items-center gap-4">
        <button type="submit" disabled={mutation.isPending || lines.length === 0} className="rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-50">
          {mutation.isPending ? 'Starting…' : 'Start scan'}
        </button>
        <span className="text-xs text-slate-500">Digests already verified under the same policy and trusted root are reused, not fetched again.</span>
      </div>
      {mutation.isError && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {mutation.error.message}
        </p>
      )}
    </form>
  );
}
