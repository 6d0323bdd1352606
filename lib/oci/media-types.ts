/** Media types of the OCI image spec and Docker's v2 formats that Sigscope reads or writes. */

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_TAR_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

// Artifact types found among an image's referrers and cosign attachments.
/** A Sigstore bundle v0.3 (cosign v3, GitHub attestations): artifactType and layer media type. */
export const SIGSTORE_BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** A DSSE envelope (cosign `.att` layers). */
export const DSSE_ENVELOPE = 'application/vnd.dsse.envelope.v1+json';
/** payloadType of a DSSE envelope holding an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** SPDX JSON (cosign `.sbom` layers for `--type spdxjson`). */
export const SPDX_JSON = 'text/spdx+json';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER_TAR_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
/** Docker schema 1: deprecated, unsigned-by-digest, refused by Sigscope. */
export const DOCKER_MANIFEST_V1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const DOCKER_MANIFEST_V1 = 'application/vnd.docker.distribution.manifest.v1+json';

export type ImageManifestMediaType = typeof OCI_MANIFEST | typeof DOCKER_MANIFEST;
export type IndexMediaType = typeof OCI_INDEX | typeof DOCKER_MANIFEST_LIST;
export type ManifestMediaType = ImageManifestMediaType | IndexMediaType;

export const MANIFEST_MEDIA_TYPES: readonly ManifestMediaType[] = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST];

/** Accept header for manifest requests: without it registries may down-convert to schema 1. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

export function isManifestMediaType(t: string | undefined): t is ManifestMediaType {
  return t !== undefined && (MANIFEST_MEDIA_TYPES as readonly string[]).includes(t);
}

export function isIndexMediaType(t: string | undefined): t is IndexMediaType {
  return t === OCI_INDEX || t === DOCKER_MANIFEST_LIST;
}

export function isImageManifestMediaType(t: string | undefined): t is ImageManifestMediaType {
  return t === OCI_MANIFEST || t === DOCKER_MANIFEST;
}

/** "application/json; charset=utf-8" → "application/json". */
export function baseMediaType(contentType: string | null | undefined): string | undefined {
  if (!contentType) return undefined;
  const base = contentType.split(';')[0]?.trim().toLowerCase();
  return base === '' ? undefined : base;
}
