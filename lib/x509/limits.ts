/**
 * Size bounds for untrusted certificate input. A Fulcio leaf is ~1–1.5 KiB of DER and a
 * CA certificate rarely exceeds 4 KiB, so these leave ample room while stopping an
 * attacker-supplied annotation from making us base64-decode or parse megabytes.
 */
export const MAX_CERTIFICATE_DER_BYTES = 64 * 1024;

/** Base64 grows DER by 4/3 (64 KiB -> ~87 KiB with line breaks), plus the BEGIN/END lines. */
export const MAX_CERTIFICATE_PEM_CHARS = 96 * 1024;

/** cosign's chain annotation holds intermediate + root; 16 leaves room for odd PKIs. */
export const MAX_CHAIN_CERTIFICATES = 16;
export const MAX_CHAIN_PEM_CHARS = MAX_CHAIN_CERTIFICATES * MAX_CERTIFICATE_PEM_CHARS;

/** Forwarded to asn1js so a crafted certificate cannot nest or fan out without limit. */
export const BER_LIMITS = { maxDepth: 32, maxNodes: 4096, maxContentLength: MAX_CERTIFICATE_DER_BYTES } as const;

/** The options every @peculiar parse in lib/x509 gets. */
export const PARSE_OPTIONS = { berOptions: BER_LIMITS } as const;
