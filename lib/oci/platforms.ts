/** The per-platform image manifests of an index / manifest list. */
import type { Descriptor, IndexManifest } from './manifest';
import { isImageManifestMediaType } from './media-types';

export interface PlatformManifest {
  digest: string;
  mediaType: string;
  size: number;
  platform: { os: string; architecture: string; variant?: string };
  descriptor: Descriptor;
}

/**
 * Image manifests of an index that name a platform. Entries without one, or
 * "unknown/unknown" (BuildKit's attestation manifests), are not runnable images.
 */
export function resolvePlatforms(index: IndexManifest): PlatformManifest[] {
  const out: PlatformManifest[] = [];
  for (const d of index.manifests) {
    if (!d.platform || !isImageManifestMediaType(d.mediaType)) continue;
    const { os, architecture, variant } = d.platform;
    if (os === 'unknown' && architecture === 'unknown') continue;
    out.push({
      digest: d.digest,
      mediaType: d.mediaType,
      size: d.size,
      platform: variant === undefined ? { os, architecture } : { os, architecture, variant },
      descriptor: d,
    });
  }
  return out;
}

/** "linux/arm64/v8" */
export function formatPlatform(p: { os: string; architecture: string; variant?: string }): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
