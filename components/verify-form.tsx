'use client';
/** The home page's form: an image reference, a signer policy and a trusted root; runs through TanStack Query. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { StatusBadge } from './status-badge';
import { apiFetch } from './api-fetch';

type Mode = 'keyless' | 'key' | 'none';
type Match = 'exact' | 'regexp';

export interface VerifyResponse {
  runId: string;
  imageId: string | null;
  status: string;
  summary: string;
  digest?: string;
  errorCode?: string;
  /** When a stored policy was chosen: its verdict (pass, fail, warn, no-match…). */
  policy?: { name: string; version: number | null; verdict: string };
}

/** The stored policies offered in the "Policy" select (GET /api/policies). */
interface NamedPolicy {
  id: string;
  name: string;
  latest: { id: string; version: number; policies: Array<{ name: string; mode: string; images: string[] }> };
}

async function fetchPolicies(): Promise<NamedPolicy[]> {
  const res = await apiFetch('/api/policies');
  if (!res.ok) throw new Error(`the server answered ${res.status}`);
  return ((await res.json()) as { policies: NamedPolicy[] }).policies;
}

interface ApiError {
  error: { code: string; message: string };
}

async function postVerify(body: unknown): Promise<VerifyResponse> {
  const res = await apiFetch('/api/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json().catch(() => null)) as VerifyResponse | ApiError | null;
  if (!res.ok || !json || 'error' in json) {
    const err = json && 'error' in json ? json.error : { code: 'HTTP', message: `the server answered ${res.status}` };
    throw Object.assign(new Error(err.message), { code: err.code });
  }
  return json;
}

const input = 'w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-200';
const label = 'block text-sm font-medium text-slate-700 mb-1';

export interface DemoExamples {
  identity: string;
  issuer: string;
  publicKeyPem: string;
  scenarios: Array<{ name: string; reference: string; description: string; expect: string }>;
}

export function VerifyForm({ trustRoots, defaultTrustRoot, examples }: { trustRoots: string[]; defaultTrustRoot: string; examples?: DemoExamples }) {
  const queryClient = useQueryClient();
  const [reference, setReference] = useState('');
  const [mode, setMode] = useState<Mode>('keyless');
  const [identity, setIdentity] = useState('');
  const [identityMatch, setIdentityMatch] = useState<Match>('exact');
  const [issuer, setIssuer] = useState('https://token.actions.githubusercontent.com');
  const [issuerMatch, setIssuerMatch] = useState<Match>('exact');
  const [key, setKey] = useState('');
  const [ignoreTlog, setIgnoreTlog] = useState(false);
  const [requiredType, setRequiredType] = useState('');
  const [requiredBuilder, setRequiredBuilder] = useState('');
  const [trustRoot, setTrustRoot] = useState(defaultTrustRoot);
  // '' = ad hoc (the fields below); otherwise the id of a stored policy version.
  const [policyVersionId, setPolicyVersionId] = useState('');
  const policies = useQuery({ queryKey: ['policies'], queryFn: fetchPolicies });
  const chosen = policies.data?.find((p) => p.latest.id === policyVersionId);

  const mutation = useMutation({
    mutationFn: postVerify,
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['runs'] }),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (policyVersionId) {
      mutation.mutate({ reference: reference.trim(), policyVersionId, trustRoot });
      return;
    }
    const policy: Record<string, unknown> = {};
    if (mode === 'keyless') {
      if (identity.trim()) policy[identityMatch === 'exact' ? 'identity' : 'identityRegExp'] = identity.trim();
      if (issuer.trim()) policy[issuerMatch === 'exact' ? 'issuer' : 'issuerRegExp'] = issuer.trim();
      if (!identity.trim()) {
        delete policy.issuer;
        delete policy.issuerRegExp;
      }
    }
    if (mode === 'key' && key.trim()) policy.keys = [key.trim()];
    if (mode !== 'none' && ignoreTlog) policy.insecureIgnoreTlog = true;
    if (mode !== 'none' && requiredType.trim()) {
      policy.requireAttestations = [{ predicateType: requiredType.trim(), ...(requiredBuilder.trim() ? { builderId: requiredBuilder.trim() } : {}) }];
    }
    mutation.mutate({ reference: reference.trim(), policy, trustRoot });
  }

  function applyExample(s: DemoExamples['scenarios'][number]) {
    if (!examples) return;
    setReference(s.reference);
    if (s.name === 'keyed') {
      setMode('key');
      setKey(examples.publicKeyPem);
    } else {
      setMode('keyless');
      setIdentity(examples.identity);
      setIdentityMatch('exact');
      setIssuer(examples.issuer);
      setIssuerMatch('exact');
    }
    if (trustRoots.includes('sandbox')) setTrustRoot('sandbox');
  }

  return (
    <div className="space-y-6">
      {examples && examples.scenarios.length > 0 && (
        <section aria-label="Demo images" className="rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm">
          <p className="mb-2 text-slate-600">Demo images in the sandbox registry: pick one to fill the form with it and the expected signer.</p>
          <div className="flex flex-wrap gap-2">
            {examples.scenarios.map((s) => (
              <button
                key={s.name}
                type="button"
                title={s.description}
                onClick={() => applyExample(s)}
                className="rounded-full border border-slate-300 px-3 py-1 font-mono text-xs hover:border-sky-500 hover:bg-sky-50"
              >
                {s.name}
              </button>
            ))}
          </div>
        </section>
      )}
      <form onSubmit={submit} className="space-y-5 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" aria-label="Verify an image">
        <div>
          <label htmlFor="reference" className={label}>
            Image reference
          </label>
          <input
            id="reference"
            name="reference"
            className={`${input} font-mono`}
            placeholder="ghcr.io/org/app:1.2 or registry/repo@sha256:…"
            value={reference}
            onChange={(e) => setReference(e.target.value)}
            required
            autoFocus
            autoComplete="off"
            spellCheck={false}
          />
        </div>

        <div>
          <label htmlFor="policy-choice" className={label}>
            Policy
          </label>
          <select id="policy-choice" className={input} value={policyVersionId} onChange={(e) => setPolicyVersionId(e.target.value)}>
            <option value="">ad hoc (fields below)</option>
            {(policies.data ?? []).map((p) => (
              <option key={p.id} value={p.latest.id}>
                {p.name} (v{p.latest.version})
              </option>
            ))}
          </select>
          {chosen ? (
            <p className="mt-1.5 text-xs text-slate-600" data-testid="policy-choice-help">
              Verified under every authority of{' '}
              <Link href={`/policies/${chosen.id}`}>
                {chosen.name} v{chosen.latest.version}
              </Link>{' '}
              whose images match:{' '}
              {chosen.latest.policies.map((d) => `${d.name} (${d.mode}: ${d.images.join(', ')})`).join('; ')}. The run records this version.
            </p>
          ) : (
            <p className="mt-1.5 text-xs text-slate-500">
              Or a stored policy (<Link href="/policies">Policies</Link>): images are checked against each of its authorities.
            </p>
          )}
        </div>

        {!policyVersionId && (
          <fieldset>
            <legend className={label}>Who must have signed it</legend>
            <div className="flex flex-wrap gap-4 text-sm" role="radiogroup">
              {(
                [
                  ['keyless', 'Keyless identity (Fulcio certificate)'],
                  ['key', 'Public key'],
                  ['none', 'Anyone (only check that it is signed)'],
                ] as const
              ).map(([value, text]) => (
                <label key={value} className="inline-flex items-center gap-2">
                  <input type="radio" name="mode" value={value} checked={mode === value} onChange={() => setMode(value)} />
                  {text}
                </label>
              ))}
            </div>
          </fieldset>
        )}

        {!policyVersionId && mode === 'keyless' && (
          <div className="grid gap-4 md:grid-cols-2">
            <div>
              <label htmlFor="identity" className={label}>
                Certificate identity
              </label>
              <input id="identity" className={`${input} font-mono`} value={identity} onChange={(e) => setIdentity(e.target.value)} placeholder="https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main" spellCheck={false} />
              <MatchToggle name="identity-match" value={identityMatch} onChange={setIdentityMatch} />
            </div>
            <div>
              <label htmlFor="issuer" className={label}>
                OIDC issuer
              </label>
              <input id="issuer" className={`${input} font-mono`} value={issuer} onChange={(e) => setIssuer(e.target.value)} spellCheck={false} />
              <MatchToggle name="issuer-match" value={issuerMatch} onChange={setIssuerMatch} />
            </div>
            <p className="text-xs text-slate-500 md:col-span-2">
              Exact values must be equal. A regexp must match the whole value (it is anchored). Leave the identity empty to check only that the image is signed.
            </p>
          </div>
        )}
        {!policyVersionId && mode === 'key' && (
          <div>
            <label htmlFor="key" className={label}>
              Public key (PEM, as in cosign.pub)
            </label>
            <textarea id="key" className={`${input} h-28 font-mono text-xs`} value={key} onChange={(e) => setKey(e.target.value)} placeholder={'-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----'} required />
          </div>
        )}

        {!policyVersionId && mode !== 'none' && (
          <details className="text-sm" open={requiredType !== ''}>
            <summary className="cursor-pointer text-slate-600">Required attestations</summary>
            <div className="mt-3 grid gap-4 md:grid-cols-2">
              <div>
                <label htmlFor="required-type" className={label}>
                  Predicate type
                </label>
                <input id="required-type" list="predicate-types" className={`${input} font-mono`} value={requiredType} onChange={(e) => setRequiredType(e.target.value)} placeholder="https://slsa.dev/provenance/v1" spellCheck={false} />
                <datalist id="predicate-types">
                  <option value="https://slsa.dev/provenance/v1" />
                  <option value="https://slsa.dev/provenance/v0.2" />
                  <option value="https://spdx.dev/Document" />
                  <option value="https://cyclonedx.org/bom" />
                  <option value="https://cosign.sigstore.dev/attestation/vuln/v1" />
                </datalist>
              </div>
              <div>
                <label htmlFor="required-builder" className={label}>
                  SLSA builder ID (optional)
                </label>
                <input id="required-builder" className={`${input} font-mono`} value={requiredBuilder} onChange={(e) => setRequiredBuilder(e.target.value)} placeholder="https://github.com/actions/runner/github-hosted" spellCheck={false} />
              </div>
              <p className="text-xs text-slate-500 md:col-span-2">The image then verifies only if it also carries this attestation, verified and signed by the signer above.</p>
            </div>
          </details>
        )}
        {!policyVersionId && mode !== 'none' && (
          <label className="inline-flex items-center gap-2 text-xs text-slate-600">
            <input type="checkbox" checked={ignoreTlog} onChange={(e) => setIgnoreTlog(e.target.checked)} />
            Accept signatures that are not in a transparency log (insecure, as cosign&apos;s --insecure-ignore-tlog; for GitHub private-repository attestations with a trusted timestamp)
          </label>
        )}

        <div className="flex flex-wrap items-end gap-4">
          <div>
            <label htmlFor="trust-root" className={label}>
              Trusted root
            </label>
            <select id="trust-root" className={input} value={trustRoot} onChange={(e) => setTrustRoot(e.target.value)}>
              {trustRoots.map((r) => (
                <option key={r} value={r}>
                  {r === 'public-good' ? 'Sigstore public-good' : r}
                </option>
              ))}
            </select>
          </div>
          <button
            type="submit"
            disabled={mutation.isPending}
            className="ml-auto rounded-md bg-slate-900 px-5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-slate-700 disabled:cursor-wait disabled:opacity-60"
          >
            {mutation.isPending ? 'Verifying…' : 'Verify'}
          </button>
        </div>
      </form>

      <div aria-live="polite">
        {mutation.isPending && (
          <div role="status" className="flex items-center gap-3 rounded-lg border border-sky-200 bg-sky-50 p-4 text-sm text-sky-900">
            <span className="h-4 w-4 animate-spin rounded-full border-2 border-sky-600 border-t-transparent" aria-hidden />
            Resolving the reference, fetching signatures and verifying them…
          </div>
        )}
        {mutation.isError && (
          <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900">
            <p className="font-semibold">Could not verify</p>
            <p className="mt-1">{mutation.error.message}</p>
          </div>
        )}
        {mutation.isSuccess && <VerifyResult result={mutation.data} />}
      </div>
    </div>
  );
}

