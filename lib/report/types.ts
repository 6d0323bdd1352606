/**
 * The shapes of an audit report: its scope (what it covers), its rows (one per image digest),
 * its summary and findings. The JSON output follows these field for field and is described by
 * schemas/report.schema.json (kept in step by lib/report/json.test.ts).
 *
 * No `server-only`: the reports page's form uses the scope schema too.
 */
import { z } from 'zod';

export const SCOPE_KINDS = ['image', 'repository', 'organization', 'scan', 'identity', 'window'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

export const SCOPE_KIND_LABEL: Record<ScopeKind, string> = {
  image: 'Image',
  repository: 'Repository',
  organization: 'Organization',
  scan: 'Scan',
  identity: 'Signer identity',
  window: 'Time window',
};

const text = (max: number) => z.string().trim().min(1).max(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'printable characters only');
const REGISTRY = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/;
const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());

/** What a report covers. Every kind reads stored runs only: nothing is verified again. */
export const ScopeSchema = z.discriminatedUnion('kind', [
  /** `registry/repository@sha256:…` or `registry/repository:tag` (the digest the tag was last seen at). */
  z.object({ kind: z.literal('image'), reference: text(1024) }),
  z.object({ kind: z.literal('repository'), registry: text(261).regex(REGISTRY, 'a registry host'), repository: text(512) }),
  /** A registry and a repository prefix: `ghcr.io/acme` covers `ghcr.io/acme/*` at any depth. Empty prefix: the whole registry. */
  z.object({ kind: z.literal('organization'), registry: text(261).regex(REGISTRY, 'a registry host'), prefix: z.string().trim().max(512).regex(/^[^\u0000-\u001f\u007f]*$/) }),
  z.object({ kind: z.literal('scan'), scanId: text(128).regex(/^[A-Za-z0-9_-]+$/, 'a scan id') }),
  /** A keyless signer (certificate subject and OIDC issuer) or a public key by SHA-256 fingerprint. */
  z
    .object({
      kind: z.literal('identity'),
      subject: text(2048).optional(),
      issuer: z.string().trim().max(2048).optional(),
      fingerprint: z.string().regex(/^[a-f0-9]{64}$/, 'a sha256 key fingerprint (64 lowercase hex)').optional(),
    })
    .refine((v) => (v.subject === undefined) !== (v.fingerprint === undefined), 'give a certificate subject (with its issuer) or a key fingerprint, not both'),
  /** Runs made from `from` (inclusive) until `to` (exclusive). */
  z.object({ kind: z.literal('window'), from: isoDate, to: isoDate }),
]);
export type Scope = z.infer<typeof ScopeSchema>;

export const REPORT_FORMATS = ['csv', 'json', 'pdf', 'evidence'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const FORMAT_MEDIA_TYPE: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  pdf: 'application/pdf',
  evidence: 'application/gzip',
};
export const FORMAT_EXTENSION: Record<ReportFormat, string> = { csv: 'csv', json: 'json', pdf: 'pdf', evidence: 'evidence.tar.gz' };

/** The run statuses a row can have (a report only reads finished runs). */
export type RowVerdict = 'verified' | 'signed-unchecked' | 'failed' | 'unsigned' | 'error';

export interface GithubClaims {
  repository?: string;
  ref?: string;
  trigger?: string;
  workflow?: string;
  workflowName?: string;
  commit?: string;
  runnerEnvironment?: string;
  runInvocation?: string;
}

export interface ReportRow {
  registry: string;
  repository: string;
  /** Null when the run could not resolve the image (a registry error). */
  digest: string | null;
  /** What was verified, as typed. */
  input: string;
  tags: string[];
  /** "os/architecture[/variant]" of an index's platform manifests. */
  platforms: string[];
  verdict: RowVerdict;
  reasonCode: string | null;
  reason: string | null;
  runId: string;
  runAt: string;
  policyHash: string;
  trustRoot: string;
  signer: { identity: string | null; issuer: string | null; keyFingerprint: string | null } | null;
  github: GithubClaims | null;
  certificateFingerprint: string | null;
  rekor: { logIndex: string; logId: string | null; integratedTime: string | null } | null;
  /** Predicate types of the attestations seen, sorted, distinct. */
  attestations: string[];
  signatureCount: number;
}

export interface ReportSummary {
  total: number;
  verified: number;
  signedUnchecked: number;
  failed: number;
  unsigned: number;
  errors: number;
  /** verified / total, in percent with one decimal; 0 when the scope is empty. */
  coveragePercent: number;
}

export interface ReportFinding {
  key: string;
  kind: string;
  severity: string;
  registry: string;
  repository: string;
  title: string;
  detail: string;
  detectedAt: string;
  status: 'open' | 'acknowledged';
  acknowledgement: { action: string; note: string; actor: string; at: string } | null;
}

export interface ReportPolicy {
  name: string;
  version: number;
  hash: string;
}

/** Everything but the rows: written before them (the counts come from the selection). */
export interface ReportHeader {
  reportFormat: typeof REPORT_SCHEMA_ID;
  generatedAt: string;
  sigscopeVersion: string;
  scope: Scope & { label: string };
  /** Null: the latest run of each image whatever the policy. */
  policy: ReportPolicy | null;
  /** Trusted roots the runs used: name and content hash. */
  trustRoots: Array<{ name: string; hash: string }>;
  summary: ReportSummary;
}

export const REPORT_SCHEMA_ID = 'https://sigscope.dev/schemas/report/v1';
