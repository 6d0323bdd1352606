/**
 * CSV output (RFC 4180: CRLF lines, quoted cells where needed), one line per row, streamed.
 *
 * Safe against spreadsheet formula injection (OWASP "CSV injection"): a cell whose text starts
 * with `=`, `+`, `-`, `@`, a tab or a carriage return (also after leading spaces, which some
 * spreadsheets skip) is prefixed with a single quote, so it is shown as text and never
 * evaluated. Identities, reasons and tags come from signatures and registries: untrusted.
 * Written by hand because it is twenty lines; a CSV library would not neutralise formulas.
 */
import type { ReportRow } from './types';

const FORMULA_START = /^[ ]*[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One cell: neutralised, then quoted when it holds a separator, a quote, a line break or edge spaces. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: Array<string | number | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export const CSV_COLUMNS = [
  'registry',
  'repository',
  'digest',
  'tags',
  'platforms',
  'verdict',
  'reason_code',
  'reason',
  'signer_identity',
  'signer_issuer',
  'key_fingerprint',
  'github_repository',
  'github_ref',
  'github_trigger',
  'github_workflow',
  'github_commit',
  'runner_environment',
  'certificate_sha256',
  'rekor_log_index',
  'rekor_integrated_time',
  'attestations',
  'signatures',
  'run_id',
  'run_at',
  'policy_hash',
  'trust_root',
  'input',
] as const;

export function csvRow(r: ReportRow): string {
  return csvLine([
    r.registry,
    r.repository,
    r.digest,
    r.tags.join(' '),
    r.platforms.join(' '),
    r.verdict,
    r.reasonCode,
    r.reason,
    r.signer?.identity,
    r.signer?.issuer,
    r.signer?.keyFingerprint,
    r.github?.repository,
    r.github?.ref,
    r.github?.trigger,
    r.github?.workflow,
    r.github?.commit,
    r.github?.runnerEnvironment,
    r.certificateFingerprint,
    r.rekor?.logIndex,
    r.rekor?.integratedTime,
    r.attestations.join(' '),
    r.signatureCount,
    r.runId,
    r.runAt,
    r.policyHash,
    r.trustRoot,
    r.input,
  ]);
}

/** The header line, then one line per row, as they come. */
export async function* csvReport(rows: AsyncIterable<ReportRow>): AsyncGenerator<string> {
  yield csvLine([...CSV_COLUMNS]);
  for await (const r of rows) yield csvRow(r);
}
