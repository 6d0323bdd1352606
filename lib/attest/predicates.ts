/**
 * Human-readable summaries of in-toto predicates: SLSA provenance, SPDX and CycloneDX
 * SBOMs, vulnerability scans, in-toto links, cosign's image-signature statement, and a
 * pretty-printed fallback for everything else.
 *
 * A summary is plain JSON (safe to send to the browser or store). It never throws: a
 * predicate of an unexpected shape yields what could be read plus `problems`.
 *
 * Trust: strings in the structured fields are copied from the (untrusted) predicate,
 * length-capped but otherwise raw, so escape them for the medium (React does; a terminal
 * needs `printable`). `fields[].value`, `title` and `problems` are already made printable.
 */
import { describeError, printable } from '../errors';
import { type JsonObject, boundedCopy, isRecord, own, path, prettyJson, str, strOrNumber } from './json';

export const PREDICATE_SLSA_PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';
export const PREDICATE_SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const PREDICATE_COSIGN_VULN = 'https://cosign.sigstore.dev/attestation/vuln/v1';
export const PREDICATE_COSIGN_CUSTOM = 'https://cosign.sigstore.dev/attestation/v1';
export const PREDICATE_COSIGN_SIGN = 'https://sigstore.dev/cosign/sign/v1';

/** Custom predicates are pretty-printed up to this many characters. */
export const MAX_CUSTOM_JSON_CHARS = 64 * 1024;
/** Provenance materials / resolved dependencies listed (all are counted). */
export const MAX_MATERIALS = 20;
/** SBOM packages / components listed (all are counted). */
export const MAX_TOP_PACKAGES = 10;
/** Packages listed when the SPDX document says which ones it describes. */
export const MAX_DESCRIBED_PACKAGES = 25;
const MAX_FIELD_CHARS = 500;
const MAX_LIST_IN_FIELD = 5;
/** Components visited when counting a CycloneDX tree (nested components included). */
const MAX_COMPONENT_VISITS = 1_000_000;

export type PredicateKind = 'slsa-provenance' | 'spdx' | 'cyclonedx' | 'vulnerability-scan' | 'in-toto-link' | 'image-signature' | 'custom';

export interface SummaryField {
  label: string;
  /** Printable text (control characters escaped, length capped). */
  value: string;
}

interface SummaryBase {
  predicateType: string;
  /** e.g. "SLSA provenance v1". */
  title: string;
  /** Key/value rows for a generic UI, most important first. */
  fields: SummaryField[];
  /** What could not be read. Empty when the predicate had the expected shape. */
  problems: string[];
}

export interface DigestedResource {
  uri?: string;
  name?: string;
  digest: Record<string, string>;
}

export interface WorkflowRef {
  repository?: string;
  path?: string;
  ref?: string;
}

export interface ProvenanceSummary extends SummaryBase {
  kind: 'slsa-provenance';
  slsaVersion: '0.2' | '1';
  /** v0.2 builder.id; v1 runDetails.builder.id. */
  builderId?: string;
  buildType?: string;
  /** Repository URL without the `git+` prefix or `@ref` suffix, e.g. https://github.com/o/r. */
  sourceRepository?: string;
  sourceRef?: string;
  /** Git commit (gitCommit or sha1 digest) of the source. */
  sourceCommit?: string;
  workflow?: WorkflowRef;
  /** v0.2 metadata.buildInvocationId; v1 runDetails.metadata.invocationId. */
  invocationId?: string;
  startedOn?: string;
  finishedOn?: string;
  /** v0.2 only: invocation.configSource. */
  configSource?: DigestedResource & { entryPoint?: string };
  /** v0.2 invocation.parameters; v1 buildDefinition.externalParameters (bounded copy). */
  invocationParameters?: JsonObject;
  /** v1 only: buildDefinition.internalParameters (bounded copy). */
  internalParameters?: JsonObject;
  /** Whether either parameter copy was cut. */
  parametersTruncated: boolean;
  /** v0.2 materials; v1 resolvedDependencies. First MAX_MATERIALS. */
  materials: DigestedResource[];
  materialCount: number;
}

export interface SbomPackage {
  name?: string;
  version?: string;
  purl?: string;
  /** SPDX: SPDXID. */
  spdxId?: string;
  /** CycloneDX: component type (application, library, container…). */
  type?: string;
}

export interface SpdxSummary extends SummaryBase {
  kind: 'spdx';
  format: 'json' | 'tag-value';
  name?: string;
  spdxVersion?: string;
  documentNamespace?: string;
  created?: string;
  creators: string[];
  packageCount: number;
  fileCount: number;
  /** The packages the document DESCRIBES, else the first MAX_TOP_PACKAGES. */
  topPackages: SbomPackage[];
  topPackagesFrom: 'describes' | 'first' | 'none';
}

export interface CycloneDxSummary extends SummaryBase {
  kind: 'cyclonedx';
  specVersion?: string;
  serialNumber?: string;
  bomVersion?: number;
  timestamp?: string;
  tools: string[];
  /** metadata.component: what the BOM is about. */
  component?: SbomPackage;
  /** All components, nested ones included. */
  componentCount: number;
  /** The first MAX_TOP_PACKAGES top-level components. */
  topComponents: SbomPackage[];
}

export interface SeverityCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  negligible: number;
  unknown: number;
}

