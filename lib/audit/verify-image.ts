/**
 * Verifies one image reference end to end: resolve the tag, list platforms of an
 * index, discover cosign signatures at the digest (and at each platform digest,
 * so an image signed only per platform is reported as such), verify each one.
 * Pure orchestration: no storage here (see record-run.ts).
 */
import type { RegistryClient } from '../oci/client';
import { formatReference, parseReference, type ImageReference } from '../oci/reference';
import { discoverCosignSignatures } from '../cosign/discover';
import type { DiscoveredSignature } from '../cosign/discovered';
import { verifyCosignSignature } from '../verify/verify-cosign';
import type { CompiledPolicy } from '../verify/policy';
import type { LoadedTrustRoot } from '../verify/trust-root';
import type { SignatureVerdict } from '../verify/result';

export type RunStatus = 'verified' | 'signed-unchecked' | 'failed' | 'unsigned' | 'error';

export interface PlatformInfo {
  os: string;
  architecture: string;
  variant?: string;
  digest: string;
}

export interface VerifiedSignature {
  signature: DiscoveredSignature;
  result: SignatureVerdict;
  /** Set when the signature is attached to a platform manifest rather than the digest asked about. */
  platform?: string;
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
  /** Signatures at the digest asked about, then those at platform manifests. */
  signatures: VerifiedSignature[];
  coverage: PlatformCoverage[];
  problems: string[];
}

export interface VerifyImageOptions {
  client: RegistryClient;
  policy: CompiledPolicy;
  trustRoot: LoadedTrustRoot;
  onProgress?: (message: string) => void;
}

export function platformName(p: Pick<PlatformInfo, 'os' | 'architecture' | 'variant'>): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
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

  const problems: string[] = [];
  const verify = (sig: DiscoveredSignature, platform?: string): VerifiedSignature => ({
    signature: sig,
    result: verifyCosignSignature(sig, { imageDigest: sig.subjectDigest, policy: opts.policy, trust: opts.trustRoot.material }),
    ...(platform ? { platform } : {}),
  });

  progress(`looking for signatures of ${digest}`);
  const own = await discoverCosignSignatures(opts.client, reference, digest);
  problems.push(...own.problems);
  const signatures = own.signatures.map((s) => verify(s));

  const coverage: PlatformCoverage[] = [];
  for (const p of platforms) {
    const name = platformName(p);
    progress(`looking for signatures of ${name} (${p.digest})`);
    const found = await discoverCosignSignatures(opts.client, reference, p.digest);
    problems.push(...found.problems);
    const results = found.signatures.map((s) => verify(s, name));
    signatures.push(...results);
    coverage.push({ platform: name, digest: p.digest, signatures: results.length, verified: results.filter((r) => r.result.verdict === 'verified').length });
  }

  const mine = signatures.filter((s) => !s.platform);
  const status = aggregate(mine.map((s) => s.result));
  return {
    reference,
    digest,
    mediaType: resolved.mediaType,
    platforms,
    status,
    summary: summarize(status, mine, coverage, own.tag, opts.policy),
    signatures,
    coverage,
    problems,
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

function summarize(status: RunStatus, mine: VerifiedSignature[], coverage: PlatformCoverage[], tag: string, policy: CompiledPolicy): string {
  const platformNote = coverage.length
    ? ` Platform manifests: ${coverage.filter((c) => c.signatures > 0).length} of ${coverage.length} signed${coverage.some((c) => c.verified > 0) ? `, ${coverage.filter((c) => c.verified > 0).length} verified` : ''}.`
    : '';
  switch (status) {
    case 'verified': {
      const ok = mine.find((s) => s.result.verdict === 'verified')!;
      return `Verified: signed by ${signerName(ok.result)}.${platformNote}`;
    }
    case 'signed-unchecked': {
      const s = mine.find((x) => x.result.verdict === 'signed-unchecked')!;
      return `Signed, signer not checked: ${signerName(s.result)} signed it, but no identity or key policy was given.${platformNote}`;
    }
    case 'failed': {
      const first = mine[0]!;
      const n = mine.length;
      return `Not verified: ${n === 1 ? 'the only signature' : `none of ${n} signatures`} ${n === 1 ? 'fails' : 'pass; the first fails'}: ${first.result.reason?.replace(/\.$/, "")}.${platformNote}`;
    }
    case 'unsigned':
      return coverage.some((c) => c.signatures > 0)
        ? `Unsigned at this digest: no signatures at ${tag}; the index itself is not signed.${platformNote}`
        : `Unsigned: no signatures found (no ${tag} tag)${policy.empty ? '' : ', so nothing can satisfy the policy'}.${platformNote}`;
    default:
      return status;
  }
}
