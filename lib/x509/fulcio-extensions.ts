/**
 * Fulcio's certificate extensions, OID arc 1.3.6.1.4.1.57264.1 (see fulcio docs/oid-info.md).
 *
 * Encoding differs by age, which is why each entry records it:
 *  - .1.1 – .1.6 (the original, now deprecated, GitHub-flavoured set) hold the value as RAW
 *    UTF-8 bytes: the extnValue OCTET STRING contains the text itself, with no ASN.1 tag.
 *  - .1.7 is not an extension at all: it is the type-id of an otherName entry in the
 *    SubjectAlternativeName, whose value is a DER UTF8String.
 *  - .1.8 and later hold a DER-encoded UTF8String (tag 0x0C) inside the extnValue.
 * Reading .1.8+ as raw bytes would leave a stray tag and length at the front (openssl's
 * `-text` output shows them as ".+https://…"); reading .1.1 as DER would fail.
 *
 * Keys are stable identifiers for storage and the UI; labels and meanings are for people.
 */

export const FULCIO_OID_ARC = '1.3.6.1.4.1.57264.1';

export type FulcioValueEncoding = 'raw-utf8' | 'san-other-name' | 'der-utf8string';

export interface FulcioExtensionInfo {
  readonly oid: string;
  readonly key: string;
  readonly label: string;
  /** One sentence, for tooltips. */
  readonly meaning: string;
  readonly encoding: FulcioValueEncoding;
  readonly deprecated: boolean;
  /** For a deprecated extension: the generic one that carries the same claim now. */
  readonly supersededBy?: string;
}

const raw = 'raw-utf8' as const;
const der = 'der-utf8string' as const;

