/**
 * PEM <-> DER for certificates.
 *
 * Why not @peculiar/x509's PemConverter for reading: its pattern silently skips a block
 * whose body has a stray character, so "bad base64" turns into "no certificate" or,
 * worse, into a chain with one certificate missing. Here every BEGIN must meet its END,
 * every body must be clean base64, and anything else is a CERTIFICATE_MALFORMED error.
 * Text outside blocks is ignored (RFC 7468 "explanatory text", e.g. openssl's
 * "subject=…" lines).
 */
import { malformed } from './malformed';
import { MAX_CERTIFICATE_DER_BYTES, MAX_CERTIFICATE_PEM_CHARS, MAX_CHAIN_CERTIFICATES, MAX_CHAIN_PEM_CHARS } from './limits';

// RFC 7468 §5.1: generators write CERTIFICATE; parsers may accept the two legacy labels.
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'X.509 CERTIFICATE']);
const MARKER = /-----(BEGIN|END) ([^\r\n-]*)-----/g;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes every CERTIFICATE block, in order. Throws unless the text is well-formed PEM. */
export function certificateBlocks(text: string, maxBlocks = MAX_CHAIN_CERTIFICATES): Uint8Array<ArrayBuffer>[] {
  const blocks: Uint8Array<ArrayBuffer>[] = [];
  let open: { label: string; bodyStart: number } | null = null;

  for (const m of text.matchAll(MARKER)) {
    const [marker, kind, label = ''] = m;
    const at = m.index;
    if (kind === 'BEGIN') {
      if (open) throw malformed(`PEM block "${open.label}" is not closed: found another BEGIN line before its END line.`);
      if (!CERTIFICATE_LABELS.has(label)) {
        throw malformed(`Expected a PEM "CERTIFICATE" block but found "${label}". Pass the certificate, not a key or another object.`);
      }
      open = { label, bodyStart: at + marker.length };
      continue;
    }
    if (!open) throw malformed(`PEM "END ${label}" line has no matching BEGIN line.`);
    if (label !== open.label) throw malformed(`PEM block "BEGIN ${open.label}" is closed by "END ${label}".`);
    if (blocks.length >= maxBlocks) {
      throw malformed(`PEM holds more than ${maxBlocks} certificates; refusing to read further.`);
    }
    blocks.push(decodeBody(text.slice(open.bodyStart, at), blocks.length + 1));
    open = null;
  }
  if (open) throw malformed(`PEM block "${open.label}" has no END line; the text looks truncated.`);
  if (blocks.length === 0) {
    throw malformed('No PEM certificate found: expected a "-----BEGIN CERTIFICATE-----" line.');
  }
  return blocks;
}

function decodeBody(body: string, position: number): Uint8Array<ArrayBuffer> {
  const b64 = body.replace(/\s+/g, '');
  if (b64.length === 0) throw malformed(`PEM certificate #${position} is empty.`);
  if (!BASE64.test(b64)) {
    throw malformed(
      `PEM certificate #${position} is not valid base64 (stray characters, bad padding or a missing piece). ` +
        'Copy the whole block again, from BEGIN to END.',
    );
  }
  const der = new Uint8Array(Buffer.from(b64, 'base64'));
  if (der.length > MAX_CERTIFICATE_DER_BYTES) {
    throw malformed(`PEM certificate #${position} is ${der.length} bytes; the limit is ${MAX_CERTIFICATE_DER_BYTES}.`);
  }
  return der;
}

/**
 * Splits a multi-certificate PEM string (cosign's `dev.sigstore.cosign/chain` annotation,
 * a Fulcio response) into one normalised PEM string per certificate, in the given order.
 * It checks the PEM and base64 only; decode each piece with decodeCertificate().
 */
export function splitPemChain(pem: string): string[] {
  if (typeof pem !== 'string') throw malformed('Expected the PEM certificate chain as a string.');
  if (pem.length > MAX_CHAIN_PEM_CHARS) {
    throw malformed(`PEM chain is ${pem.length} characters; the limit is ${MAX_CHAIN_PEM_CHARS}.`);
  }
  return certificateBlocks(pem).map(pemFromDer);
}

/** The DER bytes of a PEM string that holds exactly one certificate. */
export function derFromPem(pem: string): Uint8Array<ArrayBuffer> {
  if (typeof pem !== 'string') throw malformed('Expected a PEM certificate as a string.');
  if (pem.length > MAX_CERTIFICATE_PEM_CHARS) {
    throw malformed(`PEM certificate is ${pem.length} characters; the limit is ${MAX_CERTIFICATE_PEM_CHARS}.`);
  }
  const blocks = certificateBlocks(pem);
  if (blocks.length !== 1) {
    throw malformed(
      `The PEM text holds ${blocks.length} certificates, but exactly one was expected. ` +
        'Split a chain with splitPemChain() and decode each certificate separately.',
    );
  }
  return blocks[0]!;
}

/**
 * Canonical PEM: 64-column base64, LF line ends, trailing newline. The same text as
 * @peculiar/x509's PemConverter.encode(der, 'CERTIFICATE') plus "\n", without its detour
 * through a binary string and btoa (pem.test.ts compares the two).
 */
export function pemFromDer(der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let pem = '-----BEGIN CERTIFICATE-----\n';
  for (let i = 0; i < base64.length; i += 64) pem += `${base64.slice(i, i + 64)}\n`;
  return `${pem}-----END CERTIFICATE-----\n`;
}
