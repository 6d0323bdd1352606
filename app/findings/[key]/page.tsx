import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Digest } from '@/components/digest';
import { FindingAckForm } from '@/components/finding-ack-form';
import { formatTime } from '@/components/format';
import { AckBadge, SeverityBadge } from '@/components/severity-badge';
import { StatusBadge } from '@/components/status-badge';
import { FINDING_KIND_LABEL } from '@/lib/audit/drift';
import { timelineHref } from '@/lib/audit/timeline';
import { getDb } from '@/lib/db';
import { getFinding } from '@/lib/db/findings';
import { identityHref } from '@/lib/db/identity-key';
import { requirePage } from '@/lib/auth/page';
import { roleAtLeast } from '@/lib/auth/roles';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Finding' };

/** The route segment as a finding key: decoded once when it still carries percent-escapes. */
function keyFromParam(raw: string): string | null {
  if (raw.length > 8192) return null;
  if (!/%[0-9A-Fa-f]{2}/.test(raw)) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

export default async function FindingPage({ params }: { params: Promise<{ key: string }> }) {
  const user = await requirePage('viewer');
  const key = keyFromParam((await params).key);
  if (!key) notFound();
  const detail = await getFinding(await getDb(), key);
  if (!detail) notFound();
  const { finding: f, status, acks } = detail;
  const ev = f.evidence;
  const repoName = `${f.registry}/${f.repository}`;
  const roles = new Map(ev.images.map((i) => [i.id, i]));

  return (
    <div className="space-y-8">
      <nav className="text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href="/findings">Findings</Link> / {FINDING_KIND_LABEL[f.kind]}
      </nav>
      <header className="space-y-3">
        <div className="flex flex-wrap items-center gap-2">
          <SeverityBadge severity={f.severity} />
          <span className="text-sm text-slate-500">{FINDING_KIND_LABEL[f.kind]}</span>
          <AckBadge status={status} />
        </div>
        <h1 className="text-xl font-semibold break-all">{f.title}</h1>
        <p className="max-w-4xl text-slate-800 [overflow-wrap:anywhere]" data-testid="finding-detail">{f.detail}</p>
        <p className="flex flex-wrap gap-x-4 gap-y-1 text-sm text-slate-600">
          <span>Repository <Link href={`/findings?repository=${encodeURIComponent(repoName)}`} className="font-mono">{repoName}</Link></span>
          <span>Detected at {formatTime(f.detectedAt)}</span>
          <Link href={timelineHref({ kind: 'repository', registry: f.registry, repository: f.repository })}>Timeline of the repository</Link>
        </p>
        <p className="text-xs text-slate-500">Key <code className="break-all">{f.key}</code></p>
      </header>

      <section aria-labelledby="evidence" className="space-y-4">
        <h2 id="evidence" className="text-lg font-semibold">Evidence</h2>
        {ev.images.length > 0 && (
          <div className="space-y-1">
            <h3 className="text-sm font-semibold text-slate-700">Images</h3>
            <ul className="space-y-1 text-sm">
              {ev.images.map((i) => (
                <li key={i.id} className="flex flex-wrap items-center gap-2">
                  {i.role && <span className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">{i.role}</span>}
                  <Link href={`/images/${i.id}`}>{repoName}</Link>
                  <Digest value={i.digest} />
                  {i.tags.length > 0 && <span className="font-mono text-xs text-slate-600">tags {i.tags.join(', ')}</span>}
                  <Link href={timelineHref({ kind: 'image', imageId: i.id })} className="text-xs">timeline</Link>
                </li>
              ))}
            </ul>
          </div>
        )}
        {ev.signatures.length > 0 && (
          <div className="space-y-1">
            <h3 className="text-sm font-semibold text-slate-700">
              Signatures{ev.signatureCount > ev.signatures.length ? ` (${ev.signatures.length} of ${ev.signatureCount})` : ''}
            </h3>
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
              <table className="min-w-full divide-y divide-slate-200 text-sm">
                <caption className="sr-only">Signatures behind this finding</caption>
                <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                  <tr>
                    <th scope="col" className="px-3 py-2">Signed (UTC)</th>
                    <th scope="col" className="px-3 py-2">Signer</th>
                    <th scope="col" className="px-3 py-2">Ref</th>
                    <th scope="col" className="px-3 py-2">Runner</th>
                    <th scope="col" className="px-3 py-2">Image</th>
                    <th scope="col" className="px-3 py-2">Certificate</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {ev.signatures.map((s) => (
                    <tr key={s.id} className="align-top">
                      <td className="whitespace-nowrap px-3 py-2 text-slate-600">{formatTime(s.at)}</td>
                      <td className="max-w-sm px-3 py-2 font-mono text-xs break-all">
                        {(() => {
                          const label = s.identity ?? (s.keyFingerprint ? `key sha256:${s.keyFingerprint}` : '—');
                          const href = identityHref({ identity: s.identity, oidcIssuer: s.issuer, publicKeyFingerprint: s.keyFingerprint });
                          return href ? <Link href={href}>{label}</Link> : label;
                        })()}
                        {s.issuer && <div className="text-slate-500">{s.issuer}</div>}
                        {s.kind === 'attestation' && <Link href={`/attestations/${s.id}`} className="font-sans">attestation</Link>}
                      </td>
                      <td className="px-3 py-2 font-mono text-xs">{s.sourceRef ?? '—'}</td>
                      <td className="px-3 py-2 text-xs">{s.runnerEnvironment ?? '—'}</td>
                      <td className="px-3 py-2 text-xs">
                        <Link href={`/images/${s.imageId}`}><Digest value={s.digest} /></Link>
                        {roles.get(s.imageId)?.role && <div className="text-slate-500">{roles.get(s.imageId)!.role}</div>}
                      </td>
                      <td className="px-3 py-2 text-xs">{s.certificateId ? <Link href={`/certificates/${s.certificateId}`}>certificate</Link> : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )}
        {ev.certificates.length > 0 && (
          <div className="space-y-1">
            <h3 className="text-sm font-semibold text-slate-700">Certificates</h3>
            <ul className="space-y-1 text-sm">
              {ev.certificates.map((c) => (
                <li key={c.id}>
                  <Link href={`/certificates/${c.id}`} className="font-mono text-xs">sha256:{(c.fingerprint ?? c.id).slice(0, 16)}…</Link>{' '}
                  <span className="text-xs text-slate-600">valid {formatTime(c.notBefore)} → {formatTime(c.notAfter)}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        {ev.runs.length > 0 && (
          <div className="space-y-1">
            <h3 className="text-sm font-semibold text-slate-700">Verification runs</h3>
            <ul className="space-y-1 text-sm">
              {ev.runs.map((r) => (
                <li key={r.id} className="flex items-center gap-2">
                  <StatusBadge status={r.status} />
                  <Link href={`/runs/${r.id}`}>{formatTime(r.createdAt)}</Link>
                  {roles.get(r.imageId) && <Digest value={roles.get(r.imageId)!.digest} />}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <section aria-labelledby="acks" className="space-y-3">
        <h2 id="acks" className="text-lg font-semibold">Acknowledgements</h2>
        {acks.length === 0 ? (
          <p className="text-sm text-slate-600">Not acknowledged yet.</p>
        ) : (
          <ol className="space-y-2 text-sm" aria-label="Acknowledgement history">
            {acks.map((a) => (
              <li key={a.id} className="rounded-md border border-slate-200 bg-white px-4 py-2">
                <span className="font-medium">{a.action === 'acknowledged' ? 'Acknowledged' : 'Reopened'}</span> by {a.actor} on {formatTime(a.createdAt)}
                <p className="mt-1 whitespace-pre-wrap text-slate-700 [overflow-wrap:anywhere]">{a.note}</p>
              </li>
            ))}
          </ol>
        )}
        {roleAtLeast(user.role, 'auditor') ? (
          <FindingAckForm findingKey={f.key} status={status} />
        ) : (
          <p className="text-sm text-slate-500">Auditors and admins acknowledge or reopen findings.</p>
        )}
      </section>
    </div>
  );
}