export const FULCIO_EXTENSIONS = [
  { oid: `${FULCIO_OID_ARC}.1`, key: 'issuer', label: 'Issuer (v1, deprecated)', encoding: raw, deprecated: true, supersededBy: 'issuerV2',
    meaning: 'The OIDC identity provider that issued the token used to obtain the certificate (raw-bytes form).' },
  { oid: `${FULCIO_OID_ARC}.2`, key: 'githubWorkflowTrigger', label: 'GitHub Workflow Trigger (deprecated)', encoding: raw, deprecated: true, supersededBy: 'buildTrigger',
    meaning: 'The GitHub event that started the workflow run, such as push or release.' },
  { oid: `${FULCIO_OID_ARC}.3`, key: 'githubWorkflowSha', label: 'GitHub Workflow SHA (deprecated)', encoding: raw, deprecated: true, supersededBy: 'sourceRepositoryDigest',
    meaning: 'The commit SHA the GitHub workflow run was based on.' },
  { oid: `${FULCIO_OID_ARC}.4`, key: 'githubWorkflowName', label: 'GitHub Workflow Name (deprecated)', encoding: raw, deprecated: true,
    meaning: 'The display name of the GitHub workflow that ran.' },
  { oid: `${FULCIO_OID_ARC}.5`, key: 'githubWorkflowRepository', label: 'GitHub Workflow Repository (deprecated)', encoding: raw, deprecated: true, supersededBy: 'sourceRepositoryUri',
    meaning: 'The owner/name of the GitHub repository the workflow ran in.' },
  { oid: `${FULCIO_OID_ARC}.6`, key: 'githubWorkflowRef', label: 'GitHub Workflow Ref (deprecated)', encoding: raw, deprecated: true, supersededBy: 'sourceRepositoryRef',
    meaning: 'The git ref (branch or tag) the GitHub workflow run was based on.' },
  { oid: `${FULCIO_OID_ARC}.7`, key: 'otherName', label: 'OtherName SAN', encoding: 'san-other-name', deprecated: false,
    meaning: 'A username identity carried as an otherName Subject Alternative Name instead of an email or URI.' },
  { oid: `${FULCIO_OID_ARC}.8`, key: 'issuerV2', label: 'Issuer', encoding: der, deprecated: false,
    meaning: 'The OIDC identity provider that issued the token used to obtain the certificate.' },
  { oid: `${FULCIO_OID_ARC}.9`, key: 'buildSignerUri', label: 'Build Signer URI', encoding: der, deprecated: false,
    meaning: 'The build instructions that performed the signing, such as a reusable workflow at a given ref.' },
  { oid: `${FULCIO_OID_ARC}.10`, key: 'buildSignerDigest', label: 'Build Signer Digest', encoding: der, deprecated: false,
    meaning: 'An immutable reference (usually a commit SHA) to the exact version of the signing build instructions.' },
  { oid: `${FULCIO_OID_ARC}.11`, key: 'runnerEnvironment', label: 'Runner Environment', encoding: der, deprecated: false,
    meaning: 'Whether the build ran on platform-hosted infrastructure (e.g. github-hosted) or on a self-hosted runner.' },
  { oid: `${FULCIO_OID_ARC}.12`, key: 'sourceRepositoryUri', label: 'Source Repository URI', encoding: der, deprecated: false,
    meaning: 'The URL of the source repository the build was based on.' },
  { oid: `${FULCIO_OID_ARC}.13`, key: 'sourceRepositoryDigest', label: 'Source Repository Digest', encoding: der, deprecated: false,
    meaning: 'An immutable reference (usually a commit SHA) to the source code version that was built.' },
  { oid: `${FULCIO_OID_ARC}.14`, key: 'sourceRepositoryRef', label: 'Source Repository Ref', encoding: der, deprecated: false,
    meaning: 'The source ref (branch or tag) the build run was based on.' },
  { oid: `${FULCIO_OID_ARC}.15`, key: 'sourceRepositoryIdentifier', label: 'Source Repository Identifier', encoding: der, deprecated: false,
    meaning: 'The immutable numeric ID of the source repository, which survives renames and re-creations.' },
  { oid: `${FULCIO_OID_ARC}.16`, key: 'sourceRepositoryOwnerUri', label: 'Source Repository Owner URI', encoding: der, deprecated: false,
    meaning: 'The URL of the user or organization that owns the source repository.' },
  { oid: `${FULCIO_OID_ARC}.17`, key: 'sourceRepositoryOwnerIdentifier', label: 'Source Repository Owner Identifier', encoding: der, deprecated: false,
    meaning: 'The immutable numeric ID of the repository owner, which survives renames.' },
  { oid: `${FULCIO_OID_ARC}.18`, key: 'buildConfigUri', label: 'Build Config URI', encoding: der, deprecated: false,
    meaning: 'The top-level build instructions that started the build, such as the calling workflow file at a ref.' },
  { oid: `${FULCIO_OID_ARC}.19`, key: 'buildConfigDigest', label: 'Build Config Digest', encoding: der, deprecated: false,
    meaning: 'An immutable reference (usually a commit SHA) to the exact version of the top-level build instructions.' },
  { oid: `${FULCIO_OID_ARC}.20`, key: 'buildTrigger', label: 'Build Trigger', encoding: der, deprecated: false,
    meaning: 'The event or action that started the build, such as push or workflow_dispatch.' },
  { oid: `${FULCIO_OID_ARC}.21`, key: 'runInvocationUri', label: 'Run Invocation URI', encoding: der, deprecated: false,
    meaning: 'The URL that uniquely identifies this build run and attempt.' },
  { oid: `${FULCIO_OID_ARC}.22`, key: 'sourceRepositoryVisibilityAtSigning', label: 'Source Repository Visibility', encoding: der, deprecated: false,
    meaning: 'Whether the source repository was public or private when the certificate was issued.' },
  // .23 and .24 are in oid-info.md too; GitHub's Fulcio already issues .24.
  { oid: `${FULCIO_OID_ARC}.23`, key: 'deploymentEnvironment', label: 'Deployment Environment', encoding: der, deprecated: false,
    meaning: 'The deployment environment (e.g. production) the job targeted, tied to deployment protection rules.' },
  { oid: `${FULCIO_OID_ARC}.24`, key: 'tokenSubject', label: 'Token Subject', encoding: der, deprecated: false,
    meaning: 'The raw sub claim of the OIDC token, kept as-is whatever the provider mapped it to elsewhere.' },
] as const satisfies readonly FulcioExtensionInfo[];

export type FulcioExtensionKey = (typeof FULCIO_EXTENSIONS)[number]['key'];

/** Decoded Fulcio values, keyed by stable key; only extensions present in the certificate. */
export type FulcioExtensions = Partial<Record<FulcioExtensionKey, string>>;

export const FULCIO_EXTENSION_BY_OID: ReadonlyMap<string, FulcioExtensionInfo & { key: FulcioExtensionKey }> = new Map(
  FULCIO_EXTENSIONS.map((e) => [e.oid, e]),
);

export const FULCIO_EXTENSION_BY_KEY: ReadonlyMap<FulcioExtensionKey, FulcioExtensionInfo> = new Map(
  FULCIO_EXTENSIONS.map((e) => [e.key, e]),
);

export const FULCIO_OTHER_NAME_OID = `${FULCIO_OID_ARC}.7`;
