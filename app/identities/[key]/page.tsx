import Link from 'next/link';
import { KeyNameForm } from '@/components/key-name-form';
import { readSettings } from '@/lib/settings';
import { notFound } from 'next/navigation';
import type { Metadata } from 'next';
import { BuildClaimsTable, isGithubIssuer } from '@/components/build-claims';
import { Digest } from '@/components/digest';
import { EmptyState } from '@/components/empty-state';
import { formatTime, imageName } from '@/components/format';
import { IDENTITY_STATUS_HELP, IdentityStatusBadge } from '@/components/identity-status';
import { StatusBadge } from '@/components/status-badge';
import { decodeIdentityKey, getDb, getIdentity, repositoryHref } from '@/lib/db';
import { rekorEntryUrl } from '@/lib/verify/rekor-links';
import { requirePage } from '@/lib/auth/page';
import { roleAtLeast } from '@/lib/auth/roles';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ key: string }> }): Promise<Metadata> {
  const ref = decodeIdentityKey((await params).key);
  if (!ref) return { title: 'Identity' };
  return { title: ref.kind === 'keyless' ? ref.subject.slice(0, 80) : `Key ${ref.fingerprint.slice(0, 12)}` };
}

const th = 'px-4 py-2';
const td = 'px-4 py-2';

