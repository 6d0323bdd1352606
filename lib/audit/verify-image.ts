/**
 * Verifies one image reference end to end: resolve the tag, list platforms of an
 * index, then for the digest (and each platform digest, so an image signed only per
 * platform is reported as such) find every signature and attestation — cosign's
 * `.sig` and `.att` tags, Sigstore bundles attached as OCI referrers (API or tag
 * fallback), SBOMs — and verify each one. Pure orchestration: no storage here.
 */
import type { RegistryClient } from '../oci/client';
import { formatReference, parseReference, type ImageReference } from '../oci/reference';
import { discoverCosignSignatures } from '../cosign/discover';
import { discoverReferrers, discoverSbomTag, type DiscoveredDocument } from '../cosign/referrers';
import { verifyCosignSignature } from '../verify/verify-cosign';
import type { CosignVerification, CosignVerifier } from '../verify/verify-thread';
import { verifyCosignAttestation } from '../verify/cosign-attestation';
import { verifySigstoreBundle } from '../verify/verify-bundle';
import { describeBundle } from '../verify/bundle-info';
import type { CompiledPolicy } from '../verify/policy';
import type { LoadedTrustRoot } from '../verify/trust-root';
import type { SignatureVerdict } from '../verify/result';
import { evaluateRequirements, type RequirementResult } from '../verify/attestation-requirements';
import { fromBundle, fromCosignLayer, type VerifiedEvidence } from './evidence';

export type RunStatus = 'verified' | 'signed-unchecked' | 'failed' | 'unsigned' | 'error';

export interface PlatformInfo {
  os: string;
  architecture: string;
  variant?: string;
  digest: string;
}

export interface PlatformCoverage {
  platform: string;
  digest: string;
  signatures: number;
  verified: number;
}

export interface ImageVerification {
  reference: ImageReference;
  digest: string;
  mediaType: string;
  platforms: PlatformInfo[];
  status: Exclude<RunStatus, 'error'>;
  summary: string;
  /** Image signatures (cosign `.sig`, signature bundles): at the digest asked about, then at platform manifests. */
  signatures: VerifiedEvidence[];
  /** In-toto attestations (cosign `.att`, attestation bundles), each verified. */
  attestations: VerifiedEvidence[];
  /** SBOM documents attached without a signature of their own. */
  documents: Array<Omit<DiscoveredDocument, 'bytes'> & { platform?: string }>;
  /** Where referrers were read from: the API, the tag fallback, or nowhere. */
  referrers: 'api' | 'tag-fallback' | 'none';
  coverage: PlatformCoverage[];
  /** The policy's required attestations, each met or not. */
  requirements: RequirementResult[];
  problems: string[];
}

export interface VerifyImageOptions {
  client: RegistryClient;
  policy: CompiledPolicy;
  trustRoot: LoadedTrustRoot;
  onProgress?: (message: string) => void;
  /** Verifies cosign `.sig` signatures elsewhere (a scan's verification thread); by default here. */
  cosignVerifier?: CosignVerifier;
}

export function platformName(p: Pick<PlatformInfo, 'os' | 'architecture' | 'variant'>): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

interface Found {
  signatures: VerifiedEvidence[];
  attestations: VerifiedEvidence[];
  documents: ImageVerification['documents'];
  referrers: ImageVerification['referrers'];
  problems: string[];
}

/** Everything attached to one digest, verified against the policy. */
async function inspectDigest(reference: ImageReference, digest: string, opts: VerifyImageOptions, platform?: string): Promise<Found> {
  const trust = opts.trustRoot.material;
  const at = platform ? { platform } : {};
  const found: Found = { signatures: [], attestations: [], documents: [], referrers: 'none', problems: [] };

  const sigs = await discoverCosignSignatures(opts.client, reference, digest, 'sig');
  found.problems.push(...sigs.problems);
  const verified = await Promise.all(
    sigs.signatures.map((s): CosignVerification | Promise<CosignVerification> =>
      opts.cosignVerifier ? opts.cosignVerifier.verify(s, digest) : { verdict: verifyCosignSignature(s, { imageDigest: digest, policy: opts.policy, trust }) },
    ),
  );
  sigs.signatures.forEach((s, i) => {
    const { verdict, leaf } = verified[i]!;
    found.signatures.push({ evidence: fromCosignLayer(s, 'cosign-sig'), result: verdict, ...(leaf ? { certificate: leaf } : {}), ...at });
  });

  const atts = await discoverCosignSignatures(opts.client, reference, digest, 'att');
  found.problems.push(...atts.problems);
  for (const a of atts.signatures) {
    const { statement, ...result } = verifyCosignAttestation(a, { imageDigest: digest, policy: opts.policy, trust });
    found.attestations.push({ evidence: fromCosignLayer(a, 'attestation', statement), result, ...at });
  }

  const refs = await discoverReferrers(opts.client, reference, digest);
  found.referrers = refs.source;
  found.problems.push(...refs.problems);
  for (const b of refs.bundles) {
    const info = describeBundle(b.bytes);
    const result: SignatureVerdict = verifySigstoreBundle(b.bytes, { digest }, { policy: opts.policy, trust, allowNoTlog: opts.policy.ignoreTlog });
    const evidence = fromBundle(b, { kind: info.role === 'signature' ? 'bundle' : 'attestation', signatureB64: info.signatureB64, certificatePem: info.certificatePem, statement: info.statement });
    (info.role === 'signature' ? found.signatures : found.attestations).push({ evidence, result, ...at });
  }
  const sbomTag = await discoverSbomTag(opts.client, reference, digest);
  for (const d of [...refs.documents, ...sbomTag]) {
    const { bytes: _bytes, ...doc } = d;
    found.documents.push({ ...doc, ...at });
  }
  return found;
}

