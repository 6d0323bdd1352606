/**
 * One verification run as the CLI and the dashboard ask for it: validate the input,
 * create the run row first (so even a bad reference is recorded), verify, then
 * store the image, tag observation, certificates, signatures and per-signature
 * results in one finishing step. Nothing earlier is ever modified.
 */
import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SigscopeError, describeError, isSigscopeError } from '../errors';
import { RegistryClient } from '../oci/client';
import { registryCredentials } from '../secrets/registry-credentials';
import { formatReference, parseReference } from '../oci/reference';
import { compilePolicy, describePolicy, type CompiledPolicy } from '../verify/policy';
import { loadTrustRoot, PUBLIC_GOOD, type LoadedTrustRoot } from '../verify/trust-root';
import type { VerifyThreads } from '../verify/verify-thread';
import type { Check, RekorSummary, SignerSummary, Verdict, ReasonCode } from '../verify/result';
import { decodeCertificate } from '../x509';
import { readSettings, trustRootChoices, type Settings } from '../settings';
import { getDb, type Db } from '../db';
import { createRun } from '../db';
import type { EvidenceFormat, EvidenceKind, VerifiedEvidence } from './evidence';
import { verifyImage, type ImageVerification, type PlatformInfo, type RunStatus } from './verify-image';
import { getPolicyVersion, latestPolicyVersion } from '../db/policies';
import { signerPoliciesFor, type ImageVerdict, type PolicyOutcome } from '../policy/evaluate';
import { ParsedPolicySchema, policyHash, type ParsedPolicy } from '../policy/types';
import { verifyUnderPolicy } from './verify-under-policy';
import { writeRun, type RunWrite } from '../db/run-batch';
import type { CreateRunInput } from '../db/runs';

export const RunRequestSchema = z.object({
  reference: z.string().max(600),
  policy: z.unknown().optional(),
  /** 'public-good', a configured root's name, or (CLI only) a file path. */
  trustRoot: z.string().max(4096).optional(),
  allowHttpRegistries: z.array(z.string().max(261)).max(64).default([]),
  source: z.enum(['cli', 'web', 'demo']),
  record: z.boolean().default(true),
  /** A stored policy version to verify under (instead of `policy`). */
  policyVersionId: z.string().min(1).max(128).optional(),
  /** A stored policy, by name or id: its latest version (instead of `policy`). */
  policyName: z.string().min(1).max(128).optional(),
});
export type RunRequest = z.input<typeof RunRequestSchema> & {
  onProgress?: (m: string) => void;
  db?: Db;
  /** A shared registry client (scans reuse connections and tokens across images). */
  client?: RegistryClient;
  /** The scan this run belongs to, and a hook told the run's id as soon as it exists. */
  scanId?: string;
  /** The run's id, chosen by the caller (a scan item names its run). */
  runId?: string;
  onRunCreated?: (runId: string) => void | Promise<void>;
  /** A parsed policy file not stored (`sigscope policy check`), with a name for messages. */
  policyDocument?: { parsed: ParsedPolicy; name: string };
  /**
   * Write nothing: the outcome carries the whole run as `pendingWrite`, for the caller to
   * store with others in one transaction (scans, lib/db/run-batch.ts).
   */
  deferStorage?: boolean;
  /** A scan's verification threads: cosign signatures are verified off the main thread. */
  verifyThreads?: VerifyThreads;
  /** The trusted root `trustRoot` names, already loaded (a scan loads it once for all its images). */
  loadedTrustRoot?: LoadedTrustRoot;
};

/** How the image fared under a policy file (named, or given to `policy check`). */
export interface PolicyEvaluation {
  name: string;
  version: number | null;
  versionId: string | null;
  hash: string;
  verdict: ImageVerdict;
  outcomes: PolicyOutcome[];
}

export interface SignatureOutcome {
  kind: EvidenceKind;
  format: EvidenceFormat;
  source: string;
  layerDigest: string;
  platform?: string;
  predicateType?: string;
  verdict: Verdict;
  reasonCode?: ReasonCode;
  reason?: string;
  signer: SignerSummary;
  rekor?: RekorSummary;
  checks: Check[];
}

