/**
 * The evidence archive (tar.gz) of a report, and its offline re-check.
 *
 * Layout:
 *   README.txt                what is here and how to check it
 *   report.json               the report (same document as the JSON format)
 *   trust/<hash>.json         the trusted roots the runs used (their CA certificates)
 *   images/<nnnnn>-<hex>/evidence.json   one image: its row, and every signature as stored
 *   images/<nnnnn>-<hex>/<k>.cert.pem    signing certificates
 *   images/<nnnnn>-<hex>/<k>.statement.json   in-toto statements of attestations (as stored)
 *   keys/<fingerprint>.pem    public keys of key signers (from the runs' policies)
 *   SHA256SUMS                `sha256sum -c` compatible digest of every other file
 *
 * What is stored is what can be re-checked: Sigscope keeps each signature's bytes, its
 * certificate, the digest of the signed payload and the Rekor entry's log index, log id and
 * integrated time (recorded only when the entry verified at run time), not the raw bundles,
 * payloads or inclusion proofs. `verifyEvidence` therefore checks, offline: the archive's
 * digests, each certificate's chain up to a CA of the included trusted root and its validity
 * at the Rekor time, and each signature against its certificate or key over the stored
 * payload digest (cosign signatures), the image digest (message-signature bundles) or the
 * stored statement (attestations, when it is byte-identical to what was signed); and that
 * every row reported verified has such a re-checked signature. Rekor inclusion itself is
 * listed (log index, time), not re-proved: nothing of the proof was stored. Key signers' public
 * keys are included when a stored policy holds them; ad hoc runs keep only the fingerprint, so
 * the auditor passes the key (`--key`).
 */
