/**
 * Finds the cosign signatures (or attestations) attached to a digest: the manifest at
 * tag `sha256-<hex>.sig` (`.att`), one signature (DSSE envelope) per layer. Each payload blob is fetched with
 * its digest checked and its size bounded; annotations are read as-is and only
 * validated later by lib/verify.
 */
import { SigscopeError } from '../errors';
import type { RegistryClient } from '../oci/client';
import type { RepositoryLocator } from '../oci/reference';
import type { DiscoveredSignature } from './discovered';
import { MAX_PAYLOAD_BYTES } from './payload';
import { ANNOTATION } from './types';
import { attachmentTag } from './tags';

const MAX_LAYERS = 64;
// An attestation layer is a whole DSSE envelope (an SBOM predicate can be large).
const MAX_ATTESTATION_BYTES = 8 * 1024 * 1024;

export interface DiscoveryResult {
  tag: string;
  signatures: DiscoveredSignature[];
  /** Problems with individual layers (a missing blob, a bad digest); the rest are still returned. */
  problems: string[];
}

export async function discoverCosignSignatures(client: RegistryClient, repo: RepositoryLocator, digest: string, kind: 'sig' | 'att' = 'sig'): Promise<DiscoveryResult> {
  const tag = attachmentTag(digest, kind);
  if (client.isListedAbsent(repo, tag)) return { tag, signatures: [], problems: [] };
  let manifest;
  try {
    manifest = await client.getManifest(repo, tag);
  } catch (e) {
    if (e instanceof SigscopeError && e.code === 'REGISTRY_NOT_FOUND') return { tag, signatures: [], problems: [] };
    throw e;
  }
  const layers = 'layers' in manifest.manifest && Array.isArray(manifest.manifest.layers) ? manifest.manifest.layers : undefined;
  if (!layers) {
    throw new SigscopeError('REGISTRY_BAD_RESPONSE', `the signature tag ${tag} holds a ${manifest.mediaType}, not an image manifest with signature layers`);
  }
  const problems: string[] = [];
  if (layers.length > MAX_LAYERS) problems.push(`${tag} has ${layers.length} layers; only the first ${MAX_LAYERS} were read`);
  const signatures: DiscoveredSignature[] = [];
  for (const [index, layer] of layers.slice(0, MAX_LAYERS).entries()) {
    let payload: Buffer;
    try {
      const limit = kind === 'att' ? MAX_ATTESTATION_BYTES : MAX_PAYLOAD_BYTES;
      if (layer.size > limit) throw new SigscopeError('SIZE_LIMIT', `layer ${index} of ${tag} is ${layer.size} bytes, above the ${limit}-byte limit`);
      payload = await client.getBlob(repo, layer.digest, limit);
    } catch (e) {
      if (e instanceof SigscopeError && e.code !== 'REGISTRY_UNREACHABLE' && e.code !== 'TIMEOUT') {
        problems.push(`layer ${index} (${layer.digest}) of ${tag}: ${e.message}`);
        continue;
      }
      throw e;
    }
    const a: Record<string, string> = layer.annotations ?? {};
    signatures.push({
      subjectDigest: digest,
      tag,
      manifestDigest: manifest.digest,
      layerIndex: index,
      layerDigest: layer.digest,
      mediaType: layer.mediaType,
      payload,
      signatureB64: a[ANNOTATION.signature],
      certificatePem: a[ANNOTATION.certificate],
      chainPem: a[ANNOTATION.chain],
      bundleJson: a[ANNOTATION.bundle],
      rfc3161TimestampJson: a[ANNOTATION.rfc3161timestamp],
    });
  }
  return { tag, signatures, problems };
}
