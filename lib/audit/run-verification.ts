/**
 * One verification run as the CLI and the dashboard ask for it: validate the input,
 * create the run row first (so even a bad reference is recorded), verify, then
 * store the image, tag observation, certificates, signatures and per-signature
 * results in one finishing step. Nothing earlier is ever modified.
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SigscopeError, describeError, isSigscopeError } from '../errors';
import { RegistryClient } from '../oci/client';
import { readDockerCredentials } from '../oci/docker-config';
import { formatReference, parseReference } from '../oci/reference';
import { compilePolicy, describePolicy, type CompiledPolicy } from '../verify/policy';
import { loadTrustRoot, PUBLIC_GOOD, type LoadedTrustRoot } from '../verify/trust-root';
import type { Check, RekorSummary, SignerSummary, Verdict, ReasonCode } from '../verify/result';
import { decodeCertificate } from '../x509';
import { readSettings, trustRootChoices } from '../settings';
import { getDb, type Db } from '../db';
import { createRun, finishRun, upsertCertificate, upsertImage, upsertSignature, recordTagObservation, type SignatureResultInput } from '../db';
import type { EvidenceFormat, EvidenceKind, VerifiedEvidence } from './evidence';
import { verifyImage, type ImageVerification, type PlatformInfo, type RunStatus } from './verify-image';

export const RunRequestSchema = z.object({
  reference: z.string().max(600),
  policy: z.unknown().optional(),
  /** 'public-good', a configured root's name, or (CLI only) a file path. */
  trustRoot: z.string().max(4096).optional(),
  allowHttpRegistries: z.array(z.string().max(261)).max(64).default([]),
  source: z.enum(['cli', 'web', 'demo']),
  record: z.boolean().default(true),
});
export type RunRequest = z.input<typeof RunRequestSchema> & { onProgress?: (m: string) => void; db?: Db };

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
}

/** Resolves a trust-root choice: a configured name (dashboard) or a file path (CLI). */
function resolveTrustRoot(choice: string | undefined, allowPaths: boolean): LoadedTrustRoot {
  if (!choice || choice === PUBLIC_GOOD) return loadTrustRoot();
  const named = trustRootChoices().find((c) => c.name === choice);
  if (named) {
    const loaded = loadTrustRoot(named.path);
    return { ...loaded, name: named.name };
  }
  if (!allowPaths) throw new SigscopeError('INVALID_TRUSTED_ROOT', `no trusted root named "${choice}" is configured (see Settings)`);
  return loadTrustRoot(choice);
}