import { createHash, createPublicKey, verify as cryptoVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { dsse } from '@sigstore/core';
import { verifyPrehashed, UnsupportedDigestVerification } from '../verify/prehashed';
import { SigscopeError } from '../errors';
import { readTar, tarHeader, tarPadding, TAR_END } from './tar';
import type { LoadedRow, RowSignature } from './select';
import type { ReportRow } from './types';

export interface TrustRootFile {
  name: string;
  hash: string;
  /** The root's JSON (its CA certificates are what the check needs). */
  json: unknown;
}

export interface EvidenceSignature extends Omit<RowSignature, 'certificatePem' | 'statement'> {
  certificate: string | null;
  statement: string | null;
  publicKey: string | null;
}

export interface ImageEvidence {
  row: ReportRow;
  platformDigests: string[];
  trustRoot: { name: string; hash: string; file: string | null };
  signatures: EvidenceSignature[];
}

const sha256hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Public keys (PEM) anywhere in a run's policy JSON, by SHA-256 fingerprint of their SPKI. */
function policyKeys(policyJson: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      if (!v.includes('BEGIN PUBLIC KEY')) return;
      try {
        const der = createPublicKey(v).export({ format: 'der', type: 'spki' });
        out.set(sha256hex(der), v.trim() + '\n');
      } catch {
        // not a key we can read: nothing to include
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  try {
    visit(JSON.parse(policyJson));
  } catch {
    // a corrupt policy column has no keys to offer
  }
  return out;
}

/**
 * The archive's tar stream (not compressed): report.json first (from `reportJson`, streamed),
 * then trusted roots, then per-image evidence from `rows`, then SHA256SUMS.
 */
export async function* evidenceTar(options: {
  generatedAt: Date;
  reportJson: () => AsyncIterable<string>;
  rows: AsyncIterable<LoadedRow>;
  trustRoots: TrustRootFile[];
}): AsyncGenerator<Buffer> {
  const mtime = Math.floor(options.generatedAt.getTime() / 1000);
  const sums: string[] = [];
  const file = function* (name: string, data: Buffer): Generator<Buffer> {
    sums.push(`${sha256hex(data)}  ${name}\n`);
    yield tarHeader(name, data.length, mtime);
    yield data;
    yield tarPadding(data.length);
  };

  yield* file('README.txt', Buffer.from(README, 'utf8'));

  // report.json: size is needed before its bytes, so it is collected here; it is the one
  // whole-document buffer of the archive (rows are small; 10k rows ≈ 10 MB).
  const chunks: Buffer[] = [];
  for await (const c of options.reportJson()) chunks.push(Buffer.from(c, 'utf8'));
  yield* file('report.json', Buffer.concat(chunks));
  chunks.length = 0;

  const rootFiles = new Map<string, string>();
  for (const root of options.trustRoots) {
    const name = `trust/${root.hash.replace(/[^a-f0-9]/g, '').slice(0, 64) || sha256hex(root.name)}.json`;
    rootFiles.set(`${root.name}\u0000${root.hash}`, name);
    yield* file(name, Buffer.from(`${JSON.stringify({ name: root.name, hash: root.hash, trustedRoot: root.json }, null, 2)}\n`, 'utf8'));
  }

  const keysWritten = new Set<string>();
  let n = 0;
  for await (const loaded of options.rows) {
    n++;
    const { row } = loaded;
    const dir = `images/${String(n).padStart(5, '0')}-${(row.digest ?? sha256hex(row.input)).replace(/^sha256:/, '').slice(0, 16)}`;
    const keys = policyKeys(loaded.runPolicy);
    const signatures: EvidenceSignature[] = [];
    let k = 0;
    for (const s of loaded.signatures) {
      k++;
      const stem = String(k).padStart(2, '0');
      let certificate: string | null = null;
      let statement: string | null = null;
      let publicKey: string | null = null;
      if (s.certificatePem) {
        certificate = `${stem}.cert.pem`;
        yield* file(`${dir}/${certificate}`, Buffer.from(s.certificatePem, 'utf8'));
      }
      if (s.statement) {
        statement = `${stem}.statement.json`;
        yield* file(`${dir}/${statement}`, Buffer.from(s.statement, 'utf8'));
      }
      if (s.publicKeyFingerprint && !s.certificatePem) {
        const pem = keys.get(s.publicKeyFingerprint);
        if (pem) {
          publicKey = `keys/${s.publicKeyFingerprint}.pem`;
          if (!keysWritten.has(publicKey)) {
            keysWritten.add(publicKey);
            yield* file(publicKey, Buffer.from(pem, 'utf8'));
          }
        }
      }
      const { certificatePem: _c, statement: _s, ...rest } = s;
      signatures.push({ ...rest, certificate, statement, publicKey });
    }
    const evidence: ImageEvidence = {
      row,
      platformDigests: loaded.platformDigests,
      trustRoot: { name: row.trustRoot, hash: '', file: null },
      signatures,
    };
    const root = options.trustRoots.find((r) => r.name === row.trustRoot);
    if (root) evidence.trustRoot = { name: root.name, hash: root.hash, file: rootFiles.get(`${root.name}\u0000${root.hash}`) ?? null };
    yield* file(`${dir}/evidence.json`, Buffer.from(`${JSON.stringify(evidence, null, 2)}\n`, 'utf8'));
  }

  const sumsData = Buffer.from(sums.join(''), 'utf8');
  yield tarHeader('SHA256SUMS', sumsData.length, mtime);
  yield sumsData;
  yield tarPadding(sumsData.length);
  yield TAR_END;
}

const README = `Sigscope evidence archive

report.json      the audit report (JSON Schema: schemas/report.schema.json in Sigscope)
trust/           trusted roots the verification runs used (CA certificates)
images/*/        per image: evidence.json (its report row and every signature as stored),
                 signing certificates (*.cert.pem), attestation statements (*.statement.json)
keys/            public keys of key signers
SHA256SUMS       digests of every file: sha256sum -c SHA256SUMS

Re-check offline:  bin/sigscope report verify-evidence THIS.tar.gz   (or the extracted folder)

It checks every digest, each certificate's chain to the included trusted root and its validity
at the Rekor integrated time, each signature against its certificate or key, and that every
image reported verified has a signature that checks. Rekor inclusion was verified when each
run was made; the log index and integrated time are listed for an online lookup.
`;

// ---------------------------------------------------------------------------
// Offline re-check

export interface EvidenceCheck {
  image: string;
  verdict: string;
  /** 'ok': a verified row has a signature that re-checks; 'failed': it has none; 'info': not a verified row. */
  outcome: 'ok' | 'failed' | 'info';
  details: string[];
}

export interface EvidenceVerification {
  ok: boolean;
  problems: string[];
  images: EvidenceCheck[];
  counts: { images: number; verifiedRows: number; rechecked: number; signatures: number; signaturesRechecked: number };
}

const MAX_ARCHIVE_FILE = 32 * 1024 * 1024;
const MAX_ENTRIES = 500_000;

/** The files of an archive (tar.gz or tar) as name → bytes. */
export function readEvidenceArchive(bytes: Buffer): Map<string, Buffer> {
  let tar = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      tar = gunzipSync(bytes, { maxOutputLength: 2 * 1024 * 1024 * 1024 });
    } catch (e) {
      throw new SigscopeError('INVALID_INPUT', `evidence archive: not a valid gzip file (${(e as Error).message})`);
    }
  }
  return new Map(readTar(tar, { maxFileBytes: MAX_ARCHIVE_FILE, maxEntries: MAX_ENTRIES }).map((e) => [e.name, e.data]));
}