export interface RunOutcome {
  runId: string | null;
  imageId: string | null;
  input: string;
  reference?: string;
  digest?: string;
  mediaType?: string;
  platforms?: PlatformInfo[];
  status: RunStatus;
  summary: string;
  errorCode?: string;
  errorMessage?: string;
  policy: string;
  trustRoot: { name: string; hash: string | null };
  /** Image signatures: cosign `.sig` layers and signature bundles. */
  signatures: SignatureOutcome[];
  /** In-toto attestations: cosign `.att` layers and attestation bundles. */
  attestations: SignatureOutcome[];
  /** SBOMs attached without their own signature. */
  documents: ImageVerification['documents'];
  referrers?: ImageVerification['referrers'];
  requirements: ImageVerification['requirements'];
  problems: string[];
  /** Present when the run used a policy file: each matching policy and authority, and the verdict. */
  policyEvaluation?: PolicyEvaluation;
  /** With `deferStorage`: the run to store. */
  pendingWrite?: RunWrite;
}

/** Resolves a trust-root choice: a configured name (dashboard) or a file path (CLI). */
export function resolveTrustRoot(choice: string | undefined, allowPaths: boolean, settings?: Settings): LoadedTrustRoot {
  if (!choice || choice === PUBLIC_GOOD) return loadTrustRoot();
  const named = trustRootChoices(settings).find((c) => c.name === choice);
  if (named) {
    const loaded = loadTrustRoot(named.path);
    return { ...loaded, name: named.name };
  }
  if (!allowPaths) throw new SigscopeError('INVALID_TRUSTED_ROOT', `no trusted root named "${choice}" is configured (see Settings)`);
  return loadTrustRoot(choice);
}

export async function runVerification(request: RunRequest): Promise<RunOutcome> {
  const parsedRequest = RunRequestSchema.safeParse(request);
  if (!parsedRequest.success) {
    // Hostile or oversized input (a 10 000-character reference) is a clear input error, never a ZodError dump.
    const issue = parsedRequest.error.issues[0];
    throw new SigscopeError('INVALID_INPUT', `${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}`);
  }
  const req = parsedRequest.data;
  if (req.policyVersionId || req.policyName || request.policyDocument) return runUnderPolicyFile(req, request);
  const db = req.record ? (request.db ?? (await getDb())) : undefined;
  let policy: CompiledPolicy | undefined;
  let trust: LoadedTrustRoot | undefined;
  let run: OpenedRun = { kind: 'none' };
  const rawPolicy = JSON.stringify(req.policy ?? {});

  // Read once per verification (a scan's client already carries them).
  const settings = once(readSettings);
  const base = emptyOutcome(req.reference, req.trustRoot);

  try {
    // Policy and trust root errors are still recorded as a run; create the run first, then throw.
    let setupError: unknown;
    try {
      policy = compilePolicy(req.policy);
      base.policy = describePolicy(policy);
      trust = request.loadedTrustRoot ?? resolveTrustRoot(req.trustRoot, req.source === 'cli', settings());
      base.trustRoot = { name: trust.name, hash: trust.hash };
    } catch (e) {
      setupError = e;
    }
    const runInput: CreateRunInput = {
      input: req.reference,
      source: req.source,
      policy: policy ? (JSON.parse(policy.canonical) as Record<string, unknown>) : { invalid: rawPolicy.slice(0, 4096) },
      policyHash: policy?.hash ?? createHash('sha256').update(rawPolicy).digest('hex'),
      trustRootName: trust?.name ?? req.trustRoot ?? PUBLIC_GOOD,
      trustRootHash: trust?.hash ?? 'unresolved',
      scanId: request.scanId ?? null,
      ...(request.runId ? { id: request.runId } : {}),
    };
    run = await openRun(request, db, runInput, base);
    if (setupError) throw setupError;
    const reference = parseReference(req.reference.trim());
    base.reference = formatReference(reference);
    const client = request.client ?? new RegistryClient({ allowHttp: [...settings().allowHttpRegistries, ...req.allowHttpRegistries], credentials: await registryCredentials(db ?? null) });
    const cosignVerifier = request.verifyThreads?.verifierFor(policy!, req.policy ?? {}, trust!);
    const result = await verifyImage(reference, { client, policy: policy!, trustRoot: trust!, onProgress: request.onProgress, ...(cosignVerifier ? { cosignVerifier } : {}) });
    const outcome = toOutcome(base, result);
    await closeRun(run, outcome, toRunWrite(result));
    return outcome;
  } catch (e) {
    const code = isSigscopeError(e) ? e.code : 'INTERNAL';
    const message = describeError(e);
    const outcome: RunOutcome = { ...base, status: 'error', errorCode: code, errorMessage: message, summary: `Error: ${message}` };
    await closeRun(run, outcome, { finish: { status: 'error', errorCode: code, errorMessage: message, summary: { text: outcome.summary }, finishedAt: new Date() }, evidence: [] });
    return outcome;
  }
}

