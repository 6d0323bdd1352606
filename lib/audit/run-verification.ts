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
import type { DiscoveredSignature } from '../cosign/discovered';
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
  source: string;
  layerDigest: string;
  platform?: string;
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
  signatures: SignatureOutcome[];
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

function toOutcome(base: RunOutcome, r: ImageVerification): RunOutcome {
  return {
    ...base,
    digest: r.digest,
    mediaType: r.mediaType,
    platforms: r.platforms,
    status: r.status,
    summary: r.summary,
    problems: r.problems,
    signatures: r.signatures.map((s) => ({
      source: `${s.signature.tag}@${s.signature.manifestDigest}`,
      layerDigest: s.signature.layerDigest,
      ...(s.platform ? { platform: s.platform } : {}),
      verdict: s.result.verdict,
      ...(s.result.reasonCode && s.result.verdict !== 'verified' ? { reasonCode: s.result.reasonCode } : {}),
      ...(s.result.reason ? { reason: s.result.reason } : {}),
      signer: s.result.signer,
      ...(s.result.rekor ? { rekor: s.result.rekor } : {}),
      checks: s.result.checks,
    })),
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
  for (const s of r.signatures) {
    let certificateId: string | null = null;
    if (s.signature.certificatePem) {
      try {
        const cert = decodeCertificate(s.signature.certificatePem);
        const stored = await upsertCertificate(db, { ...cert, extensions: { ...cert.fulcio, sctCount: cert.sctCount, subjectAlternativeNames: cert.subjectAlternativeNames } });
        certificateId = stored.id;
      } catch (e) {
        if (!isSigscopeError(e) || e.code !== 'CERTIFICATE_MALFORMED') throw e;
        // The verdict already says the certificate is malformed; store the signature without it.
      }
    }
    const sig = await upsertSignature(db, {
      imageId: image.id,
      kind: 'cosign-sig',
      source: `${s.signature.tag}@${s.signature.manifestDigest}`,
      layerDigest: s.signature.layerDigest,
      payloadDigest: `sha256:${createHash('sha256').update(s.signature.payload).digest('hex')}`,
      materialDigest: materialDigest(s.signature),
      signatureB64: s.signature.signatureB64 ?? '',
      certificateId,
      publicKeyFingerprint: s.result.signer.keyFingerprint ?? null,
      identity: s.result.signer.identity ?? null,
      oidcIssuer: s.result.signer.issuer ?? null,
      // Set only when @sigstore/verify verified the entry; an unverified annotation is just a claim.
      rekorLogIndex: s.result.rekor?.logIndex ?? null,
      rekorLogId: s.result.rekor?.logId ?? null,
      rekorIntegratedTime: s.result.rekor?.integratedTime ?? null,
    });
    results.push({
      signatureId: sig.id,
      verdict: s.result.verdict,
      reasonCode: s.result.verdict === 'verified' ? null : (s.result.reasonCode ?? null),
      reason: s.result.reason ?? null,
      checks: s.result.checks.map((c) => ({ ...c })),
      identity: s.result.signer.identity ?? null,
      oidcIssuer: s.result.signer.issuer ?? null,
      platform: s.platform ?? null,
    });
  }
  await finishRun(db, runId, {
    status: r.status,
    summary: { text: r.summary, coverage: r.coverage, problems: r.problems, reference: formatReference(r.reference) },
    results,
    imageId: image.id,
    tag: r.reference.tag ?? null,
  });
  return image.id;
}

/** What distinguishes one signer's signature of a payload from another's. */
function materialDigest(sig: DiscoveredSignature): string {
  const h = createHash('sha256');
  for (const part of [sig.signatureB64, sig.certificatePem, sig.chainPem, sig.bundleJson, sig.rfc3161TimestampJson]) h.update(`${part ?? ''}\u0000`);
  return `sha256:${h.digest('hex')}`;
}
