/**
 * Drift and anomalies: findings derived, per repository, from the stored signing history.
 *
 * Pure functions over plain records (no database, no `server-only`): lib/db/findings.ts
 * loads the records, the pages render the findings. A finding has a stable `key` built from
 * what it is about (repository, signer, ref, digest, certificate), never from row ids or
 * times, so an acknowledgement (FindingAck.findingKey) keeps applying to it as history grows.
 *
 * Order: a signature's time is its Rekor integrated time, else when Sigscope first stored
 * it; ties (Rekor counts seconds) are broken by first-seen time, then id.
 *
 * Only *authentic* signatures (their certificate chain, transparency-log entry and signature
 * checked out at least once, whatever the signer policy said) make a signing history: a
 * forged or replayed signature can claim any identity. The rules, per repository
 * (`registry/repository`):
 *
 * - new-identity: a signer (issuer + certificate subject with its `@refs/...` suffix
 *   stripped, i.e. the workflow file; or a public key) whose first signature comes after the
 *   repository's second signed digest appeared. Signers of the first digest, before any other
 *   digest was signed, are the baseline. High when the OIDC issuer is new to the repository too.
 * - unusual-ref: a keyless signature whose source ref does not fit the pattern of its own
 *   signer's (workflow's) first signature in the repository. Patterns: any `refs/tags/*` is one
 *   pattern (a new release tag after tags is usual); a branch, pull or other ref is its own.
 *   So: a branch where it signed from tags, a tag where it signed from a branch, or a branch it
 *   never signed from. One finding per signer and pattern. High when a digest it signed carries a
 *   release-like tag (`1.2`, `v1.2.3-rc.1`) and the ref is not a tag: a branch build signing a release.
 * - self-hosted-runner: a signature whose certificate says `runnerEnvironment: self-hosted`
 *   after at least one earlier signature of the repository said `github-hosted`. One per digest.
 * - tag-moved: a tag observed on a digest other than its previous observation's, where the
 *   previous digest had authentic signatures and the new one has none (high: unsigned, or
 *   only signatures that did not verify), or none of the same signers (medium).
 * - outside-validity: a certificate whose signature's Rekor integrated time is before its
 *   notBefore or after its notAfter (any signature with both, authentic or not).
 * - stopped-signing: with more than N signed digests (default 3), a signer that signed one of
 *   the earlier digests but none of the latest N.
 */

export const FINDING_KINDS = ['new-identity', 'unusual-ref', 'self-hosted-runner', 'tag-moved', 'outside-validity', 'stopped-signing'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];
export const SEVERITIES = ['high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const FINDING_KIND_LABEL: Record<FindingKind, string> = {
  'new-identity': 'New signer',
  'unusual-ref': 'Unusual workflow ref',
  'self-hosted-runner': 'Self-hosted runner',
  'tag-moved': 'Tag moved',
  'outside-validity': 'Signed outside certificate validity',
  'stopped-signing': 'Signer stopped signing',
};

/** One stored signature (or attestation) with what the rules need from its certificate. */
export interface SignatureFact {
  id: string;
  imageId: string;
  registry: string;
  repository: string;
  /** Digest of the image it signs. */
  digest: string;
  /** 'cosign-sig' | 'bundle' | 'attestation' */
  kind: string;
  certificateId: string | null;
  certificateFingerprint: string | null;
  /** Certificate SAN identity. */
  identity: string | null;
  /** OIDC issuer. */
  issuer: string | null;
  keyFingerprint: string | null;
  /** Git ref the build ran on (Fulcio sourceRepositoryRef, else githubWorkflowRef). */
  sourceRef: string | null;
  /** Fulcio runnerEnvironment: 'github-hosted' | 'self-hosted' | … */
  runnerEnvironment: string | null;
  /** Rekor integrated time (stored only once the entry verified). */
  signedAt: Date | null;
  firstSeenAt: Date;
  notBefore: Date | null;
  notAfter: Date | null;
  /** Chain, transparency log and signature verified at least once. */
  authentic: boolean;
}