export interface VulnerabilityScanSummary extends SummaryBase {
  kind: 'vulnerability-scan';
  format: 'cosign-vuln' | 'in-toto-vulns';
  scanner: { uri?: string; name?: string; version?: string; dbUri?: string; dbVersion?: string; dbLastUpdate?: string };
  scanStartedOn?: string;
  scanFinishedOn?: string;
  /** How scanner.result was read; 'unknown' means no counts. */
  resultFormat: 'trivy' | 'grype' | 'in-toto' | 'unknown';
  /** Findings (a vulnerability in a package); undefined when the result format is not known. */
  findingCount?: number;
  severityCounts?: SeverityCounts;
}

export interface LinkSummary extends SummaryBase {
  kind: 'in-toto-link';
  name?: string;
  command?: string[];
  materialCount?: number;
  /** Old-style links only; newer link predicates use the statement subjects as products. */
  productCount?: number;
}

export interface ImageSignatureSummary extends SummaryBase {
  kind: 'image-signature';
  /** Whatever the predicate held (usually nothing), as a bounded copy. */
  annotations?: JsonObject;
}

export interface CustomSummary extends SummaryBase {
  kind: 'custom';
  /** The predicate as 2-space-indented JSON, cut at MAX_CUSTOM_JSON_CHARS ('' when absent). */
  json: string;
  truncated: boolean;
}

export type PredicateSummary = ProvenanceSummary | SpdxSummary | CycloneDxSummary | VulnerabilityScanSummary | LinkSummary | ImageSignatureSummary | CustomSummary;

const SPDX_TYPE = /^https:\/\/spdx\.dev\/Document(\/v\d+(\.\d+)*)?$/;
const CYCLONEDX_TYPE = /^https:\/\/cyclonedx\.org\/bom(\/v\d+(\.\d+)*)?$/;
const IN_TOTO_VULNS_TYPE = /^https:\/\/in-toto\.io\/attestation\/vulns\/v0\.\d+$/;
const LINK_TYPE = /^https:\/\/in-toto\.io\/(Link\/v[\d.]+|attestation\/link\/v[\d.]+)$/;

/** Which summary `summarizePredicate` produces for a predicate type. */
export function predicateKind(predicateType: string): PredicateKind {
  if (predicateType === PREDICATE_SLSA_PROVENANCE_V02 || predicateType === PREDICATE_SLSA_PROVENANCE_V1) return 'slsa-provenance';
  if (SPDX_TYPE.test(predicateType)) return 'spdx';
  if (CYCLONEDX_TYPE.test(predicateType)) return 'cyclonedx';
  // Old cosign releases wrote the vuln type without the scheme.
  if (predicateType === PREDICATE_COSIGN_VULN || predicateType === 'cosign.sigstore.dev/attestation/vuln/v1' || IN_TOTO_VULNS_TYPE.test(predicateType)) return 'vulnerability-scan';
  if (LINK_TYPE.test(predicateType)) return 'in-toto-link';
  if (predicateType === PREDICATE_COSIGN_SIGN) return 'image-signature';
  return 'custom';
}

/**
 * A file name for downloading the predicate, e.g. `sbom.spdx.json`. Pass the predicate too
 * when you have it: a string SBOM (SPDX tag-value, CycloneDX XML) gets a matching extension.
 */
export function predicateDownloadName(predicateType: string, predicate?: unknown): string {
  const textual = typeof predicate === 'string' && !looksLikeJson(predicate);
  switch (predicateKind(predicateType)) {
    case 'slsa-provenance':
      return 'provenance.json';
    case 'spdx':
      return textual ? 'sbom.spdx' : 'sbom.spdx.json';
    case 'cyclonedx':
      return textual ? 'sbom.cdx.xml' : 'sbom.cdx.json';
    case 'vulnerability-scan':
      return 'vulnerabilities.json';
    case 'in-toto-link':
      return 'link.json';
    case 'image-signature':
      return 'signature-predicate.json';
    default:
      return textual ? 'predicate.txt' : 'predicate.json';
  }
}

function looksLikeJson(s: string): boolean {
  const t = s.trimStart();
  return t.startsWith('{') || t.startsWith('[');
}

/** Collects fields and problems while a summary is built. */
class Collector {
  readonly fields: SummaryField[] = [];
  readonly problems: string[] = [];

  field(label: string, value: string | number | undefined): void {
    if (value === undefined || value === '') return;
    this.fields.push({ label, value: printable(String(value), MAX_FIELD_CHARS) });
  }

