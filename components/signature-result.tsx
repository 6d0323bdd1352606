import clsx from 'clsx';
import Link from 'next/link';
import { identityHref } from '@/lib/db/identity-key';
import { Digest } from './digest';
import { formatTime } from './format';
import { StatusBadge } from './status-badge';

export interface SignatureResultView {
  id: string;
  verdict: string;
  reasonCode: string | null;
  reason: string | null;
  identity: string | null;
  oidcIssuer: string | null;
  platform: string | null;
  checks: Array<{ name: string; passed: boolean; detail: string }>;
  signature: {
    id: string;
    kind: string;
    format: string;
    predicateType: string | null;
    source: string;
    layerDigest: string;
    publicKeyFingerprint: string | null;
    rekorLogIndex: bigint | string | null;
    rekorIntegratedTime: Date | string | null;
    certificate: {
      id?: string;
      fingerprintSha256: string;
      issuer: string;
      notBefore: Date | string;
      notAfter: Date | string;
      extensions: Record<string, unknown>;
    } | null;
  } | null;
}

export const FORMAT_LABEL: Record<string, string> = {
  'cosign-sig': 'cosign .sig tag',
  'cosign-att': 'cosign .att tag',
  'bundle-referrers-api': 'Sigstore bundle · referrers API',
  'bundle-referrers-tag': 'Sigstore bundle · referrers tag',
};

const GITHUB_FIELDS: Array<[string, string]> = [
  ['githubWorkflowRepository', 'Repository'],
  ['githubWorkflowRef', 'Ref'],
  ['githubWorkflowTrigger', 'Trigger'],
  ['githubWorkflowSha', 'Commit'],
  ['runnerEnvironment', 'Runner'],
  ['runInvocationUri', 'Run'],
];

/** `trustRoot`: the run's trusted root name, to link the Rekor entry to the explorer. */
export function SignatureResultCard({ r, index, label = 'Signature', trustRoot }: { r: SignatureResultView; index: number; label?: string; trustRoot?: string }) {
  const cert = r.signature?.certificate;
  const ext = (cert?.extensions ?? {}) as Record<string, unknown>;
  const signerHref = identityHref({ identity: r.identity, oidcIssuer: r.oidcIssuer, publicKeyFingerprint: r.signature?.publicKeyFingerprint });
  return (
    <article
      aria-label={`${label} ${index + 1}`}
      className={clsx('rounded-lg border bg-white p-5 shadow-sm', r.verdict === 'verified' ? 'border-emerald-200' : r.verdict === 'failed' ? 'border-red-200' : 'border-amber-200')}
    >
      <header className="flex flex-wrap items-center gap-3">
        <StatusBadge status={r.verdict} />
        <span className="text-sm font-medium text-slate-800">
          {label} {index + 1}
        </span>
        {r.signature && <span className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">{FORMAT_LABEL[r.signature.format] ?? r.signature.format}</span>}
        {r.platform && <span className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">platform {r.platform}</span>}
        {r.signature?.predicateType && (
          <Link href={`/attestations/${r.signature.id}`} className="font-mono text-xs">
            {r.signature.predicateType}
          </Link>
        )}
        {r.reasonCode && <code className="text-xs text-red-700">{r.reasonCode}</code>}
        {r.checks.some((c) => c.name === 'transparency-log-waived') && (
          <span className="rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-900">no transparency log entry (accepted by policy)</span>
        )}
      </header>
      {r.reason && <p className={clsx('mt-3 text-sm', r.verdict === 'failed' ? 'text-red-800' : 'text-amber-900')}>{r.reason}</p>}
      <dl className="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        {r.identity && (
          <>
            <dt className="text-slate-500">{r.verdict === 'failed' ? 'Identity (claimed)' : 'Identity'}</dt>
            <dd className="font-mono text-xs break-all" data-testid="signer-identity">{signerHref ? <Link href={signerHref}>{r.identity}</Link> : r.identity}</dd>
          </>
        )}
        {r.oidcIssuer && (
          <>
            <dt className="text-slate-500">{r.verdict === 'failed' ? 'OIDC issuer (claimed)' : 'OIDC issuer'}</dt>
            <dd className="font-mono text-xs break-all">{r.oidcIssuer}</dd>
          </>
        )}
        {r.signature?.publicKeyFingerprint && (
          <>
            <dt className="text-slate-500">Public key</dt>
            <dd className="font-mono text-xs break-all">{signerHref && !r.identity ? <Link href={signerHref}>sha256:{r.signature.publicKeyFingerprint}</Link> : <>sha256:{r.signature.publicKeyFingerprint}</>}</dd>
          </>
        )}
        {cert && (
          <>
            <dt className="text-slate-500">Certificate</dt>
            <dd className="text-xs">
              {cert.id ? (
                <Link href={`/certificates/${cert.id}`} className="font-mono" title={cert.fingerprintSha256}>sha256:{cert.fingerprintSha256.slice(0, 16)}…</Link>
              ) : (
                <span className="font-mono" title={cert.fingerprintSha256}>sha256:{cert.fingerprintSha256.slice(0, 16)}…</span>
              )}{' '}
              issued by {cert.issuer || '—'}, valid {formatTime(cert.notBefore)} → {formatTime(cert.notAfter)}
            </dd>
          </>
        )}
        {GITHUB_FIELDS.filter(([k]) => typeof ext[k] === 'string').map(([k, label]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">GitHub {label.toLowerCase()}</dt>
            <dd className="font-mono text-xs break-all">{String(ext[k])}</dd>
          </div>
        ))}
        {r.signature?.rekorLogIndex != null && (
          <>
            <dt className="text-slate-500">Rekor entry</dt>
            <dd className="text-xs">
              log index{' '}
              {trustRoot ? (
                <Link href={`/rekor/entries/index-${String(r.signature.rekorLogIndex)}?trustRoot=${encodeURIComponent(trustRoot)}`} className="font-mono" data-testid="rekor-entry-link">{String(r.signature.rekorLogIndex)}</Link>
              ) : (
                <span className="font-mono">{String(r.signature.rekorLogIndex)}</span>
              )}
              , integrated {formatTime(r.signature.rekorIntegratedTime)}
            </dd>
          </>
        )}
        {r.signature && (
          <>
            <dt className="text-slate-500">Found at</dt>
            <dd className="text-xs break-all">
              <span className="font-mono">{r.signature.source.split('@')[0]}</span> layer <Digest value={r.signature.layerDigest} />
            </dd>
          </>
        )}
      </dl>
      {r.checks.length > 0 && (
        <details className="mt-4 text-sm" open={r.verdict !== 'verified'}>
          <summary className="cursor-pointer text-slate-600">Checks ({r.checks.filter((c) => c.passed).length} passed{r.checks.some((c) => !c.passed) ? `, ${r.checks.filter((c) => !c.passed).length} failed` : ''})</summary>
          <ul className="mt-2 space-y-1">
            {r.checks.map((c) => (
              <li key={c.name} className="flex gap-2">
                <span aria-label={c.passed ? 'passed' : 'failed'} className={c.passed ? 'text-emerald-600' : 'text-red-600'}>
                  {c.passed ? '✔' : '✘'}
                </span>
                <span>
                  <code className="text-xs text-slate-500">{c.name}</code> {c.detail}
                </span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}