/** "tag pointed at digest at observedAt" in a repository. */
export interface TagFact {
  id: string;
  imageId: string;
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  observedAt: Date;
}

/** A verification run of an image (evidence links). */
export interface RunFact {
  id: string;
  imageId: string;
  createdAt: Date;
  status: string;
}

export interface DriftHistory {
  signatures: SignatureFact[];
  tags: TagFact[];
  /** Optional: when given, each evidence image lists its latest runs. */
  runs?: RunFact[];
}

export interface DriftOptions {
  /** stopped-signing looks at the latest N signed digests (default 3). */
  latestN?: number;
  /** Evidence signatures kept per finding (default 50); `evidence.signatureCount` has the total. */
  maxEvidence?: number;
  /** Runs listed per evidence image (default 3). */
  runsPerImage?: number;
}

export interface EvidenceImage {
  id: string;
  digest: string;
  tags: string[];
  /** Its role in the finding, e.g. "new digest", "previous digest". */
  role?: string;
}
export interface EvidenceSignature {
  id: string;
  imageId: string;
  digest: string;
  kind: string;
  identity: string | null;
  issuer: string | null;
  keyFingerprint: string | null;
  sourceRef: string | null;
  runnerEnvironment: string | null;
  certificateId: string | null;
  at: Date;
}
export interface EvidenceCertificate {
  id: string;
  fingerprint: string | null;
  notBefore: Date | null;
  notAfter: Date | null;
}
export interface EvidenceRun {
  id: string;
  imageId: string;
  createdAt: Date;
  status: string;
}
export interface FindingEvidence {
  images: EvidenceImage[];
  signatures: EvidenceSignature[];
  /** Signatures behind the finding, including those beyond `signatures`. */
  signatureCount: number;
  certificates: EvidenceCertificate[];
  runs: EvidenceRun[];
}

export interface Finding {
  key: string;
  kind: FindingKind;
  severity: Severity;
  registry: string;
  repository: string;
  title: string;
  /** What happened and what to do, for a person. */
  detail: string;
  /** When the triggering event happened. */
  detectedAt: Date;
  evidence: FindingEvidence;
}

// ---------------------------------------------------------------------------
// Signers, refs, tags

/** A certificate URI SAN without its `@refs/...` suffix: the workflow file, whatever ref it ran on. */
export function workflowIdentity(identity: string): string {
  const m = /^(https?:\/\/[^@\s]+)@refs\/\S+$/.exec(identity);
  return m ? m[1]! : identity;
}

/** The ref part of a workflow SAN (`…@refs/heads/main` → `refs/heads/main`), else null. */
export function refFromIdentity(identity: string | null): string | null {
  if (!identity) return null;
  const m = /^https?:\/\/[^@\s]+@(refs\/\S+)$/.exec(identity);
  return m ? m[1]! : null;
}

export interface Signer {
  /** Stable, unique per signer. */
  key: string;
  issuer: string | null;
  /** Workflow identity (SAN without ref) for keyless signers. */
  subject: string | null;
  keyFingerprint: string | null;
  label: string;
}

export function signerOf(s: Pick<SignatureFact, 'identity' | 'issuer' | 'keyFingerprint'>): Signer | null {
  if (s.identity) {
    const subject = workflowIdentity(s.identity);
    const issuer = s.issuer ?? '';
    return { key: `${issuer}\n${subject}`, issuer: s.issuer, subject, keyFingerprint: null, label: subject };
  }
  if (s.keyFingerprint) {
    return { key: `key\n${s.keyFingerprint}`, issuer: null, subject: null, keyFingerprint: s.keyFingerprint, label: `key sha256:${s.keyFingerprint.slice(0, 16)}…` };
  }
  return null;
}

/** The key segment naming a signer: `<issuer>:<subject>` or `key:<fingerprint>`. */
function signerKeyPart(s: Signer): string {
  return s.subject !== null ? `${s.issuer ?? ''}:${s.subject}` : `key:${s.keyFingerprint ?? ''}`;
}

