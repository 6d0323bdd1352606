/**
 * Small, deterministic OCI images built in code for tests and demos: a config
 * blob, one gzip tar layer holding the given files, and an OCI manifest; plus
 * multi-arch indexes. Same inputs → same bytes → same digests.
 */
import { gzipSync } from 'node:zlib';
import { sha256Digest } from '../lib/oci/digest';
import type { Descriptor } from '../lib/oci/manifest';
import { OCI_CONFIG, OCI_INDEX, OCI_LAYER_TAR_GZIP, OCI_MANIFEST } from '../lib/oci/media-types';

export interface Blob {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
}

export interface ImagePlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface BuiltImage {
  config: Blob;
  layers: Blob[];
  /** Manifest bytes exactly as pushed. */
  manifest: Buffer;
  mediaType: typeof OCI_MANIFEST;
  digest: string;
  platform: ImagePlatform;
}

export interface BuiltIndex {
  manifest: Buffer;
  mediaType: typeof OCI_INDEX;
  digest: string;
  images: BuiltImage[];
}

export interface ImageSpec {
  /** Files in the single layer: path inside the image → content. */
  files?: Record<string, string | Buffer>;
  platform?: ImagePlatform;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function blobOf(bytes: Buffer, mediaType: string): Blob {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.length, bytes };
}

export function descriptorOf(blob: Pick<Blob, 'mediaType' | 'digest' | 'size'>, extra?: Partial<Descriptor>): Descriptor {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size, ...extra };
}

export function buildImage(spec: ImageSpec = {}): BuiltImage {
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const files = spec.files ?? { 'hello.txt': 'hello from sigscope\n' };
  const tar = tarArchive(files);
  // mtime 0 in the gzip header keeps the layer digest stable.
  const layer = blobOf(gzipSync(tar, { level: 9 }), OCI_LAYER_TAR_GZIP);
  const configJson = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: spec.labels ? { Labels: spec.labels } : {},
    rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
  };
  const config = blobOf(Buffer.from(JSON.stringify(configJson)), OCI_CONFIG);
  const manifestJson = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptorOf(config),
    layers: [descriptorOf(layer)],
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  };
  const manifest = Buffer.from(JSON.stringify(manifestJson));
  return { config, layers: [layer], manifest, mediaType: OCI_MANIFEST, digest: sha256Digest(manifest), platform };
}

export function buildIndex(images: BuiltImage[], annotations?: Record<string, string>): BuiltIndex {
  const indexJson = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map((img) => ({
      mediaType: img.mediaType,
      digest: img.digest,
      size: img.manifest.length,
      platform: img.platform,
    })),
    ...(annotations ? { annotations } : {}),
  };
  const manifest = Buffer.from(JSON.stringify(indexJson));
  return { manifest, mediaType: OCI_INDEX, digest: sha256Digest(manifest), images };
}

/** linux/amd64 + linux/arm64, each a distinct image (the file content names the platform). */
export function buildMultiArchIndex(name = 'app'): BuiltIndex {
  const platforms: ImagePlatform[] = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
  ];
  return buildIndex(
    platforms.map((platform) => buildImage({ platform, files: { 'hello.txt': `${name} for ${platform.os}/${platform.architecture}\n` } })),
  );
}

/** A minimal ustar archive of regular files (mode 0644, uid/gid 0, mtime 0). */
export function tarArchive(files: Record<string, string | Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    parts.push(tarHeader(name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(parts);
}

function tarHeader(name: string, size: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name "${name}" is longer than 100 bytes`);
  const h = Buffer.alloc(512);
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, '0') + '\0';
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii'); // mtime
  h.write('        ', 148, 'ascii'); // checksum field counts as spaces while summing
  h.write('0', 156, 'ascii'); // regular file
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}
