import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { Metadata } from 'next';
import { Digest } from '@/components/digest';
import { EmptyState } from '@/components/empty-state';
import { formatTime, imageName } from '@/components/format';
import { SignatureResultCard } from '@/components/signature-result';
import { StatusBadge } from '@/components/status-badge';
import { getDb, getRun } from '@/lib/db';
import type { PolicyOutcome } from '@/lib/policy/evaluate';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Run ${(await params).id.slice(0, 10)}` };
}

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePage('viewer');
  const { id } = await params;
  if (!/^[a-z0-9]{1,64}$/.test(id)) notFound();
  const run = await getRun(await getDb(), id);
  if (!run) notFound();
  const summary = typeof run.summary.text === 'string' ? run.summary.text : '';
  const coverage = Array.isArray(run.summary.coverage) ? (run.summary.coverage as Array<{ platform: string; digest: string; signatures: number; verified: number }>) : [];
  const problems = Array.isArray(run.summary.problems) ? (run.summary.problems as string[]) : [];
  const isAttestation = (r: (typeof run.results)[number]) => r.signature?.kind === 'attestation';
  const own = run.results.filter((r) => !r.platform && !isAttestation(r));
  const platformResults = run.results.filter((r) => r.platform && !isAttestation(r));
  const attestations = run.results.filter(isAttestation);
  const documents = Array.isArray(run.summary.documents) ? (run.summary.documents as Array<{ source: string; mediaType: string; layerDigest: string; size: number; platform: string | null }>) : [];
  const referrers = typeof run.summary.referrers === 'string' ? run.summary.referrers : null;
  const requirements = Array.isArray(run.summary.requirements)
    ? (run.summary.requirements as Array<{ met: boolean; detail: string; requirement: { predicateType: string } }>)
    : [];
  const policy = run.policy as Record<string, unknown>;
  const storedPolicy = run.summary.policy && typeof run.summary.policy === 'object' ? (run.summary.policy as { verdict?: unknown; outcomes?: unknown }) : null;
  const policyVerdict = typeof storedPolicy?.verdict === 'string' ? storedPolicy.verdict : null;
  const policyOutcomes = Array.isArray(storedPolicy?.outcomes) ? (storedPolicy.outcomes as PolicyOutcome[]) : [];

  return (
    <div className="space-y-8">
      <nav className="text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href="/runs">Runs</Link> / <span className="font-mono">{run.id}</span>
      </nav>
      <header className="space-y-3">
        <div className="flex flex-wrap items-center gap-3">
          <StatusBadge status={run.status} large />
          <h1 className="font-mono text-lg font-semibold break-all">{run.input}</h1>
        </div>
        <p className="max-w-4xl text-slate-800" data-testid="run-summary">{summary}</p>
        {run.status === 'error' && (
          <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">
            <p className="font-semibold">This run could not complete ({run.errorCode})</p>
            <p className="mt-1">{run.errorMessage}</p>
            <p className="mt-2 text-red-800">Earlier runs are kept as they were; fix the cause and verify again.</p>
          </div>
        )}
      </header>

      <section className="grid gap-x-8 gap-y-2 rounded-lg border border-slate-200 bg-white p-5 text-sm shadow-sm sm:grid-cols-[max-content_1fr]" aria-label="Run details">
        <div className="contents"><span className="text-slate-500">When</span><span>{formatTime(run.createdAt)} (from {run.source})</span></div>
        {run.image && (
          <>
            <span className="text-slate-500">Image</span>
            <span>
              <Link href={`/images/${run.image.id}`}>{imageName(run.image)}</Link>
              {run.tag ? `:${run.tag}` : ''} <Digest value={run.image.digest} full /> <Link href={`/timeline?image=${run.image.id}`} className="text-xs">Timeline</Link>
            </span>
            <span className="text-slate-500">Media type</span>
            <span className="font-mono text-xs">{run.image.mediaType}</span>
          </>
        )}
        <span className="text-slate-500">Policy</span>
        {typeof policy.policyName === 'string' ? (
          <span>
            <Link href={`/policies/${encodeURIComponent(policy.policyName)}`}>{policy.policyName}</Link>
            {typeof policy.policyVersion === 'number' ? ` version ${policy.policyVersion}` : ''}{' '}
            <span className="text-xs text-slate-500">(stored policy; its later versions do not change this run)</span>
          </span>
        ) : (
          <span className="font-mono text-xs break-all">{describeStoredPolicy(policy)}</span>
        )}
        {referrers && (
          <>
            <span className="text-slate-500">Referrers</span>
            <span>{referrers === 'api' ? 'read through the OCI referrers API' : referrers === 'tag-fallback' ? 'read from the referrers tag schema (the registry has no referrers API)' : 'none attached'}</span>
          </>
        )}
        <span className="text-slate-500">Trusted root</span>
        <span>{run.trustRootName} {/^[a-f0-9]{64}$/.test(run.trustRootHash) && <code className="text-xs text-slate-500">sha256:{run.trustRootHash.slice(0, 12)}</code>}</span>
      </section>

      {policyOutcomes.length > 0 && (
        <section aria-labelledby="policy-verdict" className="space-y-2">
          <h2 id="policy-verdict" className="text-lg font-semibold">
            Policy verdict: <span data-testid="run-policy-verdict">{policyVerdict}</span>
          </h2>
          <ul className="space-y-2 text-sm">
            {policyOutcomes.map((o) => (
              <li key={o.policy}>
                <span className="font-mono">{o.policy}</span> ({o.mode}, glob <code className="text-xs">{o.glob}</code>): <span className="font-semibold">{o.verdict}</span>
                {o.satisfiedBy ? ` by authority ${o.satisfiedBy}` : ''}
                <ul className="mt-1 space-y-0.5 pl-5 text-xs">
                  {o.authorities.map((a) => (
                    <li key={a.name}>
                      <span aria-label={a.satisfied ? 'satisfied' : 'not satisfied'} className={a.satisfied ? 'text-emerald-600' : 'text-red-600'}>{a.satisfied ? '✔' : '✘'}</span> authority{' '}
                      <span className="font-medium">{a.name}</span> ({a.kind}): {a.status}
                      {a.signers.filter((x) => x.status !== 'verified').slice(0, 1).map((x, i) => (
                        <span key={i} className="text-slate-500"> — {x.summary}</span>
                      ))}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
          <p className="text-xs text-slate-500">The signatures below are those of the {policyVerdict === 'pass' ? 'authority that satisfied the policy' : 'best authority'}.</p>
        </section>
      )}

      {requirements.length > 0 && (
        <section aria-labelledby="requirements" className="space-y-2">
          <h2 id="requirements" className="text-lg font-semibold">Required attestations</h2>
          <ul className="space-y-1 text-sm" data-testid="requirements">
            {requirements.map((r, i) => (
              <li key={i} className="flex gap-2">
                <span aria-label={r.met ? 'met' : 'not met'} className={r.met ? 'text-emerald-600' : 'text-red-600'}>{r.met ? '✔' : '✘'}</span>
                <span>
                  <code className="text-xs">{r.requirement.predicateType}</code> — {r.detail}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      {coverage.length > 0 && (
        <section aria-labelledby="platforms" className="space-y-2">
          <h2 id="platforms" className="text-lg font-semibold">Platforms</h2>
          <table className="min-w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm">
            <thead className="bg-slate-50 text-left text-xs uppercase text-slate-500">
              <tr><th className="px-4 py-2">Platform</th><th className="px-4 py-2">Digest</th><th className="px-4 py-2">Signatures</th><th className="px-4 py-2">Verified</th></tr>
            </thead>
            <tbody>
              {coverage.map((c) => (
                <tr key={c.digest} className="border-t border-slate-100">
                  <td className="px-4 py-2 font-mono text-xs">{c.platform}</td>
                  <td className="px-4 py-2"><Digest value={c.digest} /></td>
                  <td className="px-4 py-2">{c.signatures}</td>
                  <td className="px-4 py-2">{c.verified}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {run.status !== 'error' && (
        <section aria-labelledby="signatures" className="space-y-3">
          <h2 id="signatures" className="text-lg font-semibold">Signatures at this digest</h2>
          {own.length === 0 ? (
            <EmptyState title="No signatures at this digest">
              Sigscope looked for cosign&apos;s <code>sha256-…sig</code> tag and for signature bundles among the OCI referrers, and found none.
              {platformResults.length > 0 ? ' Some platform manifests are signed; see below.' : ' Sign it with cosign, or check the reference.'}
            </EmptyState>
          ) : (
            own.map((r, i) => <SignatureResultCard key={r.id} r={r} index={i} trustRoot={run.trustRootName} />)
          )}
        </section>
      )}
      {attestations.length > 0 && (
        <section aria-labelledby="attestations" className="space-y-3">
          <h2 id="attestations" className="text-lg font-semibold">Attestations</h2>
          {attestations.map((r, i) => <SignatureResultCard key={r.id} r={r} index={i} trustRoot={run.trustRootName} label="Attestation" />)}
        </section>
      )}
      {documents.length > 0 && (
        <section aria-labelledby="documents" className="space-y-2">
          <h2 id="documents" className="text-lg font-semibold">Attached documents (unsigned)</h2>
          <ul className="space-y-1 text-sm">
            {documents.map((d) => (
              <li key={d.layerDigest}>
                <span className="font-mono text-xs">{d.mediaType}</span> · {d.size} bytes · {d.source}
                {d.platform ? ` · platform ${d.platform}` : ''} <Digest value={d.layerDigest} />
              </li>
            ))}
          </ul>
        </section>
      )}
      {platformResults.length > 0 && (
        <section aria-labelledby="platform-signatures" className="space-y-3">
          <h2 id="platform-signatures" className="text-lg font-semibold">Signatures on platform manifests</h2>
          {platformResults.map((r, i) => <SignatureResultCard key={r.id} r={r} index={i} trustRoot={run.trustRootName} />)}
        </section>
      )}
      {problems.length > 0 && (
        <section aria-label="Warnings" className="rounded-md border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
          <ul className="list-disc pl-5">{problems.map((p) => <li key={p}>{p}</li>)}</ul>
        </section>
      )}
    </div>
  );
}

function describeStoredPolicy(p: Record<string, unknown>): string {
  if ('invalid' in p) return `invalid policy: ${String(p.invalid)}`;
  const parts: string[] = [];
  if (p.identity) parts.push(`identity = ${String(p.identity)}`);
  if (p.identityRegExp) parts.push(`identity ~ /${String(p.identityRegExp)}/`);
  if (p.issuer) parts.push(`issuer = ${String(p.issuer)}`);
  if (p.issuerRegExp) parts.push(`issuer ~ /${String(p.issuerRegExp)}/`);
  const gh = (p.github ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(gh)) parts.push(`github ${k} = ${v}`);
  const keys = Array.isArray(p.keys) ? (p.keys as string[]) : [];
  for (const k of keys) parts.push(`key sha256:${k.slice(0, 16)}…`);
  if (p.insecureIgnoreTlog) parts.push('transparency log not required (insecure)');
  const reqs = Array.isArray(p.requireAttestations) ? (p.requireAttestations as Array<{ predicateType: string; builderId?: string; sourceRepository?: string }>) : [];
  for (const r of reqs) parts.push(`requires ${r.predicateType}${r.builderId ? ` from builder ${r.builderId}` : ''}${r.sourceRepository ? ` of source ${r.sourceRepository}` : ''}`);
  return parts.length ? parts.join('; ') : 'none: signatures checked, signer not checked';
}