export async function verifyImage(input: string | ImageReference, opts: VerifyImageOptions): Promise<ImageVerification> {
  const reference = typeof input === 'string' ? parseReference(input) : input;
  const progress = opts.onProgress ?? (() => {});
  progress(`resolving ${formatReference(reference)}`);
  const resolved = await opts.client.getManifest(reference, reference.digest ?? reference.tag ?? 'latest');
  const digest = resolved.digest;
  const platforms: PlatformInfo[] =
    'manifests' in resolved.manifest
      ? opts.client.resolvePlatforms(resolved.manifest).map((p) => ({
          os: p.platform.os,
          architecture: p.platform.architecture,
          ...(p.platform.variant ? { variant: p.platform.variant } : {}),
          digest: p.digest,
        }))
      : [];

  progress(`looking for signatures and attestations of ${digest}`);
  const own = await inspectDigest(reference, digest, opts);
  const all: Found = { ...own, signatures: [...own.signatures], attestations: [...own.attestations], documents: [...own.documents], problems: [...own.problems] };
  const coverage: PlatformCoverage[] = [];
  for (const p of platforms) {
    const name = platformName(p);
    progress(`looking for signatures of ${name} (${p.digest})`);
    const f = await inspectDigest(reference, p.digest, opts, name);
    all.signatures.push(...f.signatures);
    all.attestations.push(...f.attestations);
    all.documents.push(...f.documents);
    all.problems.push(...f.problems);
    coverage.push({ platform: name, digest: p.digest, signatures: f.signatures.length, verified: f.signatures.filter((r) => r.result.verdict === 'verified').length });
  }

  const requirements = evaluateRequirements(
    opts.policy.requireAttestations,
    own.attestations.map((a) => ({ statement: a.evidence.statement, result: a.result })),
    reference.repository,
  );
  const signed = aggregate(own.signatures.map((s) => s.result));
  const unmet = requirements.filter((r) => !r.met);
  // A verified signature is not enough when the policy also requires attestations.
  const status = signed === 'verified' && unmet.length > 0 ? 'failed' : signed;
  const summary =
    signed === 'verified' && unmet.length > 0
      ? `Not verified: the signature verifies, but required attestations are not met: ${unmet.map((r) => r.detail).join('; ')}.`
      : summarize(status, own, coverage, opts.policy);
  return {
    reference,
    digest,
    mediaType: resolved.mediaType,
    platforms,
    status,
    summary,
    requirements,
    signatures: all.signatures,
    attestations: all.attestations,
    documents: all.documents,
    referrers: own.referrers,
    coverage,
    problems: all.problems,
  };
}

export function aggregate(results: SignatureVerdict[]): Exclude<RunStatus, 'error'> {
  if (results.length === 0) return 'unsigned';
  if (results.some((r) => r.verdict === 'verified')) return 'verified';
  if (results.some((r) => r.verdict === 'signed-unchecked')) return 'signed-unchecked';
  return 'failed';
}

function signerName(r: SignatureVerdict): string {
  if (r.signer.identity) return `${r.signer.identity}${r.signer.issuer ? ` (issuer ${r.signer.issuer})` : ''}`;
  if (r.signer.keyFingerprint) return `key sha256:${r.signer.keyFingerprint.slice(0, 16)}…`;
  return r.signer.kind === 'key' ? 'a public key' : 'an unknown signer';
}

function formatName(v: VerifiedEvidence): string {
  return v.evidence.format === 'cosign-sig' ? 'cosign signature' : 'Sigstore bundle';
}

function summarize(status: RunStatus, own: Found, coverage: PlatformCoverage[], policy: CompiledPolicy): string {
  const mine = own.signatures;
  const platformNote = coverage.length
    ? ` Platform manifests: ${coverage.filter((c) => c.signatures > 0).length} of ${coverage.length} signed${coverage.some((c) => c.verified > 0) ? `, ${coverage.filter((c) => c.verified > 0).length} verified` : ''}.`
    : '';
  const att = own.attestations;
  const attNote = att.length ? ` Attestations: ${att.length} (${att.filter((a) => a.result.verdict === 'verified').length} verified).` : '';
  switch (status) {
    case 'verified': {
      const ok = mine.find((s) => s.result.verdict === 'verified')!;
      return `Verified: signed by ${signerName(ok.result)} (${formatName(ok)}).${attNote}${platformNote}`;
    }
    case 'signed-unchecked': {
      const s = mine.find((x) => x.result.verdict === 'signed-unchecked')!;
      return `Signed, signer not checked: ${signerName(s.result)} signed it, but no identity or key policy was given.${attNote}${platformNote}`;
    }
    case 'failed': {
      const first = mine[0]!;
      const n = mine.length;
      return `Not verified: ${n === 1 ? 'the only signature fails' : `none of ${n} signatures pass; the first fails`}: ${first.result.reason?.replace(/\.$/, '')}.${attNote}${platformNote}`;
    }
    case 'unsigned':
      return coverage.some((c) => c.signatures > 0)
        ? `Unsigned at this digest: no signature of the index itself (no .sig tag, no signature bundle).${attNote}${platformNote}`
        : `Unsigned: no signatures found (no .sig tag, no signature bundle among the referrers)${policy.empty ? '' : ', so nothing can satisfy the policy'}.${attNote}${platformNote}`;
    default:
      return status;
  }
}