export async function runVerification(request: RunRequest): Promise<RunOutcome> {
  const req = RunRequestSchema.parse(request);
  const db = req.record ? (request.db ?? (await getDb())) : undefined;
  let policy: CompiledPolicy | undefined;
  let trust: LoadedTrustRoot | undefined;
  let runId: string | null = null;
  const rawPolicy = JSON.stringify(req.policy ?? {});

  const base: RunOutcome = {
    runId: null,
    imageId: null,
    input: req.reference,
    status: 'error',
    summary: '',
    policy: '(invalid policy)',
    trustRoot: { name: req.trustRoot ?? PUBLIC_GOOD, hash: null },
    signatures: [],
    attestations: [],
    documents: [],
    requirements: [],
    problems: [],
  };

  try {
    // Policy and trust root errors are still recorded as a run; create the run first, then throw.
    let setupError: unknown;
    try {
      policy = compilePolicy(req.policy);
      base.policy = describePolicy(policy);
      trust = resolveTrustRoot(req.trustRoot, req.source === 'cli');
      base.trustRoot = { name: trust.name, hash: trust.hash };
    } catch (e) {
      setupError = e;
    }
    if (db) {
      const run = await createRun(db, {
        input: req.reference,
        source: req.source,
        policy: policy ? (JSON.parse(policy.canonical) as Record<string, unknown>) : { invalid: rawPolicy.slice(0, 4096) },
        policyHash: policy?.hash ?? createHash('sha256').update(rawPolicy).digest('hex'),
        trustRootName: trust?.name ?? req.trustRoot ?? PUBLIC_GOOD,
        trustRootHash: trust?.hash ?? 'unresolved',
      });
      runId = run.id;
      base.runId = runId;
    }
    if (setupError) throw setupError;
    const reference = parseReference(req.reference.trim());
    base.reference = formatReference(reference);
    const settings = readSettings();
    const client = new RegistryClient({ allowHttp: [...settings.allowHttpRegistries, ...req.allowHttpRegistries], credentials: readDockerCredentials() });
    const result = await verifyImage(reference, { client, policy: policy!, trustRoot: trust!, onProgress: request.onProgress });
    const outcome = toOutcome(base, result);
    if (db && runId) outcome.imageId = await store(db, runId, result);
    return outcome;
  } catch (e) {
    const code = isSigscopeError(e) ? e.code : 'INTERNAL';
    const message = describeError(e);
    const outcome: RunOutcome = { ...base, status: 'error', errorCode: code, errorMessage: message, summary: `Error: ${message}` };
    if (db && runId) {
      await finishRun(db, runId, { status: 'error', errorCode: code, errorMessage: message, summary: { text: outcome.summary }, results: [] });
    }
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

async function store(db: Db, runId: string, r: ImageVerification): Promise<string> {
  const image = await upsertImage(db, {
    registry: r.reference.registry,
    repository: r.reference.repository,
    digest: r.digest,
    mediaType: r.mediaType,
    platforms: r.platforms.map((p) => ({ ...p })),
  });
  if (r.reference.tag && !r.reference.digest) await recordTagObservation(db, image.id, r.reference.tag, r.digest);
  const results: SignatureResultInput[] = [];
  for (const v of [...r.signatures, ...r.attestations]) {
    const e = v.evidence;
    let certificateId: string | null = null;
    if (e.certificatePem) {
      try {
        const cert = decodeCertificate(e.certificatePem);
        const stored = await upsertCertificate(db, { ...cert, extensions: { ...cert.fulcio, sctCount: cert.sctCount, subjectAlternativeNames: cert.subjectAlternativeNames } });
        certificateId = stored.id;
      } catch (err) {
        if (!isSigscopeError(err) || err.code !== 'CERTIFICATE_MALFORMED') throw err;
        // The verdict already says the certificate is malformed; store the signature without it.
      }
    }
    const sig = await upsertSignature(db, {
      imageId: image.id,
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
      certificateId,
      publicKeyFingerprint: v.result.signer.keyFingerprint ?? null,
      identity: v.result.signer.identity ?? null,
      oidcIssuer: v.result.signer.issuer ?? null,
      // Set only when @sigstore/verify verified the entry; an unverified annotation is just a claim.
      rekorLogIndex: v.result.rekor?.logIndex ?? null,
      rekorLogId: v.result.rekor?.logId ?? null,
      rekorIntegratedTime: v.result.rekor?.integratedTime ?? null,
    });
    results.push({
      signatureId: sig.id,
      verdict: v.result.verdict,
      reasonCode: v.result.verdict === 'verified' ? null : (v.result.reasonCode ?? null),
      reason: v.result.reason ?? null,
      checks: v.result.checks.map((c) => ({ ...c })),
      identity: v.result.signer.identity ?? null,
      oidcIssuer: v.result.signer.issuer ?? null,
      platform: v.platform ?? null,
    });
  }
  await finishRun(db, runId, {
    status: r.status,
    summary: {
      text: r.summary,
      coverage: r.coverage,
      problems: r.problems,
      reference: formatReference(r.reference),
      referrers: r.referrers,
      requirements: r.requirements,
      documents: r.documents.map((d) => ({ source: d.source, mediaType: d.mediaType, layerDigest: d.layerDigest, manifestDigest: d.manifestDigest, size: d.size, platform: d.platform ?? null })),
    },
    results,
    imageId: image.id,
    tag: r.reference.tag ?? null,
  });
  return image.id;
}