  problem(message: string): void {
    if (this.problems.length < 50) this.problems.push(message);
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function listForField(items: string[], total = items.length): string | undefined {
  if (items.length === 0) return undefined;
  const shown = items.slice(0, MAX_LIST_IN_FIELD).join(', ');
  return total > MAX_LIST_IN_FIELD ? `${shown} (+${total - MAX_LIST_IN_FIELD} more)` : shown;
}

/**
 * Summarises a predicate for people. Never throws: unexpected shapes give a summary with
 * `problems`; a failure inside a specific reader falls back to the custom summary.
 */
export function summarizePredicate(predicateType: string, predicate: unknown): PredicateSummary {
  const type = typeof predicateType === 'string' ? (str(predicateType, 2048) ?? '') : '';
  try {
    switch (predicateKind(type)) {
      case 'slsa-provenance':
        return type === PREDICATE_SLSA_PROVENANCE_V1 ? summarizeSlsaV1(type, predicate) : summarizeSlsaV02(type, predicate);
      case 'spdx':
        return summarizeSpdx(type, predicate);
      case 'cyclonedx':
        return summarizeCycloneDx(type, predicate);
      case 'vulnerability-scan':
        return summarizeVulnScan(type, predicate);
      case 'in-toto-link':
        return summarizeLink(type, predicate);
      case 'image-signature':
        return summarizeImageSignature(type, predicate);
      default:
        return summarizeCustom(type, predicate);
    }
  } catch (e) {
    const problem = `the predicate could not be summarised (${printable(describeError(e), 200)})`;
    try {
      const fallback = summarizeCustom(type, predicate);
      fallback.problems.unshift(`${problem}; showing it as JSON`);
      return fallback;
    } catch {
      return { kind: 'custom', predicateType: type, title: 'Custom predicate', fields: [], problems: [problem], json: '', truncated: true };
    }
  }
}

// ---------------------------------------------------------------------------
// SLSA provenance

/** `git+https://host/o/r@refs/heads/main` → { repository: 'https://host/o/r', ref: 'refs/heads/main' }. */
export function parseGitUri(uri: string): { repository: string; ref?: string } {
  const u = uri.startsWith('git+') ? uri.slice(4) : uri;
  // The ref follows the last '@' of the path (an '@' before the path is user info).
  const scheme = u.indexOf('://');
  const pathStart = scheme >= 0 ? u.indexOf('/', scheme + 3) : 0;
  const at = u.lastIndexOf('@');
  if (pathStart < 0 || at <= pathStart) return { repository: u };
  return { repository: u.slice(0, at), ref: u.slice(at + 1) || undefined };
}

function sameRepository(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '');
  return norm(a) === norm(b);
}

function readDigestSet(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  const entries: Array<[string, string]> = [];
  for (const [alg, value] of Object.entries(v)) {
    if (entries.length >= 16) break;
    const s = str(value, 256);
    if (s !== undefined && /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(alg)) entries.push([alg, s]);
  }
  return Object.fromEntries(entries);
}

function commitOf(digest: Record<string, string>): string | undefined {
  return digest.gitCommit ?? digest.sha1;
}

function readResources(list: unknown, label: string, c: Collector): { items: DigestedResource[]; count: number } {
  if (list === undefined || list === null) return { items: [], count: 0 };
  if (!Array.isArray(list)) {
    c.problem(`${label} is ${typeName(list)}, not a list`);
    return { items: [], count: 0 };
  }
  const items: DigestedResource[] = [];
  for (const m of list.slice(0, MAX_MATERIALS)) {
    if (!isRecord(m)) continue;
    items.push({ uri: str(own(m, 'uri')), name: str(own(m, 'name')), digest: readDigestSet(own(m, 'digest')) });
  }
  return { items, count: list.length };
}

function boundedObject(v: unknown, label: string, c: Collector): { value?: JsonObject; truncated: boolean } {
  if (v === undefined || v === null) return { truncated: false };
  if (!isRecord(v)) {
    c.problem(`${label} is ${typeName(v)}, not an object`);
    return { truncated: false };
  }
  const copy = boundedCopy(v);
  return { value: copy.value as JsonObject, truncated: copy.truncated };
}

function provenanceFields(s: Omit<ProvenanceSummary, 'fields' | 'problems'>, c: Collector): void {
  c.field('Builder', s.builderId);
  c.field('Build type', s.buildType);
  c.field('Source repository', s.sourceRepository);
  c.field('Source ref', s.sourceRef);
  c.field('Source commit', s.sourceCommit);
  if (s.workflow?.path) c.field('Workflow', s.workflow.ref ? `${s.workflow.path}@${s.workflow.ref}` : s.workflow.path);
  if (s.workflow?.repository && s.workflow.repository !== s.sourceRepository) c.field('Workflow repository', s.workflow.repository);
  c.field('Invocation', s.invocationId);
  c.field('Started', s.startedOn);
  c.field('Finished', s.finishedOn);
  if (s.materialCount > 0) c.field(s.slsaVersion === '1' ? 'Resolved dependencies' : 'Materials', s.materialCount > s.materials.length ? `${s.materialCount} (first ${s.materials.length} listed)` : s.materialCount);
}

function provenanceIsObject(predicate: unknown, c: Collector): predicate is Record<string, unknown> {
  if (isRecord(predicate)) return true;
  c.problem(`the provenance predicate is ${typeName(predicate)}, not an object`);
  return false;
}

function summarizeSlsaV02(type: string, predicate: unknown): ProvenanceSummary {
  const c = new Collector();
  const s: Omit<ProvenanceSummary, 'fields' | 'problems'> = {
    kind: 'slsa-provenance',
    predicateType: type,
    title: 'SLSA provenance v0.2',
    slsaVersion: '0.2',
    parametersTruncated: false,
    materials: [],
    materialCount: 0,
  };
  if (provenanceIsObject(predicate, c)) {
    s.builderId = str(path(predicate, 'builder', 'id'));
    if (!s.builderId) c.problem('builder.id is missing');
    s.buildType = str(own(predicate, 'buildType'));
    if (!s.buildType) c.problem('buildType is missing');

    const invocation = own(predicate, 'invocation');
    if (invocation !== undefined && !isRecord(invocation)) c.problem(`invocation is ${typeName(invocation)}, not an object`);
    const cs = own(invocation, 'configSource');
    if (isRecord(cs)) {
      s.configSource = { uri: str(own(cs, 'uri')), digest: readDigestSet(own(cs, 'digest')), entryPoint: str(own(cs, 'entryPoint')) };
    } else if (cs !== undefined) {
      c.problem(`invocation.configSource is ${typeName(cs)}, not an object`);
    }
    const params = boundedObject(own(invocation, 'parameters'), 'invocation.parameters', c);
    s.invocationParameters = params.value;
    s.parametersTruncated = params.truncated;

    const meta = own(predicate, 'metadata');
    s.invocationId = str(own(meta, 'buildInvocationId'));
    s.startedOn = str(own(meta, 'buildStartedOn'), 64);
    s.finishedOn = str(own(meta, 'buildFinishedOn'), 64);

    const materials = readResources(own(predicate, 'materials'), 'materials', c);
    s.materials = materials.items;
    s.materialCount = materials.count;

    // Source: the config source, else the first git material.
    const sourceUri = s.configSource?.uri ?? s.materials.find((m) => m.uri?.startsWith('git+'))?.uri;
    if (sourceUri) {
      const git = parseGitUri(sourceUri);
      s.sourceRepository = git.repository;
      s.sourceRef = git.ref;
      s.sourceCommit = commitOf(s.configSource?.digest ?? {}) ?? commitOf(s.materials.find((m) => m.uri && sameRepository(parseGitUri(m.uri).repository, git.repository))?.digest ?? {});
    }
    const entryPoint = s.configSource?.entryPoint;
    if (entryPoint && (entryPoint.startsWith('.github/workflows/') || /github/i.test(s.buildType ?? ''))) {
      s.workflow = { repository: s.sourceRepository, path: entryPoint, ref: s.sourceRef };
    }
  }
  provenanceFields(s, c);
  return { ...s, fields: c.fields, problems: c.problems };
}

function summarizeSlsaV1(type: string, predicate: unknown): ProvenanceSummary {
  const c = new Collector();
  const s: Omit<ProvenanceSummary, 'fields' | 'problems'> = {
    kind: 'slsa-provenance',
    predicateType: type,
    title: 'SLSA provenance v1',
    slsaVersion: '1',
    parametersTruncated: false,
    materials: [],
    materialCount: 0,
  };
  if (provenanceIsObject(predicate, c)) {
    const def = own(predicate, 'buildDefinition');
    if (!isRecord(def)) c.problem(def === undefined ? 'buildDefinition is missing' : `buildDefinition is ${typeName(def)}, not an object`);
    const run = own(predicate, 'runDetails');
    if (!isRecord(run)) c.problem(run === undefined ? 'runDetails is missing' : `runDetails is ${typeName(run)}, not an object`);

    s.buildType = str(own(def, 'buildType'));
    if (isRecord(def) && !s.buildType) c.problem('buildDefinition.buildType is missing');
    s.builderId = str(path(run, 'builder', 'id'));
    if (isRecord(run) && !s.builderId) c.problem('runDetails.builder.id is missing');
    s.invocationId = str(path(run, 'metadata', 'invocationId'));
    s.startedOn = str(path(run, 'metadata', 'startedOn'), 64);
    s.finishedOn = str(path(run, 'metadata', 'finishedOn'), 64);

    const ext = own(def, 'externalParameters');
    const extCopy = boundedObject(ext, 'buildDefinition.externalParameters', c);
    const intCopy = boundedObject(own(def, 'internalParameters'), 'buildDefinition.internalParameters', c);
    s.invocationParameters = extCopy.value;
    s.internalParameters = intCopy.value;
    s.parametersTruncated = extCopy.truncated || intCopy.truncated;

    const deps = readResources(own(def, 'resolvedDependencies'), 'buildDefinition.resolvedDependencies', c);
    s.materials = deps.items;
    s.materialCount = deps.count;

    // GitHub Actions build types (actions.github.io and slsa-framework github-actions-buildtypes).
    const wf = own(ext, 'workflow');
    if (isRecord(wf)) {
      const workflow: WorkflowRef = { repository: str(own(wf, 'repository')), path: str(own(wf, 'path')), ref: str(own(wf, 'ref')) };
      if (workflow.repository || workflow.path || workflow.ref) s.workflow = workflow;
    }

    const gitDeps = s.materials.filter((m) => m.uri?.startsWith('git+'));
    const repo = s.workflow?.repository;
    const sourceDep = (repo ? gitDeps.find((m) => sameRepository(parseGitUri(m.uri!).repository, repo)) : undefined) ?? gitDeps.find((m) => commitOf(m.digest));
    const depGit = sourceDep?.uri ? parseGitUri(sourceDep.uri) : undefined;
    s.sourceRepository = repo ?? depGit?.repository;
    s.sourceRef = s.workflow?.ref ?? depGit?.ref;
    s.sourceCommit = sourceDep ? commitOf(sourceDep.digest) : undefined;
  }
  provenanceFields(s, c);
  return { ...s, fields: c.fields, problems: c.problems };
}

// ---------------------------------------------------------------------------
// SBOMs

/** A string predicate that holds a JSON document (some tools double-encode) → the document. */
function unwrapJsonString(predicate: unknown): unknown {
  if (typeof predicate !== 'string' || !looksLikeJson(predicate)) return predicate;
  try {
    return JSON.parse(predicate) as unknown;
  } catch {
    return predicate;
  }
}

function spdxPurl(pkg: Record<string, unknown>): string | undefined {
  const refs = own(pkg, 'externalRefs');
  if (!Array.isArray(refs)) return undefined;
  for (const r of refs.slice(0, 100)) {
    if (own(r, 'referenceType') === 'purl') return str(own(r, 'referenceLocator'));
  }
  return undefined;
}

function spdxPackage(pkg: Record<string, unknown>): SbomPackage {
  return { name: str(own(pkg, 'name'), 512), version: str(own(pkg, 'versionInfo'), 256), purl: spdxPurl(pkg), spdxId: str(own(pkg, 'SPDXID'), 256) };
}

function sbomFieldValue(p: SbomPackage | undefined): string | undefined {
  if (!p?.name) return undefined;
  return p.version ? `${p.name} ${p.version}` : p.name;
}

function summarizeSpdx(type: string, rawPredicate: unknown): SpdxSummary {
  const c = new Collector();
  const predicate = unwrapJsonString(rawPredicate);
  const s: Omit<SpdxSummary, 'fields' | 'problems' | 'title'> = {
    kind: 'spdx',
    predicateType: type,
    format: 'json',
    creators: [],
    packageCount: 0,
    fileCount: 0,
    topPackages: [],
    topPackagesFrom: 'none',
  };

  if (typeof predicate === 'string') {
    readSpdxTagValue(predicate, s, c);
  } else if (!isRecord(predicate)) {
    c.problem(`the SPDX predicate is ${typeName(predicate)}, not an SPDX document`);
  } else {
    s.spdxVersion = str(own(predicate, 'spdxVersion'), 64);
    if (!s.spdxVersion) {
      c.problem(own(predicate, '@context') !== undefined || own(predicate, '@graph') !== undefined ? 'this looks like an SPDX 3 JSON-LD document; only SPDX 2.x documents are summarised' : 'spdxVersion is missing: not an SPDX 2.x JSON document');
    }
    s.name = str(own(predicate, 'name'), 512);
    s.documentNamespace = str(own(predicate, 'documentNamespace'));
    s.created = str(path(predicate, 'creationInfo', 'created'), 64);
    const creators = path(predicate, 'creationInfo', 'creators');
    if (Array.isArray(creators)) s.creators = creators.slice(0, 20).map((x) => str(x, 256)).filter((x): x is string => x !== undefined);

    const packages = own(predicate, 'packages');
    const pkgList = Array.isArray(packages) ? packages.filter(isRecord) : [];
    if (packages !== undefined && !Array.isArray(packages)) c.problem(`packages is ${typeName(packages)}, not a list`);
    s.packageCount = pkgList.length;
    const files = own(predicate, 'files');
    s.fileCount = Array.isArray(files) ? files.length : 0;

    // What the document describes: documentDescribes (SPDX ≤ 2.2) plus DESCRIBES / DESCRIBED_BY relationships.
    const docId = str(own(predicate, 'SPDXID'), 256) ?? 'SPDXRef-DOCUMENT';
    const described = new Set<string>();
    const addDescribed = (id: unknown) => {
      if (typeof id === 'string' && described.size < 1000) described.add(id);
    };
    const dd = own(predicate, 'documentDescribes');
    if (Array.isArray(dd)) dd.forEach(addDescribed);
    const rels = own(predicate, 'relationships');
    if (Array.isArray(rels)) {
      for (const r of rels) {
        const relType = own(r, 'relationshipType');
        if (relType === 'DESCRIBES' && own(r, 'spdxElementId') === docId) addDescribed(own(r, 'relatedSpdxElement'));
        else if (relType === 'DESCRIBED_BY' && own(r, 'relatedSpdxElement') === docId) addDescribed(own(r, 'spdxElementId'));
      }
    }
    const byId = new Map<string, Record<string, unknown>>();
    for (const p of pkgList) {
      const id = own(p, 'SPDXID');
      if (typeof id === 'string' && !byId.has(id)) byId.set(id, p);
    }
    const describedPkgs = [...described].map((id) => byId.get(id)).filter((p): p is Record<string, unknown> => p !== undefined);
    if (describedPkgs.length > 0) {
      s.topPackages = describedPkgs.slice(0, MAX_DESCRIBED_PACKAGES).map(spdxPackage);
      s.topPackagesFrom = 'describes';
    } else if (pkgList.length > 0) {
      s.topPackages = pkgList.slice(0, MAX_TOP_PACKAGES).map(spdxPackage);
      s.topPackagesFrom = 'first';
    }
  }

  const title = s.spdxVersion ? `SPDX SBOM (${printable(s.spdxVersion, 20)})` : 'SPDX SBOM';
  c.field('Document', s.name);
  c.field('SPDX version', s.spdxVersion);
  c.field('Namespace', s.documentNamespace);
  c.field('Created', s.created);
  c.field('Creators', listForField(s.creators));
  c.field('Packages', s.packageCount);
  if (s.fileCount > 0) c.field('Files', s.fileCount);
  if (s.topPackagesFrom === 'describes') c.field('Describes', listForField(s.topPackages.map((p) => sbomFieldValue(p) ?? p.spdxId ?? '?')));
  return { ...s, title, fields: c.fields, problems: c.problems };
}

/** The few header tags of an SPDX tag-value document, and its package count. */
function readSpdxTagValue(text: string, s: Omit<SpdxSummary, 'fields' | 'problems' | 'title'>, c: Collector): void {
  s.format = 'tag-value';
  if (!/^\s*SPDXVersion:/m.test(text)) {
    c.problem('the SPDX predicate is a string that is neither JSON nor an SPDX tag-value document');
    return;
  }
  let current: SbomPackage | undefined;
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+):\s?(.*)$/.exec(line.trimEnd());
    if (!m) continue;
    const [, tag, value] = m as unknown as [string, string, string];
    if (tag === 'SPDXVersion') s.spdxVersion ??= str(value, 64);
    else if (tag === 'DocumentName') s.name ??= str(value, 512);
    else if (tag === 'DocumentNamespace') s.documentNamespace ??= str(value);
    else if (tag === 'Created') s.created ??= str(value, 64);
    else if (tag === 'Creator' && s.creators.length < 20) {
      const v = str(value, 256);
      if (v) s.creators.push(v);
    } else if (tag === 'FileName') s.fileCount += 1;
    else if (tag === 'PackageName') {
      s.packageCount += 1;
      current = s.packageCount <= MAX_TOP_PACKAGES ? { name: str(value, 512) } : undefined;
      if (current) s.topPackages.push(current);
    } else if (current && tag === 'PackageVersion') current.version = str(value, 256);
    else if (current && tag === 'SPDXID') current.spdxId = str(value, 256);
    else if (current && tag === 'ExternalRef') {
      const parts = value.trim().split(/\s+/);
      if (parts[1] === 'purl') current.purl = str(parts[2]);
    }
  }
  if (s.topPackages.length > 0) s.topPackagesFrom = 'first';
}