function toSignatureOutcome(v: VerifiedEvidence): SignatureOutcome {
  return {
    kind: v.evidence.kind,
    format: v.evidence.format,
    source: v.evidence.source,
    layerDigest: v.evidence.layerDigest,
    ...(v.platform ? { platform: v.platform } : {}),
    ...(v.evidence.predicateType ? { predicateType: v.evidence.predicateType } : {}),
    verdict: v.result.verdict,
    ...(v.result.reasonCode && v.result.verdict !== 'verified' ? { reasonCode: v.result.reasonCode } : {}),
    ...(v.result.reason ? { reason: v.result.reason } : {}),
    signer: v.result.signer,
    ...(v.result.rekor ? { rekor: v.result.rekor } : {}),
    checks: v.result.checks,
  };
}

function toOutcome(base: RunOutcome, r: ImageVerification): RunOutcome {
  return {
    ...base,
    digest: r.digest,
    mediaType: r.mediaType,
    platforms: r.platforms,
    status: r.status,
    summary: r.summary,
    problems: r.problems,
    signatures: r.signatures.map(toSignatureOutcome),
    attestations: r.attestations.map(toSignatureOutcome),
    documents: r.documents,
    referrers: r.referrers,
    requirements: r.requirements,
  };
}

interface LoadedPolicy {
  parsed: ParsedPolicy;
  name: string;
  version: number | null;
  versionId: string | null;
  hash: string;
}

async function loadPolicy(req: z.output<typeof RunRequestSchema>, request: RunRequest, db: Db | undefined): Promise<LoadedPolicy> {
  if (request.policyDocument) {
    const parsed = ParsedPolicySchema.parse(request.policyDocument.parsed);
    return { parsed, name: request.policyDocument.name, version: null, versionId: null, hash: policyHash(parsed) };
  }
  if (!db) throw new SigscopeError('INVALID_INPUT', 'a stored policy needs the database');
  const v = req.policyVersionId ? await getPolicyVersion(db, req.policyVersionId) : await latestPolicyVersion(db, req.policyName!);
  if (!v) throw new SigscopeError('INVALID_POLICY', req.policyVersionId ? `no stored policy version ${JSON.stringify(req.policyVersionId)}` : `no stored policy named ${JSON.stringify(req.policyName)} (import it first)`);
  return { parsed: v.parsed, name: v.policy.name, version: v.version, versionId: v.id, hash: v.hash };
}

/**
 * A run under a policy file: every authority of every policy matching the image is verified
 * (verify-under-policy.ts); the run records the policy version, its verdict and each
 * authority's outcome in the summary, and the per-signature results of the best verification.
 */