interface CaCert {
  cert: X509Certificate;
  fingerprint: string;
}

function caCertsOf(json: unknown): CaCert[] {
  const root = (json ?? {}) as { certificateAuthorities?: Array<{ certChain?: { certificates?: Array<{ rawBytes?: string }> } }> };
  const out: CaCert[] = [];
  for (const ca of root.certificateAuthorities ?? []) {
    for (const c of ca.certChain?.certificates ?? []) {
      if (typeof c.rawBytes !== 'string') continue;
      try {
        const cert = new X509Certificate(Buffer.from(c.rawBytes, 'base64'));
        out.push({ cert, fingerprint: cert.fingerprint256.replace(/:/g, '').toLowerCase() });
      } catch {
        // an undecodable CA certificate cannot anchor anything
      }
    }
  }
  return out;
}

const within = (cert: X509Certificate, at: Date) => new Date(cert.validFrom) <= at && at <= new Date(cert.validTo);

/** Walks up from the leaf, verifying each signature, to a self-signed CA of the root. Returns a description or throws why not. */
function checkChain(leaf: X509Certificate, cas: CaCert[], at: Date | null): string {
  let current = leaf;
  for (let depth = 0; depth < 8; depth++) {
    const issuer = cas.find((c) => current.checkIssued(c.cert) && c.cert.fingerprint256 !== current.fingerprint256 && current.verify(c.cert.publicKey));
    if (!issuer) {
      if (depth > 0 && current.checkIssued(current) && current.verify(current.publicKey)) return `chain of ${depth + 1} to ${current.subject.split('\n').join(', ')}`;
      throw new Error(depth === 0 ? 'no CA of the trusted root issued the certificate' : `the chain stops at ${current.subject.split('\n').join(', ')} (not self-signed)`);
    }
    if (at && !within(issuer.cert, at)) throw new Error(`CA ${issuer.cert.subject.split('\n').join(', ')} was not valid at ${at.toISOString()}`);
    if (issuer.cert.checkIssued(issuer.cert) && issuer.cert.verify(issuer.cert.publicKey)) return `chain of ${depth + 2} to ${issuer.cert.subject.split('\n').join(', ')}`;
    current = issuer.cert;
  }
  throw new Error('chain longer than 8 certificates');
}