export type RefKind = 'branch' | 'tag' | 'pull' | 'other';
export function refKind(ref: string): RefKind {
  if (ref.startsWith('refs/heads/')) return 'branch';
  if (ref.startsWith('refs/tags/')) return 'tag';
  if (ref.startsWith('refs/pull/') || ref.startsWith('refs/merge-requests/')) return 'pull';
  return 'other';
}

/** What "the usual pattern" compares: any tag is like any other tag; branches and others by name. */
export function refPattern(ref: string): string {
  return refKind(ref) === 'tag' ? 'refs/tags/*' : ref;
}

export function sourceRefOf(s: Pick<SignatureFact, 'sourceRef' | 'identity'>): string | null {
  return s.sourceRef ?? refFromIdentity(s.identity);
}

const RELEASE_TAG = /^v?\d+(\.\d+){0,3}(-[0-9A-Za-z][0-9A-Za-z.-]*)?$/;
/** `1.2`, `v1.2.3`, `2.0.0-rc.1`: a tag people read as a release. */
export function isReleaseTag(tag: string): boolean {
  return RELEASE_TAG.test(tag);
}

export function timeOf(s: Pick<SignatureFact, 'signedAt' | 'firstSeenAt'>): Date {
  return s.signedAt ?? s.firstSeenAt;
}

export function compareSignatures(a: SignatureFact, b: SignatureFact): number {
  return timeOf(a).getTime() - timeOf(b).getTime() || a.firstSeenAt.getTime() - b.firstSeenAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function repoName(r: { registry: string; repository: string }): string {
  return `${r.registry}/${r.repository}`;
}

/** Splits a finding key into kind and repository (`kind:registry/repository:…`); null when it is not one. */
export function parseFindingKey(key: string): { kind: FindingKind; registry: string; repository: string } | null {
  const m = /^([a-z-]+):([^/\s]+)\/([^:\s]+)(?::|$)/.exec(key);
  if (!m) return null;
  const kind = m[1] as FindingKind;
  if (!FINDING_KINDS.includes(kind)) return null;
  return { kind, registry: m[2]!, repository: m[3]! };
}

const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
export function compareFindings(a: Finding, b: Finding): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.detectedAt.getTime() - a.detectedAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

const shortDigest = (d: string) => {
  const [alg, hex] = d.split(':');
  return hex ? `${alg}:${hex.slice(0, 12)}` : d;
};
const when = (d: Date) => d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
function listSome(items: string[], max = 3): string {
  const shown = items.slice(0, max);
  const rest = items.length - shown.length;
  return shown.join(', ') + (rest > 0 ? ` and ${rest} more` : '');
}

// ---------------------------------------------------------------------------
// Detection

interface RepoContext {
  registry: string;
  repository: string;
  name: string;
  /** Authentic signatures, oldest first. */
  sorted: SignatureFact[];
  /** Every signature of the repository (authentic or not). */
  all: SignatureFact[];
  tags: TagFact[];
  tagsByDigest: Map<string, string[]>;
  imageIdByDigest: Map<string, string>;
  runsByImage: Map<string, RunFact[]>;
  opts: Required<DriftOptions>;
  /** signerOf, computed once per signature. */
  signer: (s: SignatureFact) => Signer | null;
}

/** All findings of the history, most severe then newest first. */
export function detectDrift(history: DriftHistory, options: DriftOptions = {}): Finding[] {
  const opts: Required<DriftOptions> = { latestN: 3, maxEvidence: 50, runsPerImage: 3, ...options };
  const repos = new Map<string, { registry: string; repository: string; sigs: SignatureFact[]; tags: TagFact[] }>();
  const repoOf = (r: { registry: string; repository: string }) => {
    const name = repoName(r);
    let entry = repos.get(name);
    if (!entry) repos.set(name, (entry = { registry: r.registry, repository: r.repository, sigs: [], tags: [] }));
    return entry;
  };
  for (const s of history.signatures) repoOf(s).sigs.push(s);
  for (const t of history.tags) repoOf(t).tags.push(t);
  const runsByImage = new Map<string, RunFact[]>();
  for (const r of history.runs ?? []) {
    const list = runsByImage.get(r.imageId);
    if (list) list.push(r);
    else runsByImage.set(r.imageId, [r]);
  }
  for (const list of runsByImage.values()) list.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));

  const out: Finding[] = [];
  for (const [name, repo] of repos) {
    const sorted = repo.sigs.filter((s) => s.authentic).sort(compareSignatures);
    const tagsByDigest = new Map<string, string[]>();
    const imageIdByDigest = new Map<string, string>();
    for (const s of repo.sigs) imageIdByDigest.set(s.digest, s.imageId);
    for (const t of repo.tags) {
      imageIdByDigest.set(t.digest, t.imageId);
      const list = tagsByDigest.get(t.digest);
      if (!list) tagsByDigest.set(t.digest, [t.tag]);
      else if (!list.includes(t.tag)) list.push(t.tag);
    }
    const signers = new Map<SignatureFact, Signer | null>();
    const signer = (x: SignatureFact) => {
      let v = signers.get(x);
      if (v === undefined) signers.set(x, (v = signerOf(x)));
      return v;
    };
    const ctx: RepoContext = { registry: repo.registry, repository: repo.repository, name, sorted, all: repo.sigs, tags: repo.tags, tagsByDigest, imageIdByDigest, runsByImage, opts, signer };
    out.push(...newIdentities(ctx), ...unusualRefs(ctx), ...selfHostedRunners(ctx), ...tagMoves(ctx), ...outsideValidity(ctx), ...stoppedSigning(ctx));
  }
  for (const f of out) f.detail = f.detail.replace(/…\./g, '…');
  return out.sort(compareFindings);
}

