/**
 * Plain rows for the explorer's result tables: computed on the server from
 * proven entries, safe to send to a client component (no Node imports here).
 */
import type { ExploredEntry, ProofStatus } from './explore';

/** `/rekor/entries/<uuid | index-N>?trustRoot=…` */
export function rekorEntryHref(entry: { uuid?: string; logIndex: number | string }, trustRoot: string): string {
  const id = entry.uuid ?? `index-${entry.logIndex}`;
  return `/rekor/entries/${id}?trustRoot=${encodeURIComponent(trustRoot)}`;
}

/** The signer an entry names: the certificate identity, or 'public key'. */
export function signerOf(e: ExploredEntry): string | null {
  if (!e.decoded.supported) return null;
  const s = e.decoded.signatures[0];
  if (!s) return null;
  if (s.certificate) return s.certificate.identity ?? s.certificate.subject ?? 'certificate';
  if (s.publicKeyPem) return 'public key';
  return null;
}

/** The artifact (or payload/envelope) hash an entry names, as algorithm:hex. */
export function artifactHashOf(e: ExploredEntry): string | null {
  if (!e.decoded.supported) return null;
  const d = e.decoded.artifactHash ?? e.decoded.payloadHash ?? e.decoded.envelopeHash;
  return d ? `${d.algorithm}:${d.value}` : null;
}

export interface ResultRow {
  key: string;
  href: string;
  logUrl: string;
  logIndex: number;
  status: ProofStatus;
  kind: string;
  artifactHash: string | null;
  signer: string | null;
  /** Unix seconds. */
  integratedTime: number | null;
  images: Array<{ id: string; label: string }>;
}

export function resultRows(entries: readonly ExploredEntry[], trustRoot: string): ResultRow[] {
  return entries.map((e) => ({
    key: `${e.logUrl}#${e.logIndex}#${e.decoded.leafHash}`,
    href: rekorEntryHref(e, trustRoot),
    logUrl: e.logUrl,
    logIndex: e.logIndex,
    status: e.status,
    kind: `${e.decoded.kind ?? 'unknown'} ${e.decoded.apiVersion ?? ''}`.trim(),
    artifactHash: artifactHashOf(e),
    signer: signerOf(e),
    integratedTime: e.decoded.integratedTime ?? null,
    images: [...new Map(e.signatures.map((s) => [s.image.id, { id: s.image.id, label: `${s.image.repository}@${s.image.digest.slice(0, 19)}…` }])).values()],
  }));
}
