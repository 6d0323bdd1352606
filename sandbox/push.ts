/**
 * Pushes sandbox images, indexes and cosign signatures to a registry through
 * RegistryClient's push helpers (blobs first, then manifests, children before
 * the index that names them).
 */
import type { CosignSignatureLayer } from '../lib/cosign/types';
import type { RegistryClient } from '../lib/oci/client';
import { parseDigest, sha256Digest } from '../lib/oci/digest';
import { OCI_CONFIG, OCI_MANIFEST } from '../lib/oci/media-types';
import type { RepositoryLocator } from '../lib/oci/reference';
import { blobOf, descriptorOf, type BuiltImage, type BuiltIndex } from './oci-images';

/** Pushes config, layers and manifest; `tagOrDigest` may be the image's own digest. Returns the manifest digest. */
export async function pushImage(client: RegistryClient, repo: RepositoryLocator, tagOrDigest: string, image: BuiltImage): Promise<string> {
  await client.putBlob(repo, image.config.bytes);
  for (const layer of image.layers) await client.putBlob(repo, layer.bytes);
  return client.putManifest(repo, tagOrDigest, image.manifest, image.mediaType);
}

/** Pushes each platform image by digest, then the index under `tag`. Returns the index digest. */
export async function pushIndex(client: RegistryClient, repo: RepositoryLocator, tag: string, index: BuiltIndex): Promise<string> {
  for (const image of index.images) await pushImage(client, repo, image.digest, image);
  return client.putManifest(repo, tag, index.manifest, index.mediaType);
}

/** cosign's tag-based discovery: sha256:<hex> → "sha256-<hex>.sig". */
export function signatureTag(subjectDigest: string): string {
  const { algorithm, hex } = parseDigest(subjectDigest);
  return `${algorithm}-${hex}.sig`;
}

/**
 * Writes a cosign signature manifest for `subjectDigest` the way cosign lays it
 * out: an OCI image manifest at tag sha256-<hex>.sig whose layers are the
 * payload blobs, each carrying its signature/certificate/bundle annotations.
 */
export async function pushCosignSignatures(
  client: RegistryClient,
  repo: RepositoryLocator,
  subjectDigest: string,
  layers: CosignSignatureLayer[],
): Promise<{ tag: string; digest: string }> {
  const tag = signatureTag(subjectDigest);
  return { tag, digest: await pushCosignTagManifest(client, repo, tag, layers) };
}

/**
 * cosign's layout for any tag attachment (`.sig`, `.att`, `.sbom`): an OCI image
 * manifest whose config lists the layers' diff_ids and whose layers are the payload
 * blobs with their annotations. Replaces whatever the tag held. Returns the digest.
 */
export async function pushCosignTagManifest(client: RegistryClient, repo: RepositoryLocator, tag: string, layers: CosignSignatureLayer[]): Promise<string> {
  const payloads = layers.map((l) => blobOf(l.payload, l.mediaType));
  const config = blobOf(
    Buffer.from(
      JSON.stringify({
        architecture: '',
        os: '',
        config: {},
        rootfs: { type: 'layers', diff_ids: payloads.map((p) => sha256Digest(p.bytes)) },
      }),
    ),
    OCI_CONFIG,
  );
  await client.putBlob(repo, config.bytes);
  for (const p of payloads) await client.putBlob(repo, p.bytes);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptorOf(config),
      layers: payloads.map((p, i) => descriptorOf(p, Object.keys(layers[i]!.annotations).length ? { annotations: layers[i]!.annotations } : {})),
    }),
  );
  return client.putManifest(repo, tag, manifest, OCI_MANIFEST);
}