function tagsNote(ctx: RepoContext, digest: string): string {
  const tags = ctx.tagsByDigest.get(digest) ?? [];
  return tags.length ? ` (tagged ${tags.slice(0, 4).join(', ')})` : '';
}

function evidence(ctx: RepoContext, sigs: SignatureFact[], extraImages: Array<{ digest: string; role?: string }> = []): FindingEvidence {
  const shown = sigs.slice(0, ctx.opts.maxEvidence);
  const images = new Map<string, EvidenceImage>();
  for (const { digest, role } of extraImages) {
    const id = ctx.imageIdByDigest.get(digest);
    if (id && !images.has(id)) images.set(id, { id, digest, tags: ctx.tagsByDigest.get(digest) ?? [], ...(role ? { role } : {}) });
  }
  for (const s of shown) if (!images.has(s.imageId)) images.set(s.imageId, { id: s.imageId, digest: s.digest, tags: ctx.tagsByDigest.get(s.digest) ?? [] });
  const certificates = new Map<string, EvidenceCertificate>();
  for (const s of shown) {
    if (s.certificateId && !certificates.has(s.certificateId)) {
      certificates.set(s.certificateId, { id: s.certificateId, fingerprint: s.certificateFingerprint, notBefore: s.notBefore, notAfter: s.notAfter });
    }
  }
  const runs: EvidenceRun[] = [];
  for (const img of images.values()) {
    for (const r of (ctx.runsByImage.get(img.id) ?? []).slice(0, ctx.opts.runsPerImage)) runs.push({ id: r.id, imageId: r.imageId, createdAt: r.createdAt, status: r.status });
  }
  runs.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return {
    images: [...images.values()],
    signatures: shown.map((s) => ({
      id: s.id,
      imageId: s.imageId,
      digest: s.digest,
      kind: s.kind,
      identity: s.identity,
      issuer: s.issuer,
      keyFingerprint: s.keyFingerprint,
      sourceRef: sourceRefOf(s),
      runnerEnvironment: s.runnerEnvironment,
      certificateId: s.certificateId,
      at: timeOf(s),
    })),
    signatureCount: sigs.length,
    certificates: [...certificates.values()],
    runs,
  };
}

function base(ctx: RepoContext) {
  return { registry: ctx.registry, repository: ctx.repository };
}

