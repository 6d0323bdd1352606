import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { Metadata } from 'next';
import { CopyButton } from '@/components/copy-button';
import { Digest } from '@/components/digest';
import { formatTime, imageName } from '@/components/format';
import { FORMAT_LABEL } from '@/components/signature-result';
import { StatusBadge } from '@/components/status-badge';
import { ValidityBar } from '@/components/validity-bar';
import { getCertificateDetail, getDb, identityHref, type CertificateDetail } from '@/lib/db';
import { isSigscopeError } from '@/lib/errors';
import { ctLogNames, resolveChain, type ChainResolution } from '@/lib/verify/ca-chain';
import { describeIssuer, transparencyStatement } from '@/lib/verify/certificate-verdict';
import { rekorEntryUrl } from '@/lib/verify/rekor-links';
import { certificateDetails, decodeCertificate, FULCIO_EXTENSIONS, type CertificateDetails, type DecodedCertificate } from '@/lib/x509';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Certificate ${(await params).id.slice(0, 10)}` };
}

type Decoded = { ok: true; cert: DecodedCertificate; details: CertificateDetails } | { ok: false; error: string };

function decode(pem: string): Decoded {
  try {
    return { ok: true, cert: decodeCertificate(pem), details: certificateDetails(pem) };
  } catch (e) {
    return { ok: false, error: isSigscopeError(e) ? e.message : String(e) };
  }
}

function chainOf(pem: string, run: CertificateDetail['latestRun']): ChainResolution | { error: string } {
  try {
    return resolveChain(pem, run);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const dt = 'text-slate-500';
const dd = 'font-mono text-xs break-all';

export default async function CertificatePage({ params }: { params: Promise<{ id: string }> }) {
  await requirePage('viewer');
  const { id } = await params;
  if (!/^[a-z0-9]{1,64}$/.test(id)) notFound();
  const detail = await getCertificateDetail(await getDb(), id);
  if (!detail) notFound();
  const { certificate: c, signatures, images, latestRun } = detail;
  const decoded = decode(c.pem);
  const signedAt = signatures.flatMap((s) => (s.rekorIntegratedTime ? [s.rekorIntegratedTime] : []));
  const idHref = identityHref({ identity: c.identity, oidcIssuer: c.oidcIssuer });
  const chain = decoded.ok ? chainOf(c.pem, latestRun) : null;
  const ctLogs = decoded.ok && decoded.details.scts.length ? ctLogNames(latestRun ? [latestRun.trustRootName] : []) : new Map<string, string>();
  const verdicts = signatures.map((s) => s.results[0]?.verdict).filter(Boolean);
  const verdict = decoded.ok ? transparencyStatement(decoded.cert, signedAt.length > 0) : null;

  return (
    <div className="space-y-8">
      <nav className="text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href="/identities">Identities</Link>
        {idHref && (
          <>
            {' / '}
            <Link href={idHref} className="break-all">{c.identity}</Link>
          </>
        )}
        {' / certificate'}
      </nav>

      <header className="space-y-2">
        <h1 className="text-xl font-semibold">Certificate</h1>
        <p className="text-sm"><Digest value={`sha256:${c.fingerprintSha256}`} full /></p>
        {c.identity && (
          <p className="text-sm text-slate-700">
            for {idHref ? <Link href={idHref} className="font-mono text-xs break-all">{c.identity}</Link> : <span className="font-mono text-xs">{c.identity}</span>}
            {c.oidcIssuer && <> · issuer <span className="font-mono text-xs">{c.oidcIssuer}</span></>}
          </p>
        )}
        <p className="text-sm text-slate-600" data-testid="certificate-checks-summary">
          Used by {detail.signatureCount} signature{detail.signatureCount === 1 ? '' : 's'}; latest verdicts:{' '}
          {verdicts.length === 0 ? 'never judged' : `${verdicts.filter((v) => v === 'verified').length} verified, ${verdicts.filter((v) => v === 'signed-unchecked').length} signed (signer not checked), ${verdicts.filter((v) => v === 'failed').length} not verified`}.
        </p>
        {decoded.ok && <p className="max-w-4xl text-sm text-slate-700" data-testid="issuer-kind">{describeIssuer(decoded.cert.oidcIssuer)}</p>}
        {verdict && (
          <p role="note" data-testid="transparency-verdict" className={`max-w-4xl rounded-md border p-3 text-sm ${verdict.tone === 'good' ? 'border-emerald-200 bg-emerald-50 text-emerald-900' : 'border-amber-200 bg-amber-50 text-amber-900'}`}>
            {verdict.text}
          </p>
        )}
      </header>

      {!decoded.ok ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">The stored certificate could not be decoded: {decoded.error}</div>
      ) : (
        <>
          <section aria-labelledby="fields" className="space-y-2">
            <h2 id="fields" className="text-lg font-semibold">Decoded</h2>
            <dl className="grid gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-5 text-sm shadow-sm sm:grid-cols-[max-content_1fr]">
              <dt className={dt}>Subject</dt>
              <dd className={dd}>{decoded.cert.subject || <span className="font-sans text-slate-500">empty (Fulcio puts the identity in the SAN)</span>}</dd>
              <dt className={dt}>Subject alternative names</dt>
              <dd className="text-xs">
                <ul className="space-y-0.5">
                  {decoded.cert.subjectAlternativeNames.map((s, i) => (
                    <li key={i}><span className="text-slate-500">{s.type}{s.typeId ? ` (${s.typeId})` : ''}</span> <span className="font-mono break-all">{s.value}</span></li>
                  ))}
                  {decoded.cert.subjectAlternativeNames.length === 0 && <li className="text-slate-500">none</li>}
                </ul>
              </dd>
              <dt className={dt}>Issuer</dt>
              <dd className={dd}>{decoded.cert.issuer}</dd>
              <dt className={dt}>Serial number</dt>
              <dd className={dd}>{decoded.cert.serialNumber}</dd>
              <dt className={dt}>Public key</dt>
              <dd className="text-xs">
                {decoded.cert.publicKey.algorithm}
                {decoded.cert.publicKey.curve ? ` ${decoded.cert.publicKey.curve}` : ''}
                {decoded.cert.publicKey.size ? ` (${decoded.cert.publicKey.size} bits)` : ''} <code className="text-slate-500">{decoded.cert.publicKey.oid}</code>
              </dd>
              <dt className={dt}>Key usage</dt>
              <dd className="text-xs">{decoded.cert.keyUsage.join(', ') || '—'}</dd>
              <dt className={dt}>Extended key usage</dt>
              <dd className="text-xs">{decoded.cert.extendedKeyUsage.join(', ') || '—'}</dd>
              <dt className={dt}>CA</dt>
              <dd className="text-xs">{decoded.cert.isCA ? 'yes (a CA certificate, not a signing leaf)' : 'no'}</dd>
              <dt className={dt}>Key identifiers</dt>
              <dd className={dd}>
                subject {decoded.details.subjectKeyId ?? '—'}
                <br />
                authority {decoded.details.authorityKeyId ?? '—'}
              </dd>
            </dl>
          </section>

          <section aria-labelledby="validity" className="space-y-2">
            <h2 id="validity" className="text-lg font-semibold">Validity window and signing time</h2>
            <div className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
              <ValidityBar notBefore={new Date(decoded.cert.notBefore)} notAfter={new Date(decoded.cert.notAfter)} signedAt={signedAt} />
            </div>
          </section>

          <section aria-labelledby="chain" className="space-y-2">
            <h2 id="chain" className="text-lg font-semibold">Issuer chain</h2>
            {chain && 'error' in chain ? (
              <p className="text-sm text-red-800">The chain could not be resolved: {chain.error}</p>
            ) : chain ? (
              <ChainView chain={chain} leafIssuer={decoded.cert.issuer} />
            ) : null}
          </section>

          <section aria-labelledby="scts" className="space-y-2">
            <h2 id="scts" className="text-lg font-semibold">Signed certificate timestamps</h2>
            {decoded.details.scts.length === 0 ? (
              <p className="text-sm text-slate-600">None embedded.</p>
            ) : (
              <table className="min-w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
                <caption className="sr-only">SCTs embedded in the certificate</caption>
                <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                  <tr><th scope="col" className="px-4 py-2">Log</th><th scope="col" className="px-4 py-2">Log ID</th><th scope="col" className="px-4 py-2">Timestamp</th><th scope="col" className="px-4 py-2">Signature</th></tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {decoded.details.scts.map((s, i) => (
                    <tr key={i}>
                      <td className="px-4 py-2 text-xs">{ctLogs.get(s.logIdBase64) ?? <span className="text-slate-500">a log not in the known trusted roots</span>}</td>
                      <td className="px-4 py-2 font-mono text-xs" title={s.logIdHex}>{s.logIdBase64.slice(0, 16)}…</td>
                      <td className="px-4 py-2 text-xs whitespace-nowrap">{formatTime(s.timestamp)}</td>
                      <td className="px-4 py-2 text-xs">{s.signatureAlgorithm}/{s.hashAlgorithm}, v{s.version + 1}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {decoded.details.scts.length > 0 && <p className="text-xs text-slate-500">Decoded for display; the SCT signature itself is checked by the verification runs (the <code>sct</code> check below).</p>}
          </section>

          <section aria-labelledby="fulcio" className="space-y-2">
            <h2 id="fulcio" className="text-lg font-semibold">Fulcio extensions</h2>
            {Object.keys(decoded.cert.fulcio).length === 0 ? (
              <p className="text-sm text-slate-600">None: this is not a Fulcio certificate, or it carries no identity claims.</p>
            ) : (
              <table className="min-w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm" data-testid="fulcio-extensions">
                <caption className="sr-only">Fulcio extensions</caption>
                <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                  <tr><th scope="col" className="px-4 py-2">Extension</th><th scope="col" className="px-4 py-2">Value</th></tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {FULCIO_EXTENSIONS.filter((e) => decoded.cert.fulcio[e.key] !== undefined).map((e) => (
                    <tr key={e.oid} className="align-top">
                      <th scope="row" className="w-2/5 px-4 py-2 text-left font-normal">
                        <div className="font-medium text-slate-800">{e.label}</div>
                        <div className="text-xs text-slate-500">{e.meaning}</div>
                        <code className="text-xs text-slate-400">{e.oid}</code>
                      </th>
                      <td className="px-4 py-2 font-mono text-xs break-all">{decoded.cert.fulcio[e.key]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}

      <section aria-labelledby="checks" className="space-y-2">
        <h2 id="checks" className="text-lg font-semibold">Checks on signatures made with it</h2>
        {signatures.length === 0 ? (
          <p className="text-sm text-slate-600">No signature uses this certificate.</p>
        ) : (
          <ul className="space-y-3">
            {signatures.map((s) => {
              const r = s.results[0];
              const url = s.rekorLogIndex ? rekorEntryUrl(s.rekorLogId, s.rekorLogIndex) : null;
              return (
                <li key={s.id} className="rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm" data-testid="certificate-signature">
                  <div className="flex flex-wrap items-center gap-2">
                    {r ? <StatusBadge status={r.verdict} /> : <span className="text-xs text-slate-500">never judged</span>}
                    <span className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">{s.kind === 'attestation' ? 'attestation' : 'signature'} · {FORMAT_LABEL[s.format] ?? s.format}</span>
                    {s.predicateType && <Link href={`/attestations/${s.id}`} className="font-mono text-xs">{s.predicateType}</Link>}
                    <Link href={`/images/${s.image.id}`} className="text-xs">{imageName(s.image)}</Link> <Digest value={s.image.digest} />
                    {r && <Link href={`/runs/${r.run.id}`} className="text-xs">run {formatTime(r.run.createdAt)}</Link>}
                    {r?.platform && <span className="text-xs text-slate-500">platform {r.platform}</span>}
                  </div>
                  {s.rekorLogIndex && (
                    <p className="mt-1 text-xs text-slate-600">
                      Rekor {url ? <a href={url} target="_blank" rel="noreferrer">#{s.rekorLogIndex}</a> : `#${s.rekorLogIndex}`}, integrated {formatTime(s.rekorIntegratedTime)}
                    </p>
                  )}
                  {r?.reason && <p className="mt-2 text-red-800">{r.reason}</p>}
                  {r && r.checks.length > 0 && (
                    <ul className="mt-2 space-y-1">
                      {r.checks.map((ch) => (
                        <li key={ch.name} className="flex gap-2">
                          <span aria-label={ch.passed ? 'passed' : 'failed'} className={ch.passed ? 'text-emerald-600' : 'text-red-600'}>{ch.passed ? '✔' : '✘'}</span>
                          <span><code className="text-xs text-slate-500">{ch.name}</code> {ch.detail}</span>
                        </li>
                      ))}
                    </ul>
                  )}
                  {s.results.length > 1 && <p className="mt-2 text-xs text-slate-500">Judged {s.results.length} times; the latest run is shown. Earlier: {s.results.slice(1, 6).map((x) => x.verdict).join(', ')}{s.results.length > 6 ? '…' : ''}.</p>}
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section aria-labelledby="images" className="space-y-2">
        <h2 id="images" className="text-lg font-semibold">Images signed with it</h2>
        <ul className="space-y-1 text-sm">
          {images.map((i) => (
            <li key={i.id}><Link href={`/images/${i.id}`}>{imageName(i)}</Link> <Digest value={i.digest} /></li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="pem" className="space-y-2">
        <div className="flex flex-wrap items-center gap-3">
          <h2 id="pem" className="text-lg font-semibold">PEM</h2>
          <CopyButton text={c.pem} label="Copy PEM" />
          <a href={`/api/certificates/${c.id}/pem`} download className="text-sm">Download</a>
        </div>
        <pre className="overflow-x-auto rounded-lg border border-slate-200 bg-slate-50 p-4 text-xs leading-relaxed" data-testid="certificate-pem">{c.pem}</pre>
      </section>
    </div>
  );
}

function ChainView({ chain, leafIssuer }: { chain: ChainResolution; leafIssuer: string }) {
  const outcomeText = {
    complete: `Chains to a self-signed root in the trusted root "${chain.rootName}".`,
    partial: `Matched up to an intermediate in the trusted root "${chain.rootName}", which holds no root above it.`,
    none: `No CA certificate named "${leafIssuer}" with this key identifier is in the trusted root "${chain.rootName}".`,
    unavailable: chain.note ?? '',
  }[chain.outcome];
  return (
    <div className="space-y-2">
      <p className={`text-sm ${chain.outcome === 'complete' ? 'text-emerald-800' : 'text-amber-900'}`} data-testid="chain-outcome">{outcomeText}</p>
      {chain.note && chain.outcome !== 'unavailable' && <p className="text-sm text-amber-900">{chain.note}</p>}
      {chain.foundIn && chain.foundIn.length > 0 && <p className="text-sm text-slate-700">Its issuer is in another configured root: {chain.foundIn.join(', ')}.</p>}
      {chain.chain.length > 0 && (
        <ol className="space-y-2">
          <li className="rounded-md border border-slate-200 bg-white px-4 py-2 text-xs text-slate-600">this certificate, issued by <span className="font-mono">{leafIssuer}</span></li>
          {chain.chain.map((c) => (
            <li key={c.fingerprintSha256} className="rounded-md border border-slate-200 bg-white px-4 py-2 text-xs">
              <div className="font-mono text-slate-900">↑ {c.subject}</div>
              <div className="mt-0.5 text-slate-600">
                {c.selfSigned ? 'self-signed root' : `issued by ${c.issuer}`} · valid {formatTime(c.notBefore)} → {formatTime(c.notAfter)} · matched by {c.matchedBy === 'key-id' ? 'name and key identifier' : 'name only'}
                {c.ca.uri && <> · CA {c.ca.uri}</>}
                {c.ca.validFrom && <> · trusted from {formatTime(c.ca.validFrom)}{c.ca.validUntil ? ` until ${formatTime(c.ca.validUntil)}` : ''}</>}
              </div>
            </li>
          ))}
        </ol>
      )}
      {chain.chain.length > 0 && (
        <p className="text-xs text-slate-500">Matched by issuer name and key identifier for display; the signature over each link was verified by the runs (the <code>certificate-chain</code> check).</p>
      )}
    </div>
  );
}
