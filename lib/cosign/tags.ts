/** cosign's tag scheme: signatures of `sha256:<hex>` live at tag `sha256-<hex>.sig`. */
import { SigscopeError } from '../errors';

export type AttachmentKind = 'sig' | 'att' | 'sbom';

export function attachmentTag(digest: string, kind: AttachmentKind): string {
  const m = /^(sha256|sha512):([a-f0-9]+)$/.exec(digest);
  if (!m) throw new SigscopeError('INVALID_INPUT', `"${digest}" is not a digest (expected sha256:<64 hex>)`);
  return `${m[1]}-${m[2]}.${kind}`;
}

export function signatureTag(digest: string): string {
  return attachmentTag(digest, 'sig');
}