async function runUnderPolicyFile(req: z.output<typeof RunRequestSchema>, request: RunRequest): Promise<RunOutcome> {
  const needsDb = req.record || Boolean(req.policyVersionId || req.policyName);
  const db = needsDb ? (request.db ?? (await getDb())) : undefined;
  let run: OpenedRun = { kind: 'none' };
  let loaded: LoadedPolicy | undefined;
  let trust: LoadedTrustRoot | undefined;
  const label = () => (loaded ? `policy "${loaded.name}"${loaded.version !== null ? ` v${loaded.version}` : ''}` : '(unknown policy)');
  const base = emptyOutcome(req.reference, req.trustRoot);
  const evaluation = (verdict: ImageVerdict, outcomes: PolicyOutcome[]): PolicyEvaluation | undefined =>
    loaded ? { name: loaded.name, version: loaded.version, versionId: loaded.versionId, hash: loaded.hash, verdict, outcomes } : undefined;
  try {
    let setupError: unknown;
    try {
      loaded = await loadPolicy(req, request, db);
      base.policy = `${label()}: ${loaded.parsed.policies.map((p) => `${p.name} (${p.mode}, ${p.images.map((i) => i.glob).join(' ')})`).join('; ')}`;
      trust = resolveTrustRoot(req.trustRoot, req.source === 'cli');
      base.trustRoot = { name: trust.name, hash: trust.hash };
    } catch (e) {
      setupError = e;
    }
    if ((db && req.record) || request.deferStorage) {
      const signers = loaded
        ? loaded.parsed.policies.flatMap((p) =>
            p.authorities.flatMap((a) =>
              signerPoliciesFor(p, a).map((sp) => {
                try {
                  return { policy: p.name, authority: a.name, identity: sp.identity, ...(JSON.parse(compilePolicy(sp.policy).canonical) as Record<string, unknown>) };
                } catch {
                  return { policy: p.name, authority: a.name, identity: sp.identity, invalid: true };
                }
              }),
            ),
          )
        : [];
      const runInput: CreateRunInput = {
        input: req.reference,
        source: req.source,
        policy: loaded
          ? { policyName: loaded.name, policyVersion: loaded.version, policyVersionId: loaded.versionId, policyHash: loaded.hash, signers }
          : { invalid: JSON.stringify({ policyVersionId: req.policyVersionId, policyName: req.policyName }).slice(0, 4096) },
        policyHash: loaded?.hash ?? createHash('sha256').update(JSON.stringify({ policyVersionId: req.policyVersionId ?? null, policyName: req.policyName ?? null })).digest('hex'),
        policyVersionId: loaded?.versionId ?? null,
        trustRootName: trust?.name ?? req.trustRoot ?? PUBLIC_GOOD,
        trustRootHash: trust?.hash ?? 'unresolved',
        scanId: request.scanId ?? null,
        ...(request.runId ? { id: request.runId } : {}),
      };
      run = await openRun(request, db, runInput, base);
    }
    if (setupError) throw setupError;
    const reference = parseReference(req.reference.trim());
    base.reference = formatReference(reference);
    const settings = readSettings();
    const client = request.client ?? new RegistryClient({ allowHttp: [...settings.allowHttpRegistries, ...req.allowHttpRegistries], credentials: await registryCredentials(db ?? null) });
    const pv = await verifyUnderPolicy(reference, loaded!.parsed, { client, trustRoot: trust!, onProgress: request.onProgress });
    if (!pv) {
      base.policyEvaluation = evaluation('no-match', []);
      throw new SigscopeError('INVALID_POLICY', `no image glob of ${label()} matches ${reference.registry}/${reference.repository}, so nothing says who may sign it`);
    }
    const outcome: RunOutcome = { ...toOutcome(base, pv.best), status: pv.status, summary: pv.summary, policyEvaluation: evaluation(pv.verdict, pv.outcomes) };
    const write = toRunWrite(pv.best, {
      status: pv.status,
      text: pv.summary,
      policy: { name: loaded!.name, version: loaded!.version, versionId: loaded!.versionId, hash: loaded!.hash, verdict: pv.verdict, outcomes: pv.outcomes },
    });
    await closeRun(run, outcome, write);
    return outcome;
  } catch (e) {
    const code = isSigscopeError(e) ? e.code : 'INTERNAL';
    const message = describeError(e);
    const outcome: RunOutcome = { ...base, status: 'error', errorCode: code, errorMessage: message, summary: `Error: ${message}`, policyEvaluation: base.policyEvaluation ?? evaluation('error', []) };
    const summary = { text: outcome.summary, ...(outcome.policyEvaluation ? { policy: outcome.policyEvaluation } : {}) };
    await closeRun(run, outcome, { finish: { status: 'error', errorCode: code, errorMessage: message, summary, finishedAt: new Date() }, evidence: [] });
    return outcome;
  }
}

/**
 * Where a run goes: stored at once and finished at the end (single runs, so even a failure
 * is on record), handed back whole for the caller to store in a batch (scans), or nowhere.
 */
type OpenedRun = { kind: 'stored'; db: Db; runId: string } | { kind: 'deferred'; run: RunWrite['run'] } | { kind: 'none' };

async function openRun(request: RunRequest, db: Db | undefined, input: CreateRunInput, base: RunOutcome): Promise<OpenedRun> {
  if (request.deferStorage) {
    const run = { ...input, id: request.runId ?? randomBytes(12).toString('hex'), startedAt: new Date() };
    base.runId = run.id;
    return { kind: 'deferred', run };
  }
  if (!db) return { kind: 'none' };
  const { id } = await createRun(db, input);
  base.runId = id;
  await request.onRunCreated?.(id);
  return { kind: 'stored', db, runId: id };
}