function checkSignature(s: EvidenceSignature, key: KeyObject, image: ImageEvidence, files: (name: string) => Buffer | undefined, dir: string): string {
  const sig = Buffer.from(s.signatureB64, 'base64');
  if (sig.length === 0) throw new Error('no signature bytes stored');
  const tryDigest = (hex: string): boolean => {
    try {
      return verifyPrehashed(key, Buffer.from(hex, 'hex'), 'sha256', sig);
    } catch (e) {
      if (e instanceof UnsupportedDigestVerification) throw new Error(e.message);
      return false;
    }
  };
  const statement = s.statement ? files(`${dir}/${s.statement}`) : undefined;
  if (statement) {
    // A DSSE envelope (attestation, or a cosign v3 bundle signing an in-toto statement): PAE over the statement.
    const alg = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    // Sigscope stores the statement as it parsed it (plus a `statementVersion` field it adds); the
    // signed bytes are the statement without it, when the signer wrote compact JSON in this order.
    const candidates = [statement, withoutStatementVersion(statement)].filter((c): c is Buffer => c !== null);
    const signed = candidates.find((c) => cryptoVerify(alg, dsse.preAuthEncoding('application/vnd.in-toto+json', c), key, sig));
    if (!signed) {
      throw new Error('the stored statement is not byte-identical to the signed payload (it was re-serialised when stored), so its signature cannot be re-checked offline');
    }
    let subjects: string[] = [];
    try {
      const parsed = JSON.parse(statement.toString('utf8')) as { subject?: Array<{ digest?: { sha256?: string } }> };
      subjects = (parsed.subject ?? []).map((x) => `sha256:${x.digest?.sha256 ?? ''}`);
    } catch {
      throw new Error('the stored statement is not JSON');
    }
    const own = [image.row.digest, ...image.platformDigests].filter((d): d is string => d !== null);
    const bound = subjects.find((d) => own.includes(d));
    if (!bound) throw new Error(`the signature verifies but its statement names ${subjects.join(', ') || 'no subject'}, not this image`);
    return `DSSE signature verifies over the stored statement, whose subject is ${bound.slice(0, 19)}…`;
  }
  if (s.kind === 'attestation') throw new Error('the signed statement was not stored (too large), so its signature cannot be re-checked');
  const candidates = s.kind === 'bundle' ? [image.row.digest, ...image.platformDigests, s.payloadDigest] : [s.payloadDigest];
  for (const d of candidates) {
    const hex = d && /^sha256:([a-f0-9]{64})$/.exec(d)?.[1];
    if (hex && tryDigest(hex)) return d !== s.payloadDigest ? `signature verifies over the image manifest ${d.slice(0, 19)}…` : `signature verifies over the payload digest ${d.slice(0, 19)}… (the payload naming the image is not stored)`;
  }
  throw new Error(`the signature does not verify over ${candidates.filter(Boolean).join(' or ')}`);
}

function withoutStatementVersion(statement: Buffer): Buffer | null {
  try {
    const { statementVersion: _v, ...rest } = JSON.parse(statement.toString('utf8')) as Record<string, unknown>;
    return Buffer.from(JSON.stringify(rest), 'utf8');
  } catch {
    return null;
  }
}

function shortDigest(d: string | null): string {
  return d ? `${d.slice(0, 19)}…` : '(unresolved)';
}

