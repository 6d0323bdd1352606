import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { Metadata } from 'next';
import { Digest } from '@/components/digest';
import { formatTime } from '@/components/format';
import { ProofBadge } from '@/components/rekor-proof-badge';
import { identityHref } from '@/lib/db/identity-key';
import { isSigscopeError } from '@/lib/errors';
import { artifactHashOf, queryFromEntryId, type ExploredEntry, type ExploreResult } from '@/lib/rekor/explore';
import { exploreRekor } from '@/lib/rekor/explore-db';
import type { EntrySignature } from '@/lib/rekor';
import { requirePage } from '@/lib/auth/page';
import { CheckpointBanner } from '../../_components/checkpoint-banner';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Rekor entry ${id.startsWith('index-') ? id.slice(6) : id.slice(0, 12)}` };
}

const dt = 'text-slate-500';
const dd = 'font-mono text-xs break-all';

const STEP_LABEL: Record<string, string> = {
  log: 'Log is in the trusted root',
  uuid: 'Body matches the UUID',
  inclusion: 'Leaf → audit path → root',
  checkpoint: 'Root signed in a checkpoint',
  set: 'Signed entry timestamp (SET)',
};

function SignatureView({ s, i }: { s: EntrySignature; i: number }) {
  const c = s.certificate;
  const fulcio = (c?.fulcio ?? {}) as Record<string, unknown>;
  const github = Object.entries(fulcio).filter(([k, v]) => k.startsWith('github') && typeof v === 'string');
  return (
    <dl className="grid gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-5 text-sm shadow-sm sm:grid-cols-[max-content_1fr]" data-testid="entry-signature">
      <dt className={dt}>Signature {i + 1}</dt>
      <dd className={dd}>{s.signature ?? '—'}</dd>
      {s.problem && (
        <>
          <dt className={dt}>Problem</dt>
          <dd className="text-xs text-red-800">{s.problem}</dd>
        </>
      )}
      {c ? (
        <>
          <dt className={dt}>Certificate identity</dt>
          <dd className={dd} data-testid="entry-identity">{c.identity ?? '—'}</dd>
          <dt className={dt}>OIDC issuer</dt>
          <dd className={dd}>{c.oidcIssuer ?? '—'}</dd>
          <dt className={dt}>Certificate issuer</dt>
          <dd className={dd}>{c.issuer}</dd>
          <dt className={dt}>Valid</dt>
          <dd className="text-xs">{formatTime(c.notBefore)} → {formatTime(c.notAfter)}</dd>
          <dt className={dt}>Fingerprint</dt>
          <dd><Digest value={`sha256:${c.fingerprintSha256}`} full /></dd>
          {github.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className={dt}>GitHub {k.replace(/^github/, '').replace(/([A-Z])/g, ' $1').trim().toLowerCase()}</dt>
              <dd className={dd}>{String(v)}</dd>
            </div>
          ))}
        </>
      ) : s.publicKeyPem ? (
        <>
          <dt className={dt}>Public key</dt>
          <dd><pre className="overflow-x-auto text-xs">{s.publicKeyPem}</pre></dd>
        </>
      ) : null}
    </dl>
  );
}

function EntryView({ e, trustRoot }: { e: ExploredEntry; trustRoot: string }) {
  const hash = artifactHashOf(e);
  const d = e.decoded;
  const images = new Map(e.signatures.map((s) => [s.image.id, s.image]));
  const identities = new Map(e.signatures.flatMap((s) => {
    const href = identityHref(s);
    return href ? [[href, s.identity ?? s.publicKeyFingerprint ?? href] as const] : [];
  }));
  const certificates = [...new Set(e.signatures.flatMap((s) => (s.certificateId ? [s.certificateId] : [])))];
  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="flex flex-wrap items-center gap-3 text-xl font-semibold">
          Rekor entry {e.logIndex} <ProofBadge status={e.status} large />
        </h1>
        <p className="text-sm text-slate-600">
          in <span className="font-mono text-xs">{e.logUrl}</span> ({e.logVersion}) · trusted root {trustRoot}
        </p>
        {e.verification.reason && (
          <p role="alert" className="max-w-4xl rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">Not proven: {e.verification.reason}</p>
        )}
        {e.status === 'set-only' && (
          <p role="note" className="max-w-4xl rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">Only the SET verifies: the log promised to include this entry, but no inclusion proof anchored in a signed checkpoint shows it did.</p>
        )}
      </header>

      <section aria-labelledby="proof" className="space-y-2">
        <h2 id="proof" className="text-lg font-semibold">Proof, step by step</h2>
        <ol className="space-y-2">
          {e.verification.steps.map((s) => (
            <li key={s.id} data-testid="proof-step" data-step={s.id} data-step-status={s.status} className={`rounded-md border p-3 text-sm ${s.status === 'passed' ? 'border-emerald-200 bg-emerald-50 text-emerald-900' : s.status === 'failed' ? 'border-red-200 bg-red-50 text-red-900' : 'border-slate-200 bg-slate-50 text-slate-700'}`}>
              <span className="font-medium">{s.status === 'passed' ? '✓' : s.status === 'failed' ? '✗' : '–'} {STEP_LABEL[s.id] ?? s.id}</span>
              <span className="ml-2 text-xs break-all">{s.detail}</span>
            </li>
          ))}
        </ol>
        {e.checkpointText && (
          <details className="rounded-md border border-slate-200 bg-white p-3 text-sm">
            <summary className="cursor-pointer text-slate-700">Checkpoint text</summary>
            <pre className="mt-2 overflow-x-auto text-xs" data-testid="checkpoint-text">{e.checkpointText}</pre>
          </details>
        )}
      </section>

      <section aria-labelledby="decoded" className="space-y-2">
        <h2 id="decoded" className="text-lg font-semibold">Decoded entry</h2>
        <dl className="grid gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-5 text-sm shadow-sm sm:grid-cols-[max-content_1fr]">
          <dt className={dt}>Kind</dt>
          <dd className="text-xs">{d.kind ?? 'unknown'} {d.apiVersion ?? ''}{!d.supported && <span className="ml-2 text-red-800">{d.reason}</span>}</dd>
          {e.uuid && (
            <>
              <dt className={dt}>UUID</dt>
              <dd className={dd}>{e.uuid}</dd>
            </>
          )}
          <dt className={dt}>Log index</dt>
          <dd className={dd}>{e.logIndex}</dd>
          <dt className={dt}>Log ID</dt>
          <dd className={dd}>{d.logId}</dd>
          <dt className={dt}>Integrated time</dt>
          <dd className="text-xs">{d.integratedTime ? `${formatTime(new Date(d.integratedTime * 1000))}${e.verification.setVerified ? ' (vouched for by the SET)' : ' (not vouched for: no verified SET)'}` : '—'}</dd>
          <dt className={dt}>Leaf hash</dt>
          <dd className={dd}>{d.leafHash}</dd>
          {hash && (
            <>
              <dt className={dt}>Artifact hash</dt>
              <dd><Digest value={hash} full /></dd>
            </>
          )}
          {d.supported && d.payloadType && (
            <>
              <dt className={dt}>Payload type</dt>
              <dd className={dd}>{d.payloadType}</dd>
            </>
          )}
          {d.notes.map((n, i) => (
            <div key={i} className="contents">
              <dt className={dt}>Note</dt>
              <dd className="text-xs text-amber-900">{n}</dd>
            </div>
          ))}
        </dl>
        {d.supported && d.signatures.map((s, i) => <SignatureView key={i} s={s} i={i} />)}
      </section>

      <section aria-labelledby="links" className="space-y-2">
        <h2 id="links" className="text-lg font-semibold">In Sigscope</h2>
        {e.signatures.length === 0 ? (
          <p className="text-sm text-slate-600">No stored signature names this entry (log index {e.logIndex}, log ID {d.logId.slice(0, 16)}…). Verify an image to link its signatures.</p>
        ) : (
          <ul className="space-y-1 text-sm" data-testid="entry-links">
            {[...images.values()].map((img) => (
              <li key={img.id}>Image <Link href={`/images/${img.id}`} className="font-mono text-xs">{img.registry}/{img.repository}@{img.digest.slice(0, 19)}…</Link></li>
            ))}
            {[...identities.entries()].map(([href, label]) => (
              <li key={href}>Identity <Link href={href} className="font-mono text-xs break-all">{label}</Link></li>
            ))}
            {certificates.map((id) => (
              <li key={id}>Certificate <Link href={`/certificates/${id}`} className="font-mono text-xs">{id}</Link></li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

export default async function RekorEntryPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('viewer');
  const { id } = await params;
  const sp = await searchParams;
  const trustRoot = (Array.isArray(sp.trustRoot) ? sp.trustRoot[0] : sp.trustRoot)?.slice(0, 4096) || undefined;
  let result: ExploreResult;
  try {
    result = await exploreRekor(trustRoot, queryFromEntryId(id));
  } catch (e) {
    if (!isSigscopeError(e)) throw e;
    if (e.code === 'INVALID_INPUT') notFound();
    return <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">{e.message}</div>;
  }
  const rootName = result.trustRoot.name;
  return (
    <div className="space-y-6">
      <nav className="text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href={`/rekor?trustRoot=${encodeURIComponent(rootName)}`}>Rekor</Link>
        {' / entry'}
      </nav>
      <CheckpointBanner statuses={(result.checkpoints ?? []).filter((c) => c.flagged)} />
      {result.messages.map((m, i) => (
        <p key={i} role="note" className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">{m}</p>
      ))}
      {result.entries.map((e) => <EntryView key={`${e.logUrl}#${e.logIndex}`} e={e} trustRoot={rootName} />)}
    </div>
  );
}
