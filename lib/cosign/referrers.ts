/**
 * Sigstore bundles and SBOMs attached to a digest as OCI 1.1 referrers (the referrers
 * API, or its tag-schema fallback `sha256-<hex>` on registries without it), plus
 * cosign's `.sbom` tag. Every blob is digest-checked and size-bounded by the client.
 */
import { SigscopeError } from '../errors';
import type { RegistryClient } from '../oci/client';
import type { RepositoryLocator } from '../oci/reference';
import { fetchReferrer, listReferrers } from '../oci/referrers';
import { attachmentTag } from './tags';

export const BUNDLE_MEDIA_TYPES = new Set([
  'application/vnd.dev.sigstore.bundle.v0.3+json',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
]);
export const SBOM_MEDIA_TYPES = new Set(['application/spdx+json', 'text/spdx+json', 'text/spdx', 'application/vnd.cyclonedx+json', 'application/vnd.cyclonedx']);

const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
const MAX_REFERRERS = 256;

export type ReferrerSource = 'referrers-api' | 'referrers-tag';

export interface DiscoveredBundle {
  subjectDigest: string;
  source: ReferrerSource;
  manifestDigest: string;
  artifactType: string;
  layerDigest: string;
  mediaType: string;
  /** The bundle JSON, digest-checked. */
  bytes: Buffer;
}

export interface DiscoveredDocument {
  subjectDigest: string;
  source: ReferrerSource | 'sbom-tag';
  manifestDigest: string;
  mediaType: string;
  layerDigest: string;
  size: number;
  bytes: Buffer;
}

export interface ReferrerDiscovery {
  source: 'api' | 'tag-fallback' | 'none';
  bundles: DiscoveredBundle[];
  documents: DiscoveredDocument[];
  /** Referrers of other artifact types, shown as such. */
  others: Array<{ digest: string; artifactType: string }>;
  problems: string[];
}

function isNotFound(e: unknown): boolean {
  return e instanceof SigscopeError && e.code === 'REGISTRY_NOT_FOUND';
}

export async function discoverReferrers(client: RegistryClient, repo: RepositoryLocator, digest: string): Promise<ReferrerDiscovery> {
  let listed: Awaited<ReturnType<typeof listReferrers>>;
  try {
    listed = await listReferrers(client, repo, digest);
  } catch (e) {
    // A hostile or broken referrers listing loses the referrers, not the rest of the run.
    if (e instanceof SigscopeError && e.code !== 'REGISTRY_UNREACHABLE' && e.code !== 'TIMEOUT') {
      return { source: 'none', bundles: [], documents: [], others: [], problems: [`referrers of ${digest} could not be read: ${e.message}`] };
    }
    throw e;
  }
  const source: ReferrerSource = listed.source === 'api' ? 'referrers-api' : 'referrers-tag';
  const out: ReferrerDiscovery = { source: listed.source, bundles: [], documents: [], others: [], problems: [] };
  if (listed.descriptors.length > MAX_REFERRERS) out.problems.push(`${listed.descriptors.length} referrers; only the first ${MAX_REFERRERS} were read`);
  for (const d of listed.descriptors.slice(0, MAX_REFERRERS)) {
    const artifactType = d.artifactType ?? '';
    const wanted = BUNDLE_MEDIA_TYPES.has(artifactType) ? 'bundle' : SBOM_MEDIA_TYPES.has(artifactType) ? 'document' : undefined;
    if (!wanted) {
      out.others.push({ digest: d.digest, artifactType: artifactType || d.mediaType });
      continue;
    }
    try {
      // fetchReferrer checks that the artifact's subject is this image: anyone who can push the
      // fallback tag could otherwise list another image's artifacts here.
      const manifest = await fetchReferrer(client, repo, digest, d);
      const layers = manifest.manifest.layers;
      for (const layer of layers) {
        if (wanted === 'bundle' && BUNDLE_MEDIA_TYPES.has(layer.mediaType)) {
          const bytes = await client.getBlob(repo, layer.digest, MAX_BUNDLE_BYTES);
          out.bundles.push({ subjectDigest: digest, source, manifestDigest: manifest.digest, artifactType, layerDigest: layer.digest, mediaType: layer.mediaType, bytes });
        } else if (wanted === 'document') {
          const bytes = await client.getBlob(repo, layer.digest, MAX_DOCUMENT_BYTES);
          out.documents.push({ subjectDigest: digest, source, manifestDigest: manifest.digest, mediaType: layer.mediaType, layerDigest: layer.digest, size: bytes.length, bytes });
        }
      }
    } catch (e) {
      if (e instanceof SigscopeError && e.code !== 'REGISTRY_UNREACHABLE' && e.code !== 'TIMEOUT') {
        out.problems.push(`referrer ${d.digest} (${artifactType}): ${e.message}`);
        continue;
      }
      throw e;
    }
  }
  return out;
}

/** cosign's `.sbom` tag: SBOM documents as layers (unsigned by themselves). */
export async function discoverSbomTag(client: RegistryClient, repo: RepositoryLocator, digest: string): Promise<DiscoveredDocument[]> {
  const tag = attachmentTag(digest, 'sbom');
  if (client.isListedAbsent(repo, tag)) return [];
  let manifest;
  try {
    manifest = await client.getManifest(repo, tag);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
  const layers = 'layers' in manifest.manifest && Array.isArray(manifest.manifest.layers) ? manifest.manifest.layers : [];
  const out: DiscoveredDocument[] = [];
  for (const layer of layers.slice(0, 16)) {
    const bytes = await client.getBlob(repo, layer.digest, MAX_DOCUMENT_BYTES);
    out.push({ subjectDigest: digest, source: 'sbom-tag', manifestDigest: manifest.digest, mediaType: layer.mediaType, layerDigest: layer.digest, size: bytes.length, bytes });
  }
  return out;
}