/** (a) A signer, or an issuer, the repository had not seen once its history was established. */
function newIdentities(ctx: RepoContext): Finding[] {
  const { sorted } = ctx;
  if (sorted.length === 0) return [];
  const firstDigest = sorted[0]!.digest;
  const established = sorted.findIndex((s) => s.digest !== firstDigest);
  if (established < 0) return [];
  const seen = new Map<string, { signer: Signer; first: number }>();
  sorted.forEach((s, i) => {
    const signer = ctx.signer(s);
    if (signer && !seen.has(signer.key)) seen.set(signer.key, { signer, first: i });
  });
  const out: Finding[] = [];
  for (const { signer, first } of seen.values()) {
    if (first < established) continue;
    const s = sorted[first]!;
    const earlier = sorted.slice(0, first);
    const earlierSigners = [...new Map(earlier.map((e) => ctx.signer(e)).filter((x): x is Signer => x !== null).map((x) => [x.key, x.label])).values()];
    const newIssuer = signer.issuer !== null && !earlier.some((e) => e.identity !== null && (e.issuer ?? '') === signer.issuer);
    const what = signer.subject !== null ? `${signer.subject} (issuer ${signer.issuer ?? 'none'})` : signer.label;
    out.push({
      ...base(ctx),
      key: `new-identity:${ctx.name}:${signerKeyPart(signer)}`,
      kind: 'new-identity',
      severity: newIssuer ? 'high' : 'medium',
      title: newIssuer ? `New OIDC issuer signing ${ctx.name}` : `New signer for ${ctx.name}`,
      detail:
        `${what} first signed ${ctx.name}@${shortDigest(s.digest)}${tagsNote(ctx, s.digest)} on ${when(timeOf(s))}; ` +
        `the ${plural(earlier.length, 'earlier signature')} in this repository came from ${listSome(earlierSigners)}` +
        (newIssuer ? `, and none through this OIDC issuer` : '') +
        `. If this signer is expected, acknowledge it (and add it to the policy); otherwise find out who can run it and do not deploy what it signed.`,
      detectedAt: timeOf(s),
      evidence: evidence(ctx, sorted.filter((x) => ctx.signer(x)?.key === signer.key)),
    });
  }
  return out;
}

/** (b) A source ref that does not fit what this signer (workflow) signed from before. */
function unusualRefs(ctx: RepoContext): Finding[] {
  // The usual pattern of a signer is that of its first signature; an unusual ref does not become usual by repeating.
  const usual = new Map<string, string>();
  const refsBySigner = new Map<string, string[]>();
  const found = new Map<string, { signer: Signer; pattern: string; first: SignatureFact; priorRefs: string[] }>();
  for (const s of ctx.sorted) {
    const signer = ctx.signer(s);
    const ref = sourceRefOf(s);
    if (!signer || signer.subject === null || !ref) continue;
    const pattern = refPattern(ref);
    const refs = refsBySigner.get(signer.key) ?? [];
    const baseline = usual.get(signer.key);
    if (baseline === undefined) usual.set(signer.key, pattern);
    else if (baseline !== pattern) {
      const key = `unusual-ref:${ctx.name}:${signerKeyPart(signer)}@${pattern}`;
      if (!found.has(key)) found.set(key, { signer, pattern, first: s, priorRefs: [...refs] });
    }
    if (!refs.includes(ref)) refs.push(ref);
    refsBySigner.set(signer.key, refs);
  }
  const out: Finding[] = [];
  for (const [key, { signer, pattern, first, priorRefs }] of found) {
    const sigs = ctx.sorted.filter((x) => {
      const r = sourceRefOf(x);
      return r !== null && refPattern(r) === pattern && ctx.signer(x)?.key === signer.key;
    });
    const ref = sourceRefOf(first)!;
    const kind = refKind(ref);
    const releaseTags = [...new Set(sigs.flatMap((x) => ctx.tagsByDigest.get(x.digest) ?? []).filter(isReleaseTag))];
    const branchRelease = kind !== 'tag' && releaseTags.length > 0;
    const priorKinds = new Set(priorRefs.map(refKind));
    const before =
      priorKinds.size === 1 && !priorKinds.has(kind)
        ? `it had only signed from ${[...priorKinds][0] === 'tag' ? 'tags' : `${[...priorKinds][0]} refs`} (${listSome(priorRefs)})`
        : `it had only signed from ${listSome(priorRefs)}`;
    out.push({
      ...base(ctx),
      key,
      kind: 'unusual-ref',
      severity: branchRelease ? 'high' : 'medium',
      title: branchRelease ? `Branch build signed release tag ${releaseTags[0]!} of ${ctx.name}` : `Signature from an unusual ref in ${ctx.name}`,
      detail:
        `${signer.subject} signed ${ctx.name}@${shortDigest(first.digest)}${tagsNote(ctx, first.digest)} from ${ref} on ${when(timeOf(first))}, but ${before}. ` +
        (branchRelease
          ? `A release tag should come from the release process, not a ${kind === 'pull' ? 'pull request' : 'branch'} build: check who pushed to ${ref} and re-sign the release from its usual ref.`
          : `Check that this ref is meant to publish images; if it is, acknowledge.`),
      detectedAt: timeOf(first),
      evidence: evidence(ctx, sigs),
    });
  }
  return out;
}