function cdxComponent(v: unknown): SbomPackage | undefined {
  if (!isRecord(v)) return undefined;
  return { name: str(own(v, 'name'), 512), version: strOrNumber(own(v, 'version'), 256), purl: str(own(v, 'purl')), type: str(own(v, 'type'), 64) };
}

function countComponents(top: unknown[]): number {
  let count = 0;
  const stack: unknown[][] = [top];
  while (stack.length > 0 && count < MAX_COMPONENT_VISITS) {
    const list = stack.pop()!;
    for (const item of list) {
      if (!isRecord(item)) continue;
      count += 1;
      const nested = own(item, 'components');
      if (Array.isArray(nested) && nested.length > 0) stack.push(nested);
    }
  }
  return count;
}

function cdxTools(tools: unknown): string[] {
  // 1.4 and earlier: [{vendor, name, version}]; 1.5+: {components: [...], services: [...]}.
  const list = Array.isArray(tools) ? tools : [...(Array.isArray(own(tools, 'components')) ? (own(tools, 'components') as unknown[]) : []), ...(Array.isArray(own(tools, 'services')) ? (own(tools, 'services') as unknown[]) : [])];
  const out: string[] = [];
  for (const t of list.slice(0, 20)) {
    const name = str(own(t, 'name'), 128);
    if (!name) continue;
    const version = strOrNumber(own(t, 'version'), 64);
    out.push(version ? `${name} ${version}` : name);
  }
  return out;
}

