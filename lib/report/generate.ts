/**
 * Writing a report: select the stored runs, stream the chosen format, optionally sign a
 * summary of the file, and store the bytes (Report table) so it downloads again byte for
 * byte. A stored report is never regenerated: a new one is a new row.
 *
 * `generatedAt` is injectable: the same data and the same time give the same bytes (CSV,
 * JSON, evidence; a PDF carries Chromium's own creation date).
 */
import 'server-only';
import { createHash, type KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { SigscopeError, isSigscopeError } from '../errors';
import type { Db } from '../db/client';
import { csvReport } from './csv';
import { evidenceTar, type TrustRootFile } from './evidence';
import { PDF_MAX_ROWS, reportHtml } from './html';
import { jsonReport } from './json';
import { loadFindings, loadRows, reportHeader, selectRuns, type LoadedRow, type Selection } from './select';
import { reportFileName } from './scope';
import { reportSigningKey } from './signing-key';
import { keyId, signStatement, summaryStatement, type DsseEnvelope } from './sign';
import { FORMAT_EXTENSION, FORMAT_MEDIA_TYPE, type ReportFormat, type ReportHeader, type ReportRow, type Scope } from './types';

async function* rowsOnly(rows: AsyncIterable<LoadedRow>): AsyncGenerator<ReportRow> {
  for await (const r of rows) yield r.row;
}

async function* utf8(chunks: AsyncIterable<string>): AsyncGenerator<Buffer> {
  for await (const c of chunks) yield Buffer.from(c, 'utf8');
}

/** Trusted roots for the evidence archive: given files first (matched by content hash), then the roots configured here by name. */
export async function trustRootsFor(selection: Pick<Selection, 'trustRoots'>, files: string[] = []): Promise<TrustRootFile[]> {
  const { loadTrustRoot } = await import('../verify/trust-root');
  const { trustRootByRunName } = await import('../verify/ca-chain');
  const given = files.map((f) => loadTrustRoot(f));
  const out: TrustRootFile[] = [];
  for (const r of selection.trustRoots) {
    const loaded = given.find((g) => g.hash === r.hash) ?? trustRootByRunName(r.name);
    if (loaded) out.push({ name: r.name, hash: r.hash, json: loaded.json });
  }
  return out;
}

export interface StreamOptions {
  generatedAt: Date;
  /** trusted_root.json files to include in an evidence archive (besides configured roots). */
  trustRootFiles?: string[];
  pageSize?: number;
}

/** The report's bytes as a stream (CSV, JSON, evidence) or one buffer (PDF). */
export async function reportStream(db: Db, selection: Selection, format: ReportFormat, options: StreamOptions): Promise<{ header: ReportHeader; stream: AsyncIterable<Buffer> }> {
  const header = reportHeader(selection, options.generatedAt);
  const rows = () => loadRows(db, selection, options.pageSize);
  const findings = () => loadFindings(db, selection);
  switch (format) {
    case 'csv':
      return { header, stream: utf8(csvReport(rowsOnly(rows()))) };
    case 'json':
      return { header, stream: utf8(jsonReport(header, rowsOnly(rows()), findings)) };
    case 'pdf': {
      const printed: ReportRow[] = [];
      for await (const r of rows()) {
        if (printed.length >= PDF_MAX_ROWS) break;
        printed.push(r.row);
      }
      const { renderPdf } = await import('./pdf');
      const pdf = await renderPdf(reportHtml(header, printed, await findings(), selection.runs.length));
      return { header, stream: (async function* () { yield pdf; })() };
    }
    case 'evidence': {
      const roots = await trustRootsFor(selection, options.trustRootFiles);
      const tar = Readable.from(evidenceTar({ generatedAt: options.generatedAt, reportJson: () => jsonReport(header, rowsOnly(rows()), findings), rows: rows(), trustRoots: roots }));
      // level 9 and no timestamp in the gzip header (Node writes mtime 0): reproducible bytes.
      return { header, stream: tar.pipe(createGzip({ level: 9 })) };
    }
  }
}

export interface GenerateInput {
  scope: Scope;
  policyName?: string | null;
  policyVersion?: number;
  format: ReportFormat;
  actor?: string;
  generatedAt?: Date;
  /** Sign a verification summary: true uses the configured key (SIGSCOPE_REPORT_SIGNING_KEY); a KeyObject is used as is. */
  sign?: boolean | KeyObject;
  trustRootFiles?: string[];
}

export interface StoredReportMeta {
  id: string;
  createdAt: Date;
  actor: string;
  scope: Scope & { label: string };
  scopeLabel: string;
  policyName: string | null;
  policyVersionId: string | null;
  format: ReportFormat;
  fileName: string;
  mediaType: string;
  sha256: string;
  size: number;
  summary: ReportHeader['summary'] & { policyVersion?: number | null };
  signed: boolean;
  signingKeyId: string | null;
  sigscopeVersion: string;
}

/** Largest report kept in the database (a 10k-row evidence archive is a few MB). */
export const MAX_STORED_REPORT_BYTES = 256 * 1024 * 1024;

type ReportRowDb = Awaited<ReturnType<Db['report']['findFirstOrThrow']>>;

function toMeta(row: Omit<ReportRowDb, 'content'>): StoredReportMeta {
  const scope = JSON.parse(row.scope) as Scope & { label: string };
  const summary = JSON.parse(row.summary) as StoredReportMeta['summary'];
  let signingKeyId: string | null = null;
  if (row.attestation) {
    try {
      signingKeyId = (JSON.parse(row.attestation) as DsseEnvelope).signatures[0]?.keyid ?? null;
    } catch {
      signingKeyId = null;
    }
  }
  return {
    id: row.id,
    createdAt: row.createdAt,
    actor: row.actor,
    scope,
    scopeLabel: row.scopeLabel,
    policyName: row.policyName,
    policyVersionId: row.policyVersionId,
    format: row.format as ReportFormat,
    fileName: row.fileName,
    mediaType: row.mediaType,
    sha256: row.sha256,
    size: row.size,
    summary,
    signed: row.attestation !== null,
    signingKeyId,
    sigscopeVersion: row.sigscopeVersion,
  };
}

/** Generates, optionally signs, and stores a report; returns its metadata (the bytes stay in the database). */
export async function generateReport(db: Db, input: GenerateInput): Promise<StoredReportMeta> {
  const generatedAt = input.generatedAt ?? new Date();
  const key = input.sign === true ? await reportSigningKey(db) : input.sign || null;
  if (input.sign === true && !key) {
    throw new SigscopeError('INVALID_INPUT', 'Signing was asked for but no report signing key is configured: store one with `bin/sigscope secrets set-report-key FILE` (kept encrypted), or set SIGSCOPE_REPORT_SIGNING_KEY to a PEM private key file.');
  }
  const selection = await selectRuns(db, input.scope, input.policyName, input.policyVersion);
  const { header, stream } = await reportStream(db, selection, input.format, { generatedAt, trustRootFiles: input.trustRootFiles });
  const chunks: Buffer[] = [];
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += b.length;
    if (size > MAX_STORED_REPORT_BYTES) throw new SigscopeError('SIZE_LIMIT', `The report is larger than ${MAX_STORED_REPORT_BYTES / 1024 / 1024} MiB; narrow the scope.`);
    hash.update(b);
    chunks.push(b);
  }
  const content = Buffer.concat(chunks);
  const sha256 = hash.digest('hex');
  const fileName = reportFileName(input.scope, generatedAt, FORMAT_EXTENSION[input.format]);
  const attestation = key ? JSON.stringify(signStatement(summaryStatement({ name: fileName, sha256, format: input.format }, header), key)) : null;
  try {
    const data = {
      createdAt: generatedAt,
      actor: input.actor ?? 'local',
      scope: JSON.stringify(header.scope),
      scopeLabel: header.scope.label,
      policyName: selection.policy?.name ?? null,
      policyVersionId: selection.policy?.versionId ?? null,
      format: input.format,
      fileName,
      mediaType: FORMAT_MEDIA_TYPE[input.format],
      sha256,
      size,
      content: new Uint8Array(content.buffer, content.byteOffset, content.byteLength),
      summary: JSON.stringify({ ...header.summary, policyVersion: selection.policy?.version ?? null }),
      attestation,
      sigscopeVersion: header.sigscopeVersion,
    };
    // The report and the auditors' log entry are written together.
    const row = await db.$transaction(async (tx) => {
      const created = await tx.report.create({ data, omit: { content: true } });
      await tx.auditEvent.create({
        data: { actor: data.actor, action: 'report', target: created.id, detail: JSON.stringify({ scope: data.scopeLabel, policy: data.policyName, format: data.format, sha256, signed: attestation !== null }) },
      });
      return created;
    });
    return toMeta(row);
  } catch (e) {
    if (isSigscopeError(e)) throw e;
    throw new SigscopeError('DATABASE', `Storing the report failed: ${(e as Error).message.split('\n').filter(Boolean).slice(-1)[0]}`, { cause: e });
  }
}

export async function listReports(db: Db, options: { limit?: number } = {}): Promise<StoredReportMeta[]> {
  const rows = await db.report.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: Math.min(500, Math.max(1, options.limit ?? 100)), omit: { content: true } });
  return rows.map(toMeta);
}

export async function getReportMeta(db: Db, id: string): Promise<StoredReportMeta | null> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return null;
  const row = await db.report.findUnique({ where: { id }, omit: { content: true } });
  return row ? toMeta(row) : null;
}

/** The stored bytes, checked against the stored digest (a changed row is an error, never served). */
export async function getReportContent(db: Db, id: string): Promise<{ meta: StoredReportMeta; content: Buffer; attestation: string | null } | null> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return null;
  const row = await db.report.findUnique({ where: { id } });
  if (!row) return null;
  const content = Buffer.from(row.content);
  const actual = createHash('sha256').update(content).digest('hex');
  if (actual !== row.sha256) throw new SigscopeError('DATABASE', `Stored report ${id} does not match its recorded sha256 (${row.sha256}); it was altered and is not served.`);
  const { content: _c, ...rest } = row;
  return { meta: toMeta(rest), content, attestation: row.attestation };
}

export { keyId };