/** (c) A self-hosted runner where the repository's earlier signatures ran on GitHub-hosted ones. */
function selfHostedRunners(ctx: RepoContext): Finding[] {
  let hosted = 0;
  const byDigest = new Map<string, { sigs: SignatureFact[]; hostedBefore: number }>();
  for (const s of ctx.sorted) {
    if (s.runnerEnvironment === 'self-hosted' && hosted > 0) {
      const entry = byDigest.get(s.digest);
      if (entry) entry.sigs.push(s);
      else byDigest.set(s.digest, { sigs: [s], hostedBefore: hosted });
    }
    if (s.runnerEnvironment === 'github-hosted') hosted++;
  }
  return [...byDigest].map(([digest, { sigs, hostedBefore }]) => {
    const first = sigs[0]!;
    const who = ctx.signer(first)?.label ?? 'an unnamed signer';
    return {
      ...base(ctx),
      key: `self-hosted-runner:${ctx.name}:${digest}`,
      kind: 'self-hosted-runner' as const,
      severity: 'medium' as const,
      title: `Signed on a self-hosted runner: ${ctx.name}@${shortDigest(digest)}`,
      detail:
        `${who} signed ${ctx.name}@${shortDigest(digest)}${tagsNote(ctx, digest)} on a self-hosted runner on ${when(timeOf(first))}, ` +
        `while the ${plural(hostedBefore, 'earlier signature')} in this repository ran on GitHub-hosted runners. ` +
        `Check that the runner is one of yours and as locked down as GitHub's; if the move is intended, acknowledge.`,
      detectedAt: timeOf(first),
      evidence: evidence(ctx, sigs),
    };
  });
}