function summarizeCycloneDx(type: string, rawPredicate: unknown): CycloneDxSummary {
  const c = new Collector();
  const predicate = unwrapJsonString(rawPredicate);
  const s: Omit<CycloneDxSummary, 'fields' | 'problems' | 'title'> = { kind: 'cyclonedx', predicateType: type, tools: [], componentCount: 0, topComponents: [] };
  if (typeof predicate === 'string') {
    c.problem(predicate.trimStart().startsWith('<') ? 'the CycloneDX predicate is an XML document; only JSON BOMs are summarised' : 'the CycloneDX predicate is a string, not a BOM');
  } else if (!isRecord(predicate)) {
    c.problem(`the CycloneDX predicate is ${typeName(predicate)}, not a BOM`);
  } else {
    const format = own(predicate, 'bomFormat');
    if (format !== undefined && format !== 'CycloneDX') c.problem(`bomFormat is "${printable(String(format), 40)}", not "CycloneDX"`);
    s.specVersion = strOrNumber(own(predicate, 'specVersion'), 16);
    if (!s.specVersion) c.problem('specVersion is missing');
    s.serialNumber = str(own(predicate, 'serialNumber'), 256);
    const v = own(predicate, 'version');
    if (typeof v === 'number' && Number.isFinite(v)) s.bomVersion = v;
    const meta = own(predicate, 'metadata');
    s.timestamp = str(own(meta, 'timestamp'), 64);
    s.tools = cdxTools(own(meta, 'tools'));
    s.component = cdxComponent(own(meta, 'component'));
    const components = own(predicate, 'components');
    if (Array.isArray(components)) {
      s.componentCount = countComponents(components);
      s.topComponents = components
        .slice(0, MAX_TOP_PACKAGES)
        .map(cdxComponent)
        .filter((x): x is SbomPackage => x !== undefined);
    } else if (components !== undefined) {
      c.problem(`components is ${typeName(components)}, not a list`);
    }
  }
  const title = s.specVersion ? `CycloneDX SBOM (${printable(s.specVersion, 16)})` : 'CycloneDX SBOM';
  c.field('Describes', sbomFieldValue(s.component));
  c.field('Component purl', s.component?.purl);
  c.field('Spec version', s.specVersion);
  c.field('Serial number', s.serialNumber);
  c.field('Created', s.timestamp);
  c.field('Tools', listForField(s.tools));
  c.field('Components', s.componentCount);
  return { ...s, title, fields: c.fields, problems: c.problems };
}

