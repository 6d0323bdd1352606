import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Digest } from '@/components/digest';
import { EmptyState } from '@/components/empty-state';
import { formatTime, imageName } from '@/components/format';
import { RunsTable } from '@/components/runs-table';
import { FORMAT_LABEL, SignatureResultCard } from '@/components/signature-result';
import { StatusBadge } from '@/components/status-badge';
import { getDb, getImage, getRun, identityHref, repositoryHref } from '@/lib/db';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Image' };

export default async function ImagePage({ params }: { params: Promise<{ id: string }> }) {
  await requirePage('viewer');
  const { id } = await params;
  if (!/^[a-z0-9]{1,64}$/.test(id)) notFound();
  const db = await getDb();
  const image = await getImage(db, id, { runsLimit: 100 });
  if (!image) notFound();
  const latest = image.runs[0] ? await getRun(db, image.runs[0].id) : null;
  const name = imageName(image);
  return (
    <div className="space-y-8">
      <nav className="text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href="/images">Images</Link> / {name}
      </nav>
      <header className="space-y-2">
        <h1 className="text-xl font-semibold break-all">{name}</h1>
        <p className="text-sm"><Digest value={image.digest} full /></p>
        <p className="text-xs text-slate-500">{image.mediaType} · first seen {formatTime(image.firstSeenAt)} · <Link href={repositoryHref(image)}>repository: who signs it</Link> · <Link href={`/timeline?image=${image.id}`}>Timeline</Link> · <Link href={`/reports?kind=image&value=${encodeURIComponent(`${image.registry}/${image.repository}@${image.digest}`)}`}>Audit report</Link></p>
      </header>

      {latest && (
        <section aria-labelledby="latest" className="space-y-3">
          <div className="flex flex-wrap items-center gap-3">
            <h2 id="latest" className="text-lg font-semibold">Latest verification</h2>
            <StatusBadge status={latest.status} />
            <Link href={`/runs/${latest.id}`} className="text-sm">{formatTime(latest.createdAt)}</Link>
          </div>
          <p className="text-sm text-slate-700">{typeof latest.summary.text === 'string' ? latest.summary.text : ''}</p>
          {latest.results.map((r, i) => (
            <SignatureResultCard key={r.id} r={r} index={i} trustRoot={latest.trustRootName} label={r.signature?.kind === 'attestation' ? 'Attestation' : 'Signature'} />
          ))}
        </section>
      )}

      {image.platforms.length > 0 && (
        <section aria-labelledby="platforms" className="space-y-2">
          <h2 id="platforms" className="text-lg font-semibold">Platforms</h2>
          <ul className="grid gap-2 sm:grid-cols-2">
            {image.platforms.map((p) => (
              <li key={p.digest} className="rounded-md border border-slate-200 bg-white px-4 py-2 text-sm">
                <span className="font-mono text-xs">{[p.os, p.architecture, p.variant].filter(Boolean).join('/')}</span> <Digest value={p.digest} />
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="tags" className="space-y-2">
        <h2 id="tags" className="text-lg font-semibold">Tag observations</h2>
        {image.tagObservations.length === 0 ? (
          <p className="text-sm text-slate-600">Only ever verified by digest.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {image.tagObservations.map((t) => (
              <li key={t.id}><span className="font-mono">{t.tag}</span> → <Digest value={t.digest} /> <span className="text-slate-500">at {formatTime(t.observedAt)}</span></li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="signers" className="space-y-2">
        <h2 id="signers" className="text-lg font-semibold">Signatures and attestations seen</h2>
        {image.signatures.length === 0 ? (
          <EmptyState title="No signatures seen for this image" />
        ) : (
          <ul className="space-y-2 text-sm">
            {image.signatures.map((s) => (
              <li key={s.id} className="rounded-md border border-slate-200 bg-white px-4 py-3">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">{s.kind === 'attestation' ? 'attestation' : 'signature'} · {FORMAT_LABEL[s.format] ?? s.format}</span>
                  {s.predicateType && <Link href={`/attestations/${s.id}`} className="font-mono text-xs">{s.predicateType}</Link>}
                </div>
                <div className="mt-1 font-mono text-xs break-all">
                  {identityHref(s) ? (
                    <Link href={identityHref(s)!}>{s.identity ?? `key sha256:${s.publicKeyFingerprint}`}</Link>
                  ) : (
                    (s.identity ?? (s.publicKeyFingerprint ? `key sha256:${s.publicKeyFingerprint}` : 'unknown signer'))
                  )}
                  {s.certificate && <> · <Link href={`/certificates/${s.certificate.id}`}>certificate</Link></>}
                </div>
                <div className="mt-1 text-xs text-slate-500">
                  {s.oidcIssuer && <>issuer {s.oidcIssuer} · </>}
                  {s.rekorLogIndex != null && <>Rekor #{String(s.rekorLogIndex)} · </>}
                  first seen {formatTime(s.firstSeenAt)}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="history" className="space-y-2">
        <h2 id="history" className="text-lg font-semibold">Verification history</h2>
        <RunsTable
          caption="Verification runs of this image"
          runs={image.runs.map((r) => ({ ...r, summary: typeof r.summary.text === 'string' ? r.summary.text : '', image: null }))}
        />
      </section>
    </div>
  );
}