/** (d) A tag that moved to a digest with no authentic signature, or with none of the same signers. */
function tagMoves(ctx: RepoContext): Finding[] {
  const signersByDigest = new Map<string, Map<string, string>>();
  for (const s of ctx.sorted) {
    const signer = ctx.signer(s);
    if (!signer) continue;
    let m = signersByDigest.get(s.digest);
    if (!m) signersByDigest.set(s.digest, (m = new Map()));
    m.set(signer.key, signer.label);
  }
  const anySigByDigest = new Map<string, number>();
  for (const s of ctx.all) anySigByDigest.set(s.digest, (anySigByDigest.get(s.digest) ?? 0) + 1);

  const byTag = new Map<string, TagFact[]>();
  for (const t of ctx.tags) {
    const list = byTag.get(t.tag);
    if (list) list.push(t);
    else byTag.set(t.tag, [t]);
  }
  const found = new Map<string, Finding>();
  for (const [tag, list] of byTag) {
    list.sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const cur = list[i]!;
      if (prev.digest === cur.digest) continue;
      const before = signersByDigest.get(prev.digest);
      if (!before || before.size === 0) continue;
      const after = signersByDigest.get(cur.digest);
      const key = `tag-moved:${ctx.name}:${tag}:${cur.digest}`;
      if (found.has(key)) continue;
      const unsigned = !after || after.size === 0;
      if (!unsigned && [...after.keys()].some((k) => before.has(k))) continue;
      const prevSigs = ctx.sorted.filter((s) => s.digest === prev.digest);
      const curSigs = ctx.all.filter((s) => s.digest === cur.digest);
      const images = [
        { digest: cur.digest, role: 'moved to' },
        { digest: prev.digest, role: 'moved from' },
      ];
      const from = `${ctx.name}:${tag} moved on ${when(cur.observedAt)} from ${shortDigest(prev.digest)}, signed by ${listSome([...before.values()])},`;
      if (unsigned) {
        const invalid = anySigByDigest.get(cur.digest) ?? 0;
        found.set(key, {
          ...base(ctx),
          key,
          kind: 'tag-moved',
          severity: 'high',
          title: `${ctx.name}:${tag} moved to ${invalid ? 'a digest with no valid signature' : 'an unsigned digest'}`,
          detail:
            `${from} to ${shortDigest(cur.digest)}, which ${invalid ? `has ${plural(invalid, 'signature')} but none that verified` : 'has no signature'}. ` +
            `Anyone pulling ${tag} now gets an image nobody vouched for: find out who pushed it, and move the tag back or sign the new image through the release process.`,
          detectedAt: cur.observedAt,
          evidence: evidence(ctx, [...curSigs, ...prevSigs], images),
        });
      } else {
        found.set(key, {
          ...base(ctx),
          key,
          kind: 'tag-moved',
          severity: 'medium',
          title: `${ctx.name}:${tag} moved to a digest signed by someone else`,
          detail:
            `${from} to ${shortDigest(cur.digest)}, signed only by ${listSome([...after!.values()])}. ` +
            `Check that the new signer is allowed to publish ${tag}; if it is, acknowledge.`,
          detectedAt: cur.observedAt,
          evidence: evidence(ctx, [...curSigs.filter((s) => s.authentic), ...prevSigs], images),
        });
      }
    }
  }
  return [...found.values()];
}

/** (e) A signing time (Rekor integrated time) outside the certificate's validity window. */
function outsideValidity(ctx: RepoContext): Finding[] {
  const byCert = new Map<string, SignatureFact[]>();
  for (const s of ctx.all) {
    if (!s.certificateId || !s.signedAt || !s.notBefore || !s.notAfter) continue;
    const t = s.signedAt.getTime();
    if (t >= s.notBefore.getTime() && t <= s.notAfter.getTime()) continue;
    const list = byCert.get(s.certificateId);
    if (list) list.push(s);
    else byCert.set(s.certificateId, [s]);
  }
  return [...byCert.values()].map((sigs) => {
    sigs.sort(compareSignatures);
    const s = sigs[0]!;
    const t = s.signedAt!.getTime();
    const early = t < s.notBefore!.getTime();
    const gap = Math.round(Math.abs(early ? s.notBefore!.getTime() - t : t - s.notAfter!.getTime()) / 1000);
    const fp = s.certificateFingerprint ?? s.certificateId!;
    return {
      ...base(ctx),
      key: `outside-validity:${ctx.name}:${fp}`,
      kind: 'outside-validity' as const,
      severity: 'high' as const,
      title: `Signed ${early ? 'before its certificate was valid' : 'after its certificate expired'}: ${ctx.name}@${shortDigest(s.digest)}`,
      detail:
        `Rekor integrated the signature of ${ctx.name}@${shortDigest(s.digest)} at ${when(s.signedAt!)}, ${plural(gap, 'second')} ${early ? 'before' : 'after'} ` +
        `the validity of certificate sha256:${fp.slice(0, 16)}… (${when(s.notBefore!)} to ${when(s.notAfter!)}). ` +
        `A signature made outside its certificate's lifetime proves nothing about who signed: do not rely on it, and re-sign the image.`,
      detectedAt: s.signedAt!,
      evidence: evidence(ctx, sigs),
    };
  });
}

