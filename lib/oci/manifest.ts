/**
 * Zod schemas for the manifests Sigscope reads: OCI image manifest and index,
 * Docker v2 manifest and manifest list. Registry responses are untrusted, so
 * every array, map and string is bounded; unknown fields are dropped (the raw
 * bytes are kept separately for hashing).
 */
import { z } from 'zod';
import { SigscopeError } from '../errors';
import { JsonLimitError, parseBoundedJson } from '../net/json';
import { isValidDigest } from './digest';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_V1,
  DOCKER_MANIFEST_V1_SIGNED,
  OCI_INDEX,
  OCI_MANIFEST,
  isManifestMediaType,
  type ManifestMediaType,
} from './media-types';

export const LIMITS = {
  layers: 1024,
  manifests: 1024,
  annotations: 512,
  annotationKeyLength: 1024,
  /** Cosign puts certificate chains and Rekor bundles in annotation values. */
  annotationValueLength: 1024 * 1024,
  urls: 32,
  mediaTypeLength: 255,
  platformStrings: 64,
} as const;

// RFC 6838 type/subtype (+suffix), plus parameters are not allowed in descriptors.
const mediaTypeSchema = z
  .string()
  .max(LIMITS.mediaTypeLength)
  .regex(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/, 'not a media type (type/subtype)');

export const digestSchema = z.string().max(140).refine(isValidDigest, 'not a sha256/sha512 digest');

export const annotationsSchema = z
  .record(z.string().max(LIMITS.annotationKeyLength), z.string().max(LIMITS.annotationValueLength))
  .refine((a) => Object.keys(a).length <= LIMITS.annotations, `at most ${LIMITS.annotations} annotations`);

const shortString = z.string().max(128);

export const platformSchema = z.object({
  architecture: shortString,
  os: shortString,
  'os.version': shortString.optional(),
  'os.features': z.array(shortString).max(LIMITS.platformStrings).optional(),
  variant: shortString.optional(),
  features: z.array(shortString).max(LIMITS.platformStrings).optional(),
});

export const descriptorSchema = z.object({
  mediaType: mediaTypeSchema,
  digest: digestSchema,
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  urls: z.array(z.string().max(2048)).max(LIMITS.urls).optional(),
  annotations: annotationsSchema.optional(),
  data: z.string().max(4 * 1024 * 1024).optional(),
  platform: platformSchema.optional(),
  artifactType: mediaTypeSchema.optional(),
});

export const ociImageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(OCI_MANIFEST).optional(),
  artifactType: mediaTypeSchema.optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema).max(LIMITS.layers),
  subject: descriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});

export const ociImageIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(OCI_INDEX).optional(),
  artifactType: mediaTypeSchema.optional(),
  manifests: z.array(descriptorSchema).max(LIMITS.manifests),
  subject: descriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});

export const dockerManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(DOCKER_MANIFEST),
  config: descriptorSchema,
  layers: z.array(descriptorSchema).max(LIMITS.layers),
});

export const dockerManifestListSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(DOCKER_MANIFEST_LIST),
  manifests: z.array(descriptorSchema).max(LIMITS.manifests),
});

export type Descriptor = z.infer<typeof descriptorSchema>;
export type Platform = z.infer<typeof platformSchema>;
export type OciImageManifest = z.infer<typeof ociImageManifestSchema> & { mediaType: typeof OCI_MANIFEST };
export type OciImageIndex = z.infer<typeof ociImageIndexSchema> & { mediaType: typeof OCI_INDEX };
export type DockerManifest = z.infer<typeof dockerManifestSchema>;
export type DockerManifestList = z.infer<typeof dockerManifestListSchema>;

/** A validated manifest; `mediaType` is always set (taken from the response when the body omits it). */
export type Manifest = OciImageManifest | OciImageIndex | DockerManifest | DockerManifestList;
export type ImageManifest = OciImageManifest | DockerManifest;
export type IndexManifest = OciImageIndex | DockerManifestList;

export function isIndex(m: Manifest): m is IndexManifest {
  return m.mediaType === OCI_INDEX || m.mediaType === DOCKER_MANIFEST_LIST;
}

export function isImageManifest(m: Manifest): m is ImageManifest {
  return !isIndex(m);
}

const SCHEMAS: Record<ManifestMediaType, z.ZodType> = {
  [OCI_MANIFEST]: ociImageManifestSchema,
  [OCI_INDEX]: ociImageIndexSchema,
  [DOCKER_MANIFEST]: dockerManifestSchema,
  [DOCKER_MANIFEST_LIST]: dockerManifestListSchema,
};

/**
 * Parses and validates manifest bytes. The media type comes from the body's
 * `mediaType` field, else from the response Content-Type, else from its shape;
 * a body that contradicts its Content-Type is refused (type confusion).
 * `what` names the object in error messages.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined, what: string): Manifest {
  let json: unknown;
  try {
    json = parseBoundedJson(bytes);
  } catch (e) {
    if (e instanceof JsonLimitError) throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: the manifest is ${e.message} — no manifest is; refusing it`);
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: the manifest is not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: the manifest is not a JSON object`);
  }
  const body = json as Record<string, unknown>;
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;

  if (contentType === DOCKER_MANIFEST_V1_SIGNED || contentType === DOCKER_MANIFEST_V1 || body.schemaVersion === 1) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: the registry returned a Docker schema 1 manifest, which is deprecated and not supported — push the image again with a current client`);
  }
  if (declared !== undefined && isManifestMediaType(contentType) && declared !== contentType) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: the response says Content-Type ${contentType} but the manifest declares mediaType ${declared.slice(0, 100)}`);
  }
  const mediaType = declared ?? (isManifestMediaType(contentType) ? contentType : Array.isArray(body.manifests) ? OCI_INDEX : OCI_MANIFEST);
  if (!isManifestMediaType(mediaType)) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: unsupported manifest media type "${mediaType.slice(0, 100)}"`);
  }
  const result = SCHEMAS[mediaType].safeParse(body);
  if (!result.success) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `${what}: the ${mediaType} manifest is malformed: ${z.prettifyError(result.error).replace(/\s*\n\s*/g, ' ').slice(0, 500)}`);
  }
  return { ...(result.data as object), mediaType } as Manifest;
}