// ---------------------------------------------------------------------------
// Vulnerability scans

const SEVERITY_WORDS: Record<string, keyof SeverityCounts> = {
  critical: 'critical',
  high: 'high',
  important: 'high',
  medium: 'medium',
  moderate: 'medium',
  low: 'low',
  negligible: 'negligible',
  none: 'negligible',
  info: 'negligible',
  informational: 'negligible',
  unknown: 'unknown',
};

/** A severity word or a CVSS score → bucket. */
export function severityBucket(v: unknown): keyof SeverityCounts {
  if (typeof v === 'number') return cvssBucket(v);
  if (typeof v !== 'string') return 'unknown';
  const word = SEVERITY_WORDS[v.trim().toLowerCase()];
  if (word) return word;
  return /^\d+(\.\d+)?$/.test(v.trim()) ? cvssBucket(Number(v)) : 'unknown';
}

function cvssBucket(n: number): keyof SeverityCounts {
  if (!Number.isFinite(n) || n < 0 || n > 10) return 'unknown';
  if (n >= 9) return 'critical';
  if (n >= 7) return 'high';
  if (n >= 4) return 'medium';
  if (n > 0) return 'low';
  return 'negligible';
}

function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0 };
}

/** Counts findings in a scanner result: Trivy JSON, Grype JSON, or the in-toto vulns list. */
function countFindings(result: unknown): { format: VulnerabilityScanSummary['resultFormat']; total?: number; counts?: SeverityCounts } {
  const counts = emptyCounts();
  let total = 0;
  // Trivy: {Results: [{Vulnerabilities: [{Severity}]}]}
  const trivyResults = own(result, 'Results');
  if (Array.isArray(trivyResults) || own(result, 'SchemaVersion') !== undefined) {
    for (const r of Array.isArray(trivyResults) ? trivyResults : []) {
      const vulns = own(r, 'Vulnerabilities');
      if (!Array.isArray(vulns)) continue;
      for (const v of vulns) {
        total += 1;
        counts[severityBucket(own(v, 'Severity'))] += 1;
      }
    }
    return { format: 'trivy', total, counts };
  }
  // Grype: {matches: [{vulnerability: {severity}}]}
  const matches = own(result, 'matches');
  if (Array.isArray(matches)) {
    for (const m of matches) {
      total += 1;
      counts[severityBucket(path(m, 'vulnerability', 'severity'))] += 1;
    }
    return { format: 'grype', total, counts };
  }
  // in-toto vulns: [{id, severity: [{method, score}]}] (v0.1 also nests it under `vulnerability`).
  if (Array.isArray(result)) {
    for (const item of result) {
      const v = isRecord(own(item, 'vulnerability')) ? own(item, 'vulnerability') : item;
      const sev = own(v, 'severity');
      const scores = Array.isArray(sev) ? sev.map((x) => own(x, 'score')) : [sev];
      const bucket = scores.map(severityBucket).find((b) => b !== 'unknown') ?? 'unknown';
      total += 1;
      counts[bucket] += 1;
    }
    return { format: 'in-toto', total, counts };
  }
  return { format: 'unknown' };
}