/** (f) A signer of earlier digests that signed none of the latest N. */
function stoppedSigning(ctx: RepoContext): Finding[] {
  const n = Math.max(1, Math.trunc(ctx.opts.latestN));
  const digests: Array<{ digest: string; at: Date; signers: Set<string> }> = [];
  const index = new Map<string, number>();
  const signers = new Map<string, Signer>();
  for (const s of ctx.sorted) {
    const signer = ctx.signer(s);
    let i = index.get(s.digest);
    if (i === undefined) {
      i = digests.length;
      index.set(s.digest, i);
      digests.push({ digest: s.digest, at: timeOf(s), signers: new Set() });
    }
    if (signer) {
      digests[i]!.signers.add(signer.key);
      signers.set(signer.key, signer);
    }
  }
  if (digests.length <= n) return [];
  const latest = digests.slice(-n);
  const current = new Set(latest.flatMap((d) => [...d.signers]));
  const out: Finding[] = [];
  for (const [key, signer] of signers) {
    if (current.has(key)) continue;
    let last = -1;
    let count = 0;
    digests.forEach((d, i) => {
      if (d.signers.has(key)) {
        last = i;
        count++;
      }
    });
    if (last < 0) continue;
    const lastDigest = digests[last]!;
    const skipped = digests[last + 1]!;
    const newest = digests[digests.length - 1]!;
    const newestBy = [...newest.signers].map((k) => signers.get(k)?.label ?? k);
    out.push({
      ...base(ctx),
      key: `stopped-signing:${ctx.name}:${signerKeyPart(signer)}`,
      kind: 'stopped-signing',
      severity: 'low',
      title: `${signer.subject !== null ? 'Signer' : 'Key'} stopped signing ${ctx.name}`,
      detail:
        `${signer.subject !== null ? `${signer.subject} (issuer ${signer.issuer ?? 'none'})` : signer.label} signed ${plural(count, 'digest')} of ${ctx.name}, the last ` +
        `${shortDigest(lastDigest.digest)}${tagsNote(ctx, lastDigest.digest)} on ${when(lastDigest.at)}, but none of the latest ${n} ` +
        `(the newest, ${shortDigest(newest.digest)}, was signed by ${listSome(newestBy)}). ` +
        `If it was retired on purpose, acknowledge (and remove it from the policy); otherwise find out why releases no longer carry its signature.`,
      detectedAt: skipped.at,
      evidence: evidence(ctx, ctx.sorted.filter((x) => ctx.signer(x)?.key === key).reverse()),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Acknowledgements

export const ACK_ACTIONS = ['acknowledged', 'reopened'] as const;
export type AckAction = (typeof ACK_ACTIONS)[number];
export type FindingStatus = 'open' | 'acknowledged';

export interface AckRecord {
  id: string;
  findingKey: string;
  action: string;
  note: string;
  actor: string;
  createdAt: Date;
}

/** Newest first. */
export function sortAcks<T extends AckRecord>(acks: T[]): T[] {
  return [...acks].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** The latest acknowledgement decides: 'acknowledged' until a later 'reopened'. */
export function findingStatus(acks: AckRecord[]): FindingStatus {
  const latest = sortAcks(acks)[0];
  return latest?.action === 'acknowledged' ? 'acknowledged' : 'open';
}

export type FindingWithStatus = Finding & { status: FindingStatus; lastAck: AckRecord | null };

/** Open findings first (most severe, newest), then acknowledged ones (most recently acknowledged first). */
export function withStatus(findings: Finding[], acks: AckRecord[]): FindingWithStatus[] {
  const byKey = new Map<string, AckRecord[]>();
  for (const a of acks) {
    const list = byKey.get(a.findingKey);
    if (list) list.push(a);
    else byKey.set(a.findingKey, [a]);
  }
  const out = findings.map((f) => {
    const list = byKey.get(f.key) ?? [];
    return { ...f, status: findingStatus(list), lastAck: sortAcks(list)[0] ?? null };
  });
  return out.sort((a, b) => {
    if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
    if (a.status === 'acknowledged' && a.lastAck && b.lastAck) {
      const d = b.lastAck.createdAt.getTime() - a.lastAck.createdAt.getTime();
      if (d) return d;
    }
    return compareFindings(a, b);
  });
}
