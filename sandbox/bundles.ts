/**
 * Sigstore bundles (v0.3 JSON) made keylessly against the local instance, as cosign
 * v3 (`--new-bundle-format`) and GitHub's `actions/attest*` attach them to images
 * through OCI referrers (artifactType = layer media type =
 * application/vnd.dev.sigstore.bundle.v0.3+json), plus the in-toto statements they
 * carry: cosign's image-signing statement, GitHub SLSA v1 provenance, SPDX SBOMs.
 */
import { createHash } from 'node:crypto';
import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { FulcioSigner, MessageSignatureBundleBuilder, RekorWitness, type Bundle, type IdentityProvider } from '@sigstore/sign';
import type { RegistryClient } from '@/lib/oci/client';
import { parseDigest } from '@/lib/oci/digest';
import { SIGSTORE_BUNDLE_V03 } from '@/lib/oci/media-types';
import type { RepositoryLocator } from '@/lib/oci/reference';
import { pushReferrer } from './attach';
import { leafCertificateDer, signStatementKeyless, type AttestOptions } from './cosign-attest';
import { githubActionsToken, type GitHubActionsClaims } from './cosign-sign';
import type { SigstoreInstance } from './sigstore-instance';

export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const SPDX_PREDICATE = 'https://spdx.dev/Document';
export const GITHUB_WORKFLOW_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';

export interface InTotoSubject {
  name: string;
  digest: Record<string, string>;
}

export interface InTotoStatement<P = unknown> {
  _type: typeof IN_TOTO_STATEMENT_V1;
  subject: InTotoSubject[];
  predicateType: string;
  predicate: P;
}

// ---------------------------------------------------------------------------
// Bundles

/**
 * A keyless DSSE bundle over `statement` (payloadType application/vnd.in-toto+json),
 * serialized as v0.3 with a single `certificate`. Rekor entry: dsse 0.0.1 unless
 * opts.rekorEntryType says 'intoto' (intoto 0.0.2).
 */
export async function bundleKeyless(statement: object, instance: SigstoreInstance, claims: GitHubActionsClaims, opts: AttestOptions = {}): Promise<SerializedBundle> {
  return asV03(await signStatementKeyless(statement, instance, claims, opts));
}

/** A keyless message-signature bundle over `payload` (hashedrekord 0.0.1), serialized as v0.3. */
export async function messageBundleKeyless(payload: Buffer, instance: SigstoreInstance, claims: GitHubActionsClaims): Promise<SerializedBundle> {
  const token = githubActionsToken(claims);
  const identityProvider: IdentityProvider = { getToken: async () => token };
  const builder = new MessageSignatureBundleBuilder({
    signer: new FulcioSigner({ identityProvider, fulcioBaseURL: instance.fulcioURL, retry: 0 }),
    witnesses: [new RekorWitness({ rekorBaseURL: instance.rekorURL, retry: 0 })],
  });
  // @sigstore/sign builds message-signature bundles as v0.2 with a one-certificate chain.
  return asV03(await builder.create({ data: payload }));
}

/** v0.3 form: media type v0.3 and the leaf as a single `certificate`. */
function asV03(bundle: Bundle): SerializedBundle {
  const v03: Bundle = {
    ...bundle,
    mediaType: SIGSTORE_BUNDLE_V03,
    verificationMaterial: {
      ...bundle.verificationMaterial,
      content: { $case: 'certificate', certificate: { rawBytes: leafCertificateDer(bundle) } },
    },
  };
  return bundleToJSON(v03);
}

/** Annotations cosign puts on a bundle referrer (BUNDLE_SPEC.md "Annotations"). */
export function bundleAnnotations(bundle: SerializedBundle, created: Date = new Date()): Record<string, string> {
  const annotations: Record<string, string> = {
    'dev.sigstore.bundle.content': bundle.dsseEnvelope ? 'dsse-envelope' : 'message-signature',
  };
  if (bundle.dsseEnvelope) {
    try {
      const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as { predicateType?: unknown };
      if (typeof statement.predicateType === 'string') annotations['dev.sigstore.bundle.predicateType'] = statement.predicateType;
    } catch {
      // not an in-toto statement: no predicateType annotation
    }
  }
  annotations['org.opencontainers.image.created'] = created.toISOString();
  return annotations;
}

/**
 * Attaches a bundle to an image as cosign v3 does: an OCI 1.1 referrer with
 * artifactType and layer media type application/vnd.dev.sigstore.bundle.v0.3+json,
 * annotated per BUNDLE_SPEC.md (tag-schema index updated too). Returns the referrer's digest.
 */
export async function pushBundleReferrer(
  client: RegistryClient,
  repo: RepositoryLocator,
  imageDigest: string,
  bundle: SerializedBundle,
  opts: { created?: Date } = {},
): Promise<string> {
  const annotations = bundleAnnotations(bundle, opts.created);
  return pushReferrer(client, repo, imageDigest, {
    artifactType: SIGSTORE_BUNDLE_V03,
    layers: [{ mediaType: SIGSTORE_BUNDLE_V03, bytes: Buffer.from(JSON.stringify(bundle), 'utf8') }],
    annotations,
  });
}

// ---------------------------------------------------------------------------
// Statements

function subjectOf(imageDigest: string, name: string): InTotoSubject[] {
  const { algorithm, hex } = parseDigest(imageDigest);
  if (algorithm !== 'sha256') throw new Error(`in-toto subjects here are sha256; got ${imageDigest}`);
  return [{ name, digest: { sha256: hex } }];
}