/** Re-checks an archive's files offline. Never reaches the network or the database. */
export function verifyEvidence(files: Map<string, Buffer>, options: { keys?: Array<string | Buffer> } = {}): EvidenceVerification {
  const problems: string[] = [];
  // Public keys the auditor supplies (ad hoc key runs store only the key's fingerprint).
  const given = new Map<string, KeyObject>();
  for (const pem of options.keys ?? []) {
    const k = createPublicKey(pem);
    given.set(sha256hex(k.export({ format: 'der', type: 'spki' })), k);
  }
  const sums = files.get('SHA256SUMS');
  if (!sums) problems.push('SHA256SUMS is missing');
  else {
    const listed = new Set<string>();
    for (const line of sums.toString('utf8').split('\n').filter(Boolean)) {
      const m = /^([a-f0-9]{64}) {2}(.+)$/.exec(line);
      if (!m) {
        problems.push(`SHA256SUMS: malformed line ${JSON.stringify(line.slice(0, 80))}`);
        continue;
      }
      listed.add(m[2]!);
      const data = files.get(m[2]!);
      if (!data) problems.push(`${m[2]} is listed in SHA256SUMS but missing`);
      else if (sha256hex(data) !== m[1]) problems.push(`${m[2]} does not match its SHA256SUMS digest (it was changed)`);
    }
    for (const name of files.keys()) if (name !== 'SHA256SUMS' && !listed.has(name)) problems.push(`${name} is not listed in SHA256SUMS`);
  }

  let reportRows: ReportRow[] = [];
  const report = files.get('report.json');
  if (!report) problems.push('report.json is missing');
  else {
    try {
      reportRows = (JSON.parse(report.toString('utf8')) as { rows?: ReportRow[] }).rows ?? [];
    } catch (e) {
      problems.push(`report.json is not JSON: ${(e as Error).message}`);
    }
  }

  const roots = new Map<string, CaCert[]>();
  const rootOf = (file: string | null): CaCert[] => {
    if (!file) return [];
    const hit = roots.get(file);
    if (hit) return hit;
    const data = files.get(file);
    let cas: CaCert[] = [];
    if (data) {
      try {
        cas = caCertsOf((JSON.parse(data.toString('utf8')) as { trustedRoot?: unknown }).trustedRoot);
      } catch {
        problems.push(`${file} is not JSON`);
      }
    }
    roots.set(file, cas);
    return cas;
  };

  const images: EvidenceCheck[] = [];
  const counts = { images: 0, verifiedRows: 0, rechecked: 0, signatures: 0, signaturesRechecked: 0 };
  const dirs = [...files.keys()].filter((n) => /^images\/[^/]+\/evidence\.json$/.test(n)).sort();
  for (const name of dirs) {
    const dir = name.slice(0, -'/evidence.json'.length);
    let ev: ImageEvidence;
    try {
      ev = JSON.parse(files.get(name)!.toString('utf8')) as ImageEvidence;
    } catch (e) {
      problems.push(`${name} is not JSON: ${(e as Error).message}`);
      continue;
    }
    counts.images++;
    const label = `${ev.row.registry}/${ev.row.repository}@${shortDigest(ev.row.digest)}`;
    const details: string[] = [];
    let anyGood = false;
    const cas = rootOf(ev.trustRoot.file);
    for (const s of ev.signatures) {
      counts.signatures++;
      const what = `${s.kind}${s.platform ? ` (${s.platform})` : ''}`;
      try {
        let key: KeyObject;
        let chain = '';
        if (s.certificate) {
          const pem = files.get(`${dir}/${s.certificate}`);
          if (!pem) throw new Error(`${s.certificate} is missing`);
          const cert = new X509Certificate(pem);
          const at = s.rekorIntegratedTime ? new Date(s.rekorIntegratedTime) : null;
          if (at && !within(cert, at)) throw new Error(`the certificate was not valid at the Rekor time ${at.toISOString()}`);
          if (cas.length === 0) throw new Error(`the trusted root ${ev.trustRoot.name} is not in the archive (it was not configured where the report was made; give it with --trusted-root FILE when generating)`);
          chain = checkChain(cert, cas, at) + (at ? '' : '; no Rekor time stored, so validity at signing time is not checked');
          key = cert.publicKey;
        } else if (s.publicKeyFingerprint && given.has(s.publicKeyFingerprint)) {
          key = given.get(s.publicKeyFingerprint)!;
        } else if (s.publicKey) {
          const pem = files.get(s.publicKey);
          if (!pem) throw new Error(`${s.publicKey} is missing`);
          key = createPublicKey(pem);
          if (sha256hex(key.export({ format: 'der', type: 'spki' })) !== s.publicKeyFingerprint) throw new Error(`${s.publicKey} is not the key sha256:${s.publicKeyFingerprint}`);
        } else if (s.publicKeyFingerprint) {
          throw new Error(`signed with key sha256:${s.publicKeyFingerprint}, which the run did not store: give it with --key FILE`);
        } else {
          throw new Error('neither certificate nor public key was stored for this signer');
        }
        const sig = checkSignature(s, key, ev, (n) => files.get(n), dir);
        counts.signaturesRechecked++;
        const rekor = s.rekorLogIndex ? `; Rekor log index ${s.rekorLogIndex} at ${s.rekorIntegratedTime ?? '?'}` : '';
        details.push(`${what}: ${sig}${chain ? `; ${chain}` : ''}${rekor} (stored verdict ${s.verdict})`);
        if (s.verdict === 'verified' && s.kind !== 'attestation') anyGood = true;
      } catch (e) {
        details.push(`${what}: NOT RE-CHECKED: ${(e as Error).message} (stored verdict ${s.verdict})`);
      }
    }
    if (ev.row.verdict === 'verified') {
      counts.verifiedRows++;
      if (anyGood) counts.rechecked++;
      else problems.push(`${label} is reported verified but none of its signatures re-checks`);
    }
    images.push({ image: label, verdict: ev.row.verdict, outcome: ev.row.verdict === 'verified' ? (anyGood ? 'ok' : 'failed') : 'info', details });
    const reported = reportRows.find((r) => r.runId === ev.row.runId && r.digest === ev.row.digest);
    if (!reported) problems.push(`${label} is not a row of report.json`);
    else if (reported.verdict !== ev.row.verdict) problems.push(`${label}: report.json says ${reported.verdict}, its evidence says ${ev.row.verdict}`);
  }
  if (report && reportRows.length !== counts.images) problems.push(`report.json has ${reportRows.length} rows but the archive holds evidence for ${counts.images} images`);
  return { ok: problems.length === 0, problems, images, counts };
}
