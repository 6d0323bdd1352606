/**
 * Attaches artifacts to sandbox images the two ways tools do:
 *
 * - OCI 1.1 referrers (ORAS, cosign v3 bundles, GitHub attestations): an image
 *   manifest with `artifactType`, the empty config and a `subject` pointing at the
 *   image. Distribution 2.8 has no referrers API, so, as those clients do on such a
 *   registry, the referrers tag-schema index at `sha256-<hex>` is read, extended
 *   with the new manifest's descriptor and pushed back.
 * - cosign's tag attachments `sha256-<hex>.att` / `.sbom` (same layout as `.sig`).
 */
import type { CosignSignatureLayer } from '../lib/cosign/types';
import type { RegistryClient } from '../lib/oci/client';
import { parseDigest, sha256Digest } from '../lib/oci/digest';
import type { Descriptor } from '../lib/oci/manifest';
import { OCI_EMPTY, OCI_INDEX, OCI_MANIFEST } from '../lib/oci/media-types';
import type { RepositoryLocator } from '../lib/oci/reference';
import { listReferrers, referrersTag } from '../lib/oci/referrers';
import { blobOf, descriptorOf } from './oci-images';
import { pushCosignTagManifest } from './push';

/** The OCI empty descriptor's blob: `{}`. */
export const EMPTY_JSON = Buffer.from('{}');

export interface ReferrerLayer {
  mediaType: string;
  bytes: Buffer;
  annotations?: Record<string, string>;
}

export interface ReferrerSpec {
  artifactType: string;
  /** The artifact's blobs. None → the empty descriptor as the only layer (OCI guidance). */
  layers: ReferrerLayer[];
  /** Manifest annotations; also copied onto the descriptor in the referrers index. */
  annotations?: Record<string, string>;
}

/**
 * Pushes an OCI 1.1 artifact manifest referring to `subjectDigest` (which must
 * exist in `repo`: its media type and size go into `subject`), then adds it to the
 * referrers tag-schema index. Returns the artifact manifest's digest.
 */
export async function pushReferrer(client: RegistryClient, repo: RepositoryLocator, subjectDigest: string, spec: ReferrerSpec): Promise<string> {
  const subject = await client.headManifest(repo, subjectDigest);
  if (!subject) throw new Error(`cannot attach to ${repo.repository}@${subjectDigest}: no such manifest in the repository`);

  const empty = blobOf(EMPTY_JSON, OCI_EMPTY);
  await client.putBlob(repo, empty.bytes);
  const layers: Descriptor[] = [];
  for (const l of spec.layers) {
    const blob = blobOf(l.bytes, l.mediaType);
    await client.putBlob(repo, blob.bytes);
    layers.push(descriptorOf(blob, l.annotations ? { annotations: l.annotations } : {}));
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: spec.artifactType,
      config: descriptorOf(empty),
      layers: layers.length > 0 ? layers : [descriptorOf(empty)],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      ...(spec.annotations ? { annotations: spec.annotations } : {}),
    }),
  );
  const digest = sha256Digest(manifest);
  await client.putManifest(repo, digest, manifest, OCI_MANIFEST);

  await addToReferrersIndex(client, repo, subjectDigest, {
    mediaType: OCI_MANIFEST,
    digest,
    size: manifest.length,
    artifactType: spec.artifactType,
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  });
  return digest;
}

/**
 * The referrers tag-schema update: the index at `sha256-<hex>` (new if absent) with
 * `entry` appended (an entry with the same digest is replaced, so re-pushing is
 * idempotent). Not safe against concurrent writers, like every client's fallback.
 */
export async function addToReferrersIndex(client: RegistryClient, repo: RepositoryLocator, subjectDigest: string, entry: Descriptor): Promise<string> {
  const current = await listReferrers(client, repo, subjectDigest);
  if (current.source === 'api') throw new Error(`registry ${repo.registry} has a referrers API: it indexes referrers itself, the tag schema must not be written`);
  const manifests = [...current.descriptors.filter((d) => d.digest !== entry.digest), entry];
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
  return client.putManifest(repo, referrersTag(subjectDigest), index, OCI_INDEX);
}

export type AttachmentKind = 'att' | 'sbom';

/** cosign's tag for an attachment: sha256:<hex> → "sha256-<hex>.att" / ".sbom". */
export function attachmentTag(subjectDigest: string, kind: AttachmentKind): string {
  const { algorithm, hex } = parseDigest(subjectDigest);
  return `${algorithm}-${hex}.${kind}`;
}

/**
 * `cosign attest` / `cosign attach sbom`: writes the `.att` or `.sbom` manifest for
 * `subjectDigest` (replacing it; cosign appends new attestations to the existing
 * layers, so pass all of them). `.att` layers come from attestKeyless
 * (cosign-attest.ts); `.sbom` layers are the SBOM document (e.g. text/spdx+json)
 * with no annotations.
 */
export async function pushAttachmentTag(
  client: RegistryClient,
  repo: RepositoryLocator,
  subjectDigest: string,
  kind: AttachmentKind,
  layers: CosignSignatureLayer[],
): Promise<{ tag: string; digest: string }> {
  const tag = attachmentTag(subjectDigest, kind);
  return { tag, digest: await pushCosignTagManifest(client, repo, tag, layers) };
}