export default async function IdentityPage({ params }: { params: Promise<{ key: string }> }) {
  const user = await requirePage('viewer');
  const { key } = await params;
  if (!decodeIdentityKey(key)) notFound();
  const detail = await getIdentity(await getDb(), key);
  if (!detail) notFound();
  const { summary, images, certificates, rekorEntries, verdictCounts } = detail;
  const ref = summary.ref;
  const keyName = ref.kind === 'key' ? readSettings().keyNames[ref.fingerprint] : undefined;
  const github = ref.kind === 'keyless' && isGithubIssuer(ref.issuer);

  return (
    <div className="space-y-8">
      <nav className="text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href="/identities">Identities</Link> / {ref.kind === 'keyless' ? 'keyless' : 'public key'}
      </nav>

      <header className="space-y-2">
        <div className="flex flex-wrap items-center gap-3">
          <IdentityStatusBadge status={summary.status} />
          <span className="text-xs text-slate-500">{ref.kind === 'keyless' ? 'Certificate identity' : 'Public key'}</span>
        </div>
        <h1 className="font-mono text-lg font-semibold break-all" data-testid="identity-subject">
          {ref.kind === 'keyless' ? ref.subject : `sha256:${ref.fingerprint}`}
        </h1>
        <p className="text-xs"><Link href={`/reports?kind=identity&value=${encodeURIComponent(key)}`}>Audit report of the images it signed</Link></p>
        {ref.kind === 'key' && keyName && <p className="text-base font-medium text-slate-800" data-testid="key-name">{keyName}</p>}
        {ref.kind === 'key' && roleAtLeast(user.role, 'admin') && <KeyNameForm fingerprint={ref.fingerprint} current={keyName} />}
        {ref.kind === 'keyless' && (
          <p className="text-sm text-slate-700">
            issued by <span className="font-mono text-xs break-all">{ref.issuer || '(no OIDC issuer in the certificate)'}</span>
          </p>
        )}
        <p className={summary.status === 'unverified' ? 'max-w-3xl text-sm text-red-800' : 'max-w-3xl text-sm text-slate-600'}>{IDENTITY_STATUS_HELP[summary.status]}</p>
      </header>

      <section aria-label="Summary" className="grid gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Stat label="Signatures" value={summary.counts.signatures - summary.counts.attestations} />
        <Stat label="Attestations" value={summary.counts.attestations} />
        <Stat label="Verified" value={summary.counts.verified} tone={summary.counts.verified > 0 ? 'good' : undefined} />
        <Stat label="Not verified" value={summary.counts.failed} tone={summary.counts.failed > 0 ? 'bad' : undefined} />
        <Stat label="First seen" value={formatTime(summary.firstSeenAt)} small />
        <Stat label="Last seen" value={formatTime(summary.lastSeenAt)} small />
      </section>
      <p className="-mt-5 text-xs text-slate-500">
        Counts are per signature, by its best verdict over every run. Verdicts over all runs: {verdictCounts.verified} verified, {verdictCounts['signed-unchecked']} signed but signer not checked, {verdictCounts.failed} not verified.
        {summary.counts.unevaluated > 0 && ` ${summary.counts.unevaluated} signature(s) never judged.`}
      </p>

      {summary.claims && (
        <section aria-labelledby="claims" className="space-y-2">
          <h2 id="claims" className="text-lg font-semibold">{github ? 'GitHub claims' : 'Build claims'}</h2>
          <p className="text-xs text-slate-500">
            From the most recent certificate
            {summary.latestCertificateId && <> (<Link href={`/certificates/${summary.latestCertificateId}`}>open it</Link>)</>}.
            {summary.status === 'unverified' && ' These claims come from certificates whose signatures never verified.'}
          </p>
          <BuildClaimsTable claims={summary.claims} caption="Claims of the latest certificate" />
        </section>
      )}

      <section aria-labelledby="images" className="space-y-2">
        <h2 id="images" className="text-lg font-semibold">Images signed</h2>
        <p className="text-xs text-slate-500">
          In {summary.repositoryCount} repositor{summary.repositoryCount === 1 ? 'y' : 'ies'}:{' '}
          {summary.repositories.map((r, i) => (
            <span key={`${r.registry}/${r.repository}`}>
              {i > 0 && ', '}
              <Link href={repositoryHref(r)}>{r.registry}/{r.repository}</Link>
            </span>
          ))}
        </p>
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Images signed by this identity</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className={th}>Image</th>
                <th scope="col" className={th}>Tags seen</th>
                <th scope="col" className={th}>Signed</th>
                <th scope="col" className={th}>Best verdict</th>
                <th scope="col" className={th}>Latest run</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {images.map((i) => (
                <tr key={i.image.id} className="align-top" data-testid="identity-image">
                  <td className={td}>
                    <Link href={`/images/${i.image.id}`} className="break-all">{imageName(i.image)}</Link>
                    <div><Digest value={i.image.digest} /></div>
                  </td>
                  <td className={`${td} font-mono text-xs`}>{i.tags.length ? i.tags.map((t) => t.tag).join(', ') : <span className="text-slate-400">by digest only</span>}</td>
                  <td className={`${td} text-xs text-slate-600`}>
                    {i.signatures > 0 && <div>{i.signatures} signature{i.signatures === 1 ? '' : 's'}</div>}
                    {i.attestations > 0 && <div>{i.attestations} attestation{i.attestations === 1 ? '' : 's'}</div>}
                    <div className="whitespace-nowrap">{formatTime(i.signedAt ?? i.firstSeenAt)}</div>
                  </td>
                  <td className={td}>{i.bestVerdict ? <StatusBadge status={i.bestVerdict} /> : <span className="text-xs text-slate-400">never judged</span>}</td>
                  <td className={`${td} text-xs`}>
                    {i.latestResult ? (
                      <Link href={`/runs/${i.latestResult.runId}`} className="inline-flex flex-wrap items-center gap-2">
                        <StatusBadge status={i.latestResult.verdict} />
                        <span className="whitespace-nowrap text-slate-500">{formatTime(i.latestResult.createdAt)}</span>
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="certificates" className="space-y-2">
        <h2 id="certificates" className="text-lg font-semibold">Certificates over time</h2>
        {certificates.length === 0 ? (
          <EmptyState title={ref.kind === 'key' ? 'A key signer has no certificates' : 'No stored certificate'} />
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Certificates of this identity, oldest first</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className={th}>Valid from</th>
                  <th scope="col" className={th}>Certificate</th>
                  <th scope="col" className={th}>Ref</th>
                  <th scope="col" className={th}>Trigger</th>
                  <th scope="col" className={th}>Runner</th>
                  <th scope="col" className={th}>SCTs</th>
                  <th scope="col" className={th}>Signed</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {certificates.map((c) => (
                  <tr key={c.id} className="align-top">
                    <td className={`${td} text-xs whitespace-nowrap`}>{formatTime(c.notBefore)}<div className="text-slate-400">to {formatTime(c.notAfter)}</div></td>
                    <td className={td}>
                      <Link href={`/certificates/${c.id}`} className="font-mono text-xs" title={c.fingerprintSha256}>sha256:{c.fingerprintSha256.slice(0, 16)}…</Link>
                      <div className="text-xs text-slate-500">{c.issuer || '—'}</div>
                    </td>
                    <td className={`${td} font-mono text-xs`}>{c.claims?.ref ?? '—'}</td>
                    <td className={`${td} font-mono text-xs`}>{c.claims?.trigger ?? '—'}</td>
                    <td className={`${td} font-mono text-xs`}>{c.claims?.runnerEnvironment ?? '—'}</td>
                    <td className={`${td} text-xs`}>{c.sctCount ?? '—'}</td>
                    <td className={`${td} text-xs`}>
                      {c.images.map((i) => (
                        <div key={i.id}><Link href={`/images/${i.id}`} className="break-all">{imageName(i)}</Link></div>
                      ))}
                      {c.signatures > 1 && <div className="text-slate-500">{c.signatures} signatures</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="rekor" className="space-y-2">
        <h2 id="rekor" className="text-lg font-semibold">Rekor entries</h2>
        {rekorEntries.length === 0 ? (
          <EmptyState title="No verified transparency-log entry">
            Only entries that a verification checked are recorded. Signatures that failed, or were accepted without a transparency log, have none.
          </EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Rekor entries of this identity&apos;s signatures</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className={th}>Log index</th>
                  <th scope="col" className={th}>Integrated</th>
                  <th scope="col" className={th}>Log</th>
                  <th scope="col" className={th}>Image</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rekorEntries.map((e) => {
                  const url = rekorEntryUrl(e.logId, e.logIndex);
                  return (
                    <tr key={e.signatureId}>
                      <td className={`${td} font-mono text-xs`}>
                        {url ? <a href={url} rel="noreferrer" target="_blank">{e.logIndex}</a> : e.logIndex}
                        {e.kind === 'attestation' && <span className="ml-2 text-slate-500">attestation</span>}
                      </td>
                      <td className={`${td} text-xs whitespace-nowrap`}>{formatTime(e.integratedTime)}</td>
                      <td className={`${td} text-xs`}>
                        {e.logId ? <code title={e.logId}>{e.logId.slice(0, 12)}…</code> : '—'}
                        {!url && <span className="ml-2 text-slate-400">not a public-good log</span>}
                      </td>
                      <td className={`${td} text-xs`}><Link href={`/images/${e.image.id}`}>{imageName(e.image)}</Link> <Digest value={e.image.digest} /></td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {detail.truncated && <p className="text-sm text-amber-800">Only the newest signatures are detailed on this page; the counts above cover all of them.</p>}
    </div>
  );
}

function Stat({ label, value, tone, small }: { label: string; value: number | string; tone?: 'good' | 'bad'; small?: boolean }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm">
      <div className="text-xs text-slate-500">{label}</div>
      <div className={`${small ? 'text-xs' : 'text-xl'} font-semibold tabular-nums ${tone === 'good' ? 'text-emerald-700' : tone === 'bad' ? 'text-red-700' : 'text-slate-900'}`}>{value}</div>
    </div>
  );
}