/** `pkg:github/aquasecurity/trivy@v0.50` or `https://github.com/anchore/grype` → trivy / grype. */
function scannerName(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  let u = uri.startsWith('pkg:') ? uri.slice(4) : uri.replace(/^[a-z]+:\/\//i, '');
  const at = u.indexOf('@');
  if (at >= 0) u = u.slice(0, at);
  const segments = u.split(/[/?#]/).filter(Boolean);
  return str(segments[segments.length - 1], 128);
}

function summarizeVulnScan(type: string, predicate: unknown): VulnerabilityScanSummary {
  const c = new Collector();
  const format = IN_TOTO_VULNS_TYPE.test(type) ? 'in-toto-vulns' : 'cosign-vuln';
  const title = format === 'in-toto-vulns' ? `Vulnerability scan (in-toto vulns ${type.slice(type.lastIndexOf('/') + 1)})` : 'Vulnerability scan (cosign vuln v1)';
  const s: Omit<VulnerabilityScanSummary, 'fields' | 'problems'> = { kind: 'vulnerability-scan', predicateType: type, title, format, scanner: {}, resultFormat: 'unknown' };
  if (!isRecord(predicate)) {
    c.problem(`the vulnerability predicate is ${typeName(predicate)}, not an object`);
  } else {
    let scanner = own(predicate, 'scanner');
    // cosign before 1.5 wrote a `scanners` list.
    const scanners = own(predicate, 'scanners');
    if (scanner === undefined && Array.isArray(scanners)) {
      scanner = scanners[0];
      if (scanners.length > 1) c.problem(`the predicate lists ${scanners.length} scanners; only the first is summarised`);
    }
    if (!isRecord(scanner)) {
      c.problem(scanner === undefined ? 'scanner is missing' : `scanner is ${typeName(scanner)}, not an object`);
    } else {
      const uri = str(own(scanner, 'uri'));
      s.scanner = {
        uri,
        name: scannerName(uri),
        version: strOrNumber(own(scanner, 'version'), 128),
        dbUri: str(path(scanner, 'db', 'uri')),
        dbVersion: strOrNumber(path(scanner, 'db', 'version'), 128),
        dbLastUpdate: str(path(scanner, 'db', 'lastUpdate'), 64),
      };
      const result = own(scanner, 'result');
      if (result === undefined || result === null) {
        c.problem('scanner.result is missing');
      } else {
        const found = countFindings(result);
        s.resultFormat = found.format;
        s.findingCount = found.total;
        s.severityCounts = found.counts;
      }
    }
    const meta = own(predicate, 'metadata');
    s.scanStartedOn = str(own(meta, 'scanStartedOn'), 64);
    s.scanFinishedOn = str(own(meta, 'scanFinishedOn'), 64);
  }

  const sc = s.scanner;
  c.field('Scanner', sc.name ? (sc.version ? `${sc.name} ${sc.version}` : sc.name) : sc.version);
  c.field('Scanner URI', sc.uri);
  c.field('Database', [sc.dbVersion, sc.dbUri ? `(${sc.dbUri})` : undefined].filter(Boolean).join(' '));
  c.field('Database updated', sc.dbLastUpdate);
  c.field('Scan started', s.scanStartedOn);
  c.field('Scan finished', s.scanFinishedOn);
  if (s.findingCount !== undefined && s.severityCounts) {
    const parts = (Object.keys(s.severityCounts) as Array<keyof SeverityCounts>).filter((k) => s.severityCounts![k] > 0).map((k) => `${s.severityCounts![k]} ${k}`);
    c.field('Findings', parts.length > 0 ? `${s.findingCount} (${parts.join(', ')})` : String(s.findingCount));
  } else if (s.resultFormat === 'unknown' && isRecord(predicate) && own(own(predicate, 'scanner'), 'result') !== undefined) {
    c.field('Findings', 'not counted: the scanner result format is not recognised');
  }
  return { ...s, fields: c.fields, problems: c.problems };
}

// ---------------------------------------------------------------------------
// in-toto link

function countEntries(v: unknown): number | undefined {
  if (Array.isArray(v)) return v.length;
  if (isRecord(v)) return Object.keys(v).length;
  return undefined;
}

function summarizeLink(type: string, predicate: unknown): LinkSummary {
  const c = new Collector();
  const s: Omit<LinkSummary, 'fields' | 'problems'> = { kind: 'in-toto-link', predicateType: type, title: 'in-toto link' };
  if (!isRecord(predicate)) {
    c.problem(`the link predicate is ${typeName(predicate)}, not an object`);
  } else {
    s.name = str(own(predicate, 'name'), 256);
    if (!s.name) c.problem('name (the step name) is missing');
    const cmd = own(predicate, 'command');
    if (Array.isArray(cmd)) s.command = cmd.slice(0, 256).map((x) => str(x, 1024) ?? '');
    else if (typeof cmd === 'string') s.command = cmd ? [str(cmd, 4096)!] : [];
    else if (cmd !== undefined) c.problem(`command is ${typeName(cmd)}, not a list of strings`);
    const materials = own(predicate, 'materials');
    s.materialCount = countEntries(materials);
    if (materials !== undefined && s.materialCount === undefined) c.problem(`materials is ${typeName(materials)}`);
    s.productCount = countEntries(own(predicate, 'products'));
  }
  c.field('Step', s.name);
  if (s.command && s.command.length > 0) c.field('Command', s.command.join(' '));
  c.field('Materials', s.materialCount);
  c.field('Products', s.productCount);
  return { ...s, fields: c.fields, problems: c.problems };
}

// ---------------------------------------------------------------------------
// cosign image signature (bundle format)

function summarizeImageSignature(type: string, predicate: unknown): ImageSignatureSummary {
  const c = new Collector();
  const s: Omit<ImageSignatureSummary, 'fields' | 'problems'> = { kind: 'image-signature', predicateType: type, title: 'cosign image signature' };
  c.field('Meaning', 'the signer signed the subject image digest; this statement makes no other claim');
  if (isRecord(predicate)) {
    if (Object.keys(predicate).length > 0) {
      s.annotations = boundedCopy(predicate).value as JsonObject;
      for (const [k, v] of Object.entries(predicate).slice(0, 20)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') c.field(printable(k, 64), String(v));
      }
    }
  } else if (predicate !== undefined && predicate !== null) {
    c.problem(`the predicate is ${typeName(predicate)}; cosign writes none or an object`);
  }
  return { ...s, fields: c.fields, problems: c.problems };
}

// ---------------------------------------------------------------------------
// Anything else

function summarizeCustom(type: string, predicate: unknown): CustomSummary {
  const c = new Collector();
  const isCosignCustom = type === PREDICATE_COSIGN_CUSTOM || type === 'cosign.sigstore.dev/attestation/v1';
  const pretty = prettyJson(predicate, MAX_CUSTOM_JSON_CHARS);
  if (predicate === undefined) c.field('Predicate', 'none');
  else if (isRecord(predicate)) {
    // Top-level scalars make a readable key/value list for most small predicates.
    let shown = 0;
    for (const [k, v] of Object.entries(predicate)) {
      if (shown >= 20) break;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        c.field(printable(k, 64), String(v));
        shown += 1;
      }
    }
    const keys = Object.keys(predicate);
    if (keys.length > shown) c.field('Keys', listForField(keys.map((k) => printable(k, 64)), keys.length));
  } else if (Array.isArray(predicate)) {
    c.field('Predicate', `a list of ${predicate.length} items`);
  } else if (typeof predicate === 'string') {
    c.field('Predicate', `text, ${predicate.length} characters`);
  }
  if (pretty.truncated) c.field('Shown', `the first ${MAX_CUSTOM_JSON_CHARS} characters of the JSON`);
  return {
    kind: 'custom',
    predicateType: type,
    title: isCosignCustom ? 'cosign custom predicate' : 'Custom predicate',
    fields: c.fields,
    problems: c.problems,
    json: pretty.text,
    truncated: pretty.truncated,
  };
}