async function closeRun(opened: OpenedRun, outcome: RunOutcome, write: Omit<RunWrite, 'run'>): Promise<void> {
  if (opened.kind === 'deferred') outcome.pendingWrite = { run: opened.run, ...write };
  else if (opened.kind === 'stored') outcome.imageId = await writeRun(opened.db, opened.runId, write);
}

/** What a policy-file run stores instead of the single verification's status and text. */
interface StoreOverride {
  status: RunStatus;
  text: string;
  policy: Record<string, unknown>;
}

/** Everything a finished verification stores, as values (no rows yet): stored one by one here, or batched by scans. */
function toRunWrite(r: ImageVerification, override?: StoreOverride): Omit<RunWrite, 'run'> {
  const evidence: RunWrite['evidence'] = [...r.signatures, ...r.attestations].map((v) => {
    const e = v.evidence;
    let certificate: RunWrite['evidence'][number]['certificate'];
    if (e.certificatePem) {
      try {
        const cert = v.certificate ?? decodeCertificate(e.certificatePem);
        certificate = { ...cert, extensions: { ...cert.fulcio, sctCount: cert.sctCount, subjectAlternativeNames: cert.subjectAlternativeNames } };
      } catch (err) {
        if (!isSigscopeError(err) || err.code !== 'CERTIFICATE_MALFORMED') throw err;
        // The verdict already says the certificate is malformed; store the signature without it.
      }
    }
    return {
      ...(certificate ? { certificate } : {}),
      signature: {
        kind: e.kind,
        format: e.format,
        source: e.source,
        layerDigest: e.layerDigest,
        payloadDigest: e.payloadDigest,
        materialDigest: e.materialDigest,
        signatureB64: e.signatureB64,
        artifactType: e.artifactType ?? null,
        predicateType: e.predicateType ?? null,
        statement: e.statement ? JSON.stringify(e.statement) : null,
        publicKeyFingerprint: v.result.signer.keyFingerprint ?? null,
        identity: v.result.signer.identity ?? null,
        oidcIssuer: v.result.signer.issuer ?? null,
        // Set only when @sigstore/verify verified the entry; an unverified annotation is just a claim.
        rekorLogIndex: v.result.rekor?.logIndex ?? null,
        rekorLogId: v.result.rekor?.logId ?? null,
        rekorIntegratedTime: v.result.rekor?.integratedTime ?? null,
      },
      result: {
        verdict: v.result.verdict,
        reasonCode: v.result.verdict === 'verified' ? null : (v.result.reasonCode ?? null),
        reason: v.result.reason ?? null,
        checks: v.result.checks.map((c) => ({ ...c })),
        identity: v.result.signer.identity ?? null,
        oidcIssuer: v.result.signer.issuer ?? null,
        platform: v.platform ?? null,
      },
    };
  });
  return {
    image: { registry: r.reference.registry, repository: r.reference.repository, digest: r.digest, mediaType: r.mediaType, platforms: r.platforms.map((p) => ({ ...p })) },
    ...(r.reference.tag && !r.reference.digest ? { tagObservation: { tag: r.reference.tag, digest: r.digest } } : {}),
    evidence,
    finish: {
      status: override?.status ?? r.status,
      summary: {
        text: override?.text ?? r.summary,
        ...(override ? { policy: override.policy } : {}),
        coverage: r.coverage,
        problems: r.problems,
        reference: formatReference(r.reference),
        referrers: r.referrers,
        requirements: r.requirements,
        documents: r.documents.map((d) => ({ source: d.source, mediaType: d.mediaType, layerDigest: d.layerDigest, manifestDigest: d.manifestDigest, size: d.size, platform: d.platform ?? null })),
      },
      tag: r.reference.tag ?? null,
      finishedAt: new Date(),
    },
  };
}

/** The outcome before anything is known: an error until the run says otherwise. */
function emptyOutcome(input: string, trustRoot: string | undefined): RunOutcome {
  return {
    runId: null,
    imageId: null,
    input,
    status: 'error',
    summary: '',
    policy: '(invalid policy)',
    trustRoot: { name: trustRoot ?? PUBLIC_GOOD, hash: null },
    signatures: [],
    attestations: [],
    documents: [],
    requirements: [],
    problems: [],
  };
}

function once<T>(read: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: read() }).v;
}