/** The repository part of a reference ("host/repo:tag@sha256:…" → "host/repo"). */
function repositoryNameOf(reference: string): string {
  const noDigest = reference.split('@')[0] ?? reference;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

/**
 * cosign v3's signing statement (`cosign sign` with the new bundle format): predicate
 * type https://sigstore.dev/cosign/sign/v1, the image (by sha256) as subject, named
 * by its repository, with an empty predicate.
 */
export function imageSigningStatement(imageDigest: string, reference: string): InTotoStatement<Record<string, never>> {
  return { _type: IN_TOTO_STATEMENT_V1, subject: subjectOf(imageDigest, repositoryNameOf(reference)), predicateType: COSIGN_SIGN_PREDICATE, predicate: {} };
}

export interface GitHubBuild {
  /** "ORG/REPO" */
  repository: string;
  /** "refs/heads/main" */
  ref: string;
  /** Commit SHA (40 hex). */
  sha: string;
  /** ".github/workflows/release.yml" */
  workflowPath: string;
  /** Subject name (default "ghcr.io/<repository>", as GitHub names pushed images). */
  subjectName?: string;
  eventName?: string;
  runId?: string;
  runAttempt?: string;
}

/**
 * SLSA provenance v1 as `actions/attest-build-provenance` writes it for a GitHub
 * Actions build: builder = the workflow at its ref, buildType = GitHub's workflow
 * build type, external parameters = the workflow (ref, repository, path), internal
 * parameters = the run's GitHub context, the source commit as resolved dependency.
 */
export function slsaProvenanceStatement(imageDigest: string, build: GitHubBuild): InTotoStatement {
  const repoUrl = `https://github.com/${build.repository}`;
  const owner = build.repository.split('/')[0] ?? build.repository;
  const runId = build.runId ?? '1';
  const runAttempt = build.runAttempt ?? '1';
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: subjectOf(imageDigest, build.subjectName ?? `ghcr.io/${build.repository.toLowerCase()}`),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: GITHUB_WORKFLOW_BUILD_TYPE,
        externalParameters: {
          workflow: { ref: build.ref, repository: repoUrl, path: build.workflowPath },
        },
        internalParameters: {
          github: {
            event_name: build.eventName ?? 'push',
            // Same fake IDs as the signing token (cosign-sign.ts), so both agree.
            repository_id: fakeNumericId(build.repository),
            repository_owner_id: fakeNumericId(owner),
            runner_environment: 'github-hosted',
          },
        },
        resolvedDependencies: [{ uri: `git+${repoUrl}@${build.ref}`, digest: { gitCommit: build.sha } }],
      },
      runDetails: {
        builder: { id: `${repoUrl}/${build.workflowPath}@${build.ref}` },
        metadata: { invocationId: `${repoUrl}/actions/runs/${runId}/attempts/${runAttempt}` },
      },
    },
  };
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: Array<{
    name: string;
    SPDXID: string;
    versionInfo: string;
    downloadLocation: string;
    licenseConcluded: string;
    licenseDeclared: string;
    copyrightText: string;
    externalRefs: Array<{ referenceCategory: string; referenceType: string; referenceLocator: string }>;
  }>;
  relationships: Array<{ spdxElementId: string; relationshipType: string; relatedSpdxElement: string }>;
}

/** A small SPDX 2.3 JSON SBOM for an image `name`: three packages, deterministic. */
export function spdxDocument(name: string, created = '2024-01-01T00:00:00Z'): SpdxDocument {
  const pkgs: Array<[string, string, string, string]> = [
    ['alpine-baselayout', '3.6.5-r0', 'GPL-2.0-only', 'pkg:apk/alpine/alpine-baselayout@3.6.5-r0?arch=x86_64'],
    ['busybox', '1.36.1-r29', 'GPL-2.0-only', 'pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64'],
    ['openssl', '3.3.2-r0', 'Apache-2.0', 'pkg:apk/alpine/openssl@3.3.2-r0?arch=x86_64'],
  ];
  const id = (n: string) => `SPDXRef-Package-${n.replace(/[^A-Za-z0-9.-]/g, '-')}`;
  const namespaceId = createHash('sha256').update(`${name}\n${created}`).digest('hex').slice(0, 32);
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `https://sigscope.invalid/spdx/${encodeURIComponent(name)}-${namespaceId}`,
    creationInfo: { created, creators: ['Tool: sigscope-sandbox'] },
    packages: pkgs.map(([n, version, license, purl]) => ({
      name: n,
      SPDXID: id(n),
      versionInfo: version,
      downloadLocation: 'NOASSERTION',
      licenseConcluded: license,
      licenseDeclared: license,
      copyrightText: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }],
    })),
    relationships: pkgs.map(([n]) => ({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: id(n) })),
  };
}

/** An in-toto statement carrying an SPDX document (`cosign attest --type spdxjson`). */
export function spdxStatement(imageDigest: string, doc: SpdxDocument, subjectName: string = doc.name): InTotoStatement<SpdxDocument> {
  return { _type: IN_TOTO_STATEMENT_V1, subject: subjectOf(imageDigest, subjectName), predicateType: SPDX_PREDICATE, predicate: doc };
}

// GitHub's numeric IDs, faked stably per name exactly as githubActionsToken does.
const fakeNumericId = (name: string): string => String(createHash('sha256').update(name).digest().readUInt32BE(0) % 1_000_000_000);