function MatchToggle({ name, value, onChange }: { name: string; value: Match; onChange: (m: Match) => void }) {
  return (
    <div className="mt-1.5 flex gap-4 text-xs text-slate-600">
      {(['exact', 'regexp'] as const).map((m) => (
        <label key={m} className="inline-flex items-center gap-1.5">
          <input type="radio" name={name} value={m} checked={value === m} onChange={() => onChange(m)} />
          {m === 'exact' ? 'exact' : 'regexp'}
        </label>
      ))}
    </div>
  );
}

function VerifyResult({ result }: { result: VerifyResponse }) {
  const tone = result.status === 'verified' ? 'border-emerald-200 bg-emerald-50' : result.status === 'signed-unchecked' ? 'border-amber-200 bg-amber-50' : result.status === 'unsigned' ? 'border-slate-300 bg-white' : 'border-red-200 bg-red-50';
  return (
    <section className={`rounded-lg border p-5 ${tone}`} aria-label="Verification result" data-testid="verify-result">
      <div className="flex flex-wrap items-center gap-3">
        <StatusBadge status={result.status} large />
        {result.digest && <code className="truncate text-xs text-slate-600">{result.digest}</code>}
      </div>
      {result.policy && (
        <p className="mt-3 text-sm" data-testid="policy-verdict">
          Policy <span className="font-medium">{result.policy.name}</span>
          {result.policy.version !== null ? ` v${result.policy.version}` : ''}: <span className="font-semibold">{result.policy.verdict}</span>
        </p>
      )}
      <p className="mt-3 text-sm text-slate-900">{result.summary}</p>
      <p className="mt-3 flex gap-4 text-sm">
        <Link href={`/runs/${result.runId}`}>Open this run</Link>
        {result.imageId && <Link href={`/images/${result.imageId}`}>Image history</Link>}
      </p>
    </section>
  );
}
