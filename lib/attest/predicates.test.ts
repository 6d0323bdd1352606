/**
 * summarizePredicate() on real provenance from ../shared/fixtures (decoded through
 * parseStatement, as the app does) and on SBOM / scan / link predicates written here in
 * the shape the usual tools (syft, trivy, grype, cosign) produce, plus odd shapes.
 */
import { describe, expect, it } from 'vitest';
import { readFixture, readFixtureJson } from '../../tests/support/fixtures';
import {
  MAX_CUSTOM_JSON_CHARS,
  parseGitUri,
  predicateDownloadName,
  predicateKind,
  severityBucket,
  summarizePredicate,
  type CustomSummary,
  type CycloneDxSummary,
  type ImageSignatureSummary,
  type LinkSummary,
  type PredicateSummary,
  type ProvenanceSummary,
  type SpdxSummary,
  type VulnerabilityScanSummary,
} from './predicates';
import { IN_TOTO_PAYLOAD_TYPE, parseStatement } from './statement';

interface BundleJson {
  dsseEnvelope: { payload: string; payloadType: string };
}

function summaryOfBundle(...parts: string[]): PredicateSummary {
  const b = readFixtureJson<BundleJson>(...parts);
  const s = parseStatement(b.dsseEnvelope.payloadType, Buffer.from(b.dsseEnvelope.payload, 'base64'));
  return summarizePredicate(s.predicateType, s.predicate);
}

function summaryOfFile(...parts: string[]): PredicateSummary {
  const s = parseStatement(IN_TOTO_PAYLOAD_TYPE, readFixture(...parts));
  return summarizePredicate(s.predicateType, s.predicate);
}

function as<K extends PredicateSummary['kind']>(s: PredicateSummary, kind: K): Extract<PredicateSummary, { kind: K }> {
  expect(s.kind).toBe(kind);
  return s as Extract<PredicateSummary, { kind: K }>;
}

const field = (s: PredicateSummary, label: string) => s.fields.find((f) => f.label === label)?.value;
const roundTrips = (s: PredicateSummary) => expect(JSON.parse(JSON.stringify(s))).toEqual(s);

describe('SLSA provenance v0.2 (sigstore-js 1.3.0 npm provenance)', () => {
  const s = as(summaryOfFile('sigstore-go', 'examples', 'statement-provenance-sigstorejs1.3.0.json'), 'slsa-provenance');

  it('reads builder, source repository and commit', () => {
    expect(s.title).toBe('SLSA provenance v0.2');
    expect(s.slsaVersion).toBe('0.2');
    expect(s.builderId).toBe('https://github.com/actions/runner');
    expect(s.buildType).toBe('https://github.com/npm/cli/gha/v2');
    expect(s.sourceRepository).toBe('https://github.com/sigstore/sigstore-js');
    expect(s.sourceRef).toBe('refs/heads/main');
    expect(s.sourceCommit).toBe('dae8bd8eb433a4147b4655c00fe73e0f22bc0fb1');
    expect(s.workflow).toEqual({ repository: 'https://github.com/sigstore/sigstore-js', path: '.github/workflows/release.yml', ref: 'refs/heads/main' });
    expect(s.invocationId).toBe('4735384265-1');
    expect(s.configSource).toEqual({
      uri: 'git+https://github.com/sigstore/sigstore-js@refs/heads/main',
      digest: { sha1: 'dae8bd8eb433a4147b4655c00fe73e0f22bc0fb1' },
      entryPoint: '.github/workflows/release.yml',
    });
    expect(s.invocationParameters).toEqual({});
    expect(s.materials).toEqual([{ uri: 'git+https://github.com/sigstore/sigstore-js@refs/heads/main', digest: { sha1: 'dae8bd8eb433a4147b4655c00fe73e0f22bc0fb1' } }]);
    expect(s.materialCount).toBe(1);
    expect(s.problems).toEqual([]);
  });

  it('offers the key/value rows a person reads first', () => {
    expect(s.fields.slice(0, 6)).toEqual([
      { label: 'Builder', value: 'https://github.com/actions/runner' },
      { label: 'Build type', value: 'https://github.com/npm/cli/gha/v2' },
      { label: 'Source repository', value: 'https://github.com/sigstore/sigstore-js' },
      { label: 'Source ref', value: 'refs/heads/main' },
      { label: 'Source commit', value: 'dae8bd8eb433a4147b4655c00fe73e0f22bc0fb1' },
      { label: 'Workflow', value: '.github/workflows/release.yml@refs/heads/main' },
    ]);
    expect(field(s, 'Invocation')).toBe('4735384265-1');
    expect(field(s, 'Materials')).toBe('1');
    roundTrips(s);
  });
});

describe('SLSA provenance v1', () => {
  it('sigstore@2.0.0 npm provenance (bundle DSSE payload)', () => {
    const s = as(summaryOfBundle('sigstore-go', 'bundles', 'sigstore.js@2.0.0-provenance.sigstore.json'), 'slsa-provenance');
    expect(s.title).toBe('SLSA provenance v1');
    expect(s.builderId).toBe('https://github.com/actions/runner/github-hosted');
    expect(s.buildType).toBe('https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1');
    expect(s.workflow).toEqual({ repository: 'https://github.com/sigstore/sigstore-js', path: '.github/workflows/release.yml', ref: 'refs/heads/main' });
    expect(s.sourceRepository).toBe('https://github.com/sigstore/sigstore-js');
    expect(s.sourceCommit).toBe('f0b49a04e5a62250e0f60fb128004a73110fe311');
    expect(s.invocationId).toBe('https://github.com/sigstore/sigstore-js/actions/runs/5904696764/attempts/1');
    expect(s.invocationParameters).toEqual({ workflow: { ref: 'refs/heads/main', repository: 'https://github.com/sigstore/sigstore-js', path: '.github/workflows/release.yml' } });
    expect(s.internalParameters).toEqual({ github: { event_name: 'push', repository_id: '495574555', repository_owner_id: '71096353' } });
    expect(s.materials).toEqual([{ uri: 'git+https://github.com/sigstore/sigstore-js@refs/heads/main', digest: { gitCommit: 'f0b49a04e5a62250e0f60fb128004a73110fe311' } }]);
    expect(field(s, 'Resolved dependencies')).toBe('1');
    expect(s.problems).toEqual([]);
    roundTrips(s);
  });

  it('GitHub private-repo attestation: a reusable-workflow builder differs from the calling workflow', () => {
    const s = as(summaryOfBundle('sigstore-java', 'bundles', 'github-private-no-tlog', 'attestation.sigstore.json'), 'slsa-provenance');
    expect(s.builderId).toBe('https://github.com/neverendingsupport/slsa-attestations/.github/workflows/attest.yml@9f6d9dc1bfc02986955721eb15f89ad618f1cedb');
    expect(s.buildType).toBe('https://actions.github.io/buildtypes/workflow/v1');
    expect(s.workflow).toEqual({ repository: 'https://github.com/neverendingsupport/nes-java-test-lib-a', path: '.github/workflows/nes-release.yml', ref: 'refs/tags/nes-v1.0.12' });
    expect(s.sourceCommit).toBe('ca342e56787986cd4e8dfc0c8830696716d3b441');
    expect(s.sourceRef).toBe('refs/tags/nes-v1.0.12');
    expect(s.invocationId).toBe('https://github.com/neverendingsupport/nes-java-test-lib-a/actions/runs/30066698975/attempts/3');
    expect(s.internalParameters?.github).toMatchObject({ event_name: 'push', runner_environment: 'github-hosted' });
    expect(field(s, 'Workflow')).toBe('.github/workflows/nes-release.yml@refs/tags/nes-v1.0.12');
    expect(s.problems).toEqual([]);
  });

  it('the conformance suite statement', () => {
    const s = as(summaryOfFile('conformance-sample', 'statement.json'), 'slsa-provenance');
    expect(s.builderId).toBe('https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main');
    expect(s.sourceRepository).toBe('https://github.com/loosebazooka/aa-test');
    expect(s.sourceCommit).toBe('a9cd7bf0bbfd5732800b8196ce893ae9915b1e87');
    expect(s.workflow).toEqual({ repository: 'https://github.com/loosebazooka/aa-test', path: '.github/workflows/provenance.yaml', ref: 'refs/heads/main' });
    expect(s.internalParameters?.github).toMatchObject({ event_name: 'workflow_dispatch' });
    expect(s.problems).toEqual([]);
  });

  it('derives the source from resolvedDependencies when there is no workflow, picking the git commit', () => {
    const s = as(
      summarizePredicate('https://slsa.dev/provenance/v1', {
        buildDefinition: {
          buildType: 'https://example.com/build/v1',
          externalParameters: { source: 'x' },
          resolvedDependencies: [
            { uri: 'pkg:docker/golang@1.22', digest: { sha256: 'ab'.repeat(32) } },
            { uri: 'git+https://gitlab.com/acme/api.git@refs/tags/v1.2.3', digest: { gitCommit: '1'.repeat(40) } },
          ],
        },
        runDetails: { builder: { id: 'https://gitlab.com/acme/runner' }, metadata: { startedOn: '2024-03-01T12:00:00Z', finishedOn: '2024-03-01T12:05:00Z' } },
      }),
      'slsa-provenance',
    );
    expect(s.sourceRepository).toBe('https://gitlab.com/acme/api.git');
    expect(s.sourceRef).toBe('refs/tags/v1.2.3');
    expect(s.sourceCommit).toBe('1'.repeat(40));
    expect(s.workflow).toBeUndefined();
    expect(s.startedOn).toBe('2024-03-01T12:00:00Z');
    expect(field(s, 'Finished')).toBe('2024-03-01T12:05:00Z');
  });

  it('reports what is missing or mis-shaped, keeping what it could read', () => {
    const s = as(
      summarizePredicate('https://slsa.dev/provenance/v1', { buildDefinition: { buildType: 'https://b/v1', externalParameters: 'oops', resolvedDependencies: { a: 1 } }, runDetails: { builder: {} } }),
      'slsa-provenance',
    );
    expect(s.buildType).toBe('https://b/v1');
    expect(s.builderId).toBeUndefined();
    expect(s.problems).toEqual([
      'runDetails.builder.id is missing',
      'buildDefinition.externalParameters is a string, not an object',
      'buildDefinition.resolvedDependencies is an object, not a list',
    ]);
    const v02 = as(summarizePredicate('https://slsa.dev/provenance/v0.2', { builder: { id: 7 }, invocation: [], materials: 'git' }), 'slsa-provenance');
    expect(v02.problems).toEqual(['builder.id is missing', 'buildType is missing', 'invocation is an array, not an object', 'materials is a string, not a list']);
    expect(summarizePredicate('https://slsa.dev/provenance/v1', {}).problems).toEqual(['buildDefinition is missing', 'runDetails is missing']);
  });

  it('truncates large parameters and lists only the first materials', () => {
    const bigParams = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, 'v'.repeat(5000)]));
    const materials = Array.from({ length: 300 }, (_, i) => ({ uri: `pkg:npm/p${i}@1.0.0`, digest: { sha512: 'a'.repeat(128) } }));
    const s = as(summarizePredicate('https://slsa.dev/provenance/v0.2', { builder: { id: 'b' }, buildType: 't', invocation: { parameters: bigParams }, materials }), 'slsa-provenance');
    expect(s.parametersTruncated).toBe(true);
    expect(Object.keys(s.invocationParameters!)).toHaveLength(64);
    expect((s.invocationParameters!.k0 as string).length).toBe(1025);
    expect(s.materials).toHaveLength(20);
    expect(s.materialCount).toBe(300);
    expect(field(s, 'Materials')).toBe('300 (first 20 listed)');
    expect(JSON.stringify(s).length).toBeLessThan(200_000);
  });

  it('escapes control characters in fields but keeps the structured value as given', () => {
    const evil = 'https://evil.example/\u001b[31mred\u001b[0m';
    const s = as(summarizePredicate('https://slsa.dev/provenance/v1', { buildDefinition: { buildType: 't' }, runDetails: { builder: { id: evil } } }), 'slsa-provenance');
    expect(s.builderId).toBe(evil);
    expect(field(s, 'Builder')).toBe('https://evil.example/\\u001b[31mred\\u001b[0m');
    expect(JSON.stringify(s.fields)).not.toContain('\u001b');
  });

  it('reads only own properties', () => {
    const inherited = Object.create({ runDetails: { builder: { id: 'from-prototype' } } }) as object;
    const s = as(summarizePredicate('https://slsa.dev/provenance/v1', inherited), 'slsa-provenance');
    expect(s.builderId).toBeUndefined();
  });
});

describe('parseGitUri', () => {
  it('splits git+ URIs into repository and ref', () => {
    expect(parseGitUri('git+https://github.com/sigstore/sigstore-js@refs/heads/main')).toEqual({ repository: 'https://github.com/sigstore/sigstore-js', ref: 'refs/heads/main' });
    expect(parseGitUri('git+ssh://git@github.com/o/r.git')).toEqual({ repository: 'ssh://git@github.com/o/r.git' });
    expect(parseGitUri('git+ssh://git@github.com/o/r@v1')).toEqual({ repository: 'ssh://git@github.com/o/r', ref: 'v1' });
    expect(parseGitUri('https://github.com/o/r')).toEqual({ repository: 'https://github.com/o/r' });
  });
});

// A syft-style SPDX 2.3 image SBOM. The image package comes last in `packages`, so only
// the DESCRIBES relationship can make it the top-level package.
const IMAGE_DIGEST = 'sha256:9b2f6a1d8c0e3f47a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f901234';
const apk = (name: string, version: string) => ({
  name,
  SPDXID: `SPDXRef-Package-apk-${name}`,
  versionInfo: version,
  supplier: 'NOASSERTION',
  downloadLocation: 'NOASSERTION',
  filesAnalyzed: false,
  licenseConcluded: 'NOASSERTION',
  copyrightText: 'NOASSERTION',
  externalRefs: [
    { referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: `cpe:2.3:a:${name}:${name}:${version}:*:*:*:*:*:*:*` },
    { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:apk/alpine/${name}@${version}?arch=x86_64&distro=alpine-3.19.1` },
  ],
});
const APK_PACKAGES = [
  apk('alpine-baselayout', '3.4.3-r2'),
  apk('alpine-keys', '2.4-r1'),
  apk('apk-tools', '2.14.0-r5'),
  apk('busybox', '1.36.1-r15'),
  apk('ca-certificates-bundle', '20230506-r0'),
  apk('libcrypto3', '3.1.4-r5'),
  apk('libssl3', '3.1.4-r5'),
  apk('musl', '1.2.4_git20230717-r4'),
  apk('musl-utils', '1.2.4_git20230717-r4'),
  apk('scanelf', '1.3.7-r2'),
  apk('ssl_client', '1.36.1-r15'),
  apk('zlib', '1.3.1-r0'),
];
const IMAGE_PACKAGE = {
  name: 'ghcr.io/acme/api',
  SPDXID: 'SPDXRef-DocumentRoot-Image-ghcr.io-acme-api',
  versionInfo: IMAGE_DIGEST,
  supplier: 'NOASSERTION',
  downloadLocation: 'NOASSERTION',
  primaryPackagePurpose: 'CONTAINER',
  filesAnalyzed: false,
  checksums: [{ algorithm: 'SHA256', checksumValue: IMAGE_DIGEST.slice(7) }],
  externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:oci/api@sha256%3A${IMAGE_DIGEST.slice(7)}?repository_url=ghcr.io/acme/api&tag=1.4.2` }],
};
const SPDX_DOC = {
  spdxVersion: 'SPDX-2.3',
  dataLicense: 'CC0-1.0',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'ghcr.io/acme/api',
  documentNamespace: 'https://anchore.com/syft/image/ghcr.io/acme/api-1f0c7a4e-2f7b-4a0c-9d1e-6b8f2d3c4e5f',
  creationInfo: { licenseListVersion: '3.22', creators: ['Organization: Anchore, Inc', 'Tool: syft-0.105.0'], created: '2024-03-01T12:00:00Z' },
  packages: [...APK_PACKAGES, IMAGE_PACKAGE],
  files: [{ fileName: '/etc/os-release', SPDXID: 'SPDXRef-File-etc-os-release', checksums: [] }],
  relationships: [
    ...APK_PACKAGES.map((p) => ({ spdxElementId: IMAGE_PACKAGE.SPDXID, relatedSpdxElement: p.SPDXID, relationshipType: 'CONTAINS' })),
    { spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: IMAGE_PACKAGE.SPDXID, relationshipType: 'DESCRIBES' },
  ],
};

describe('SPDX', () => {
  it('summarises an SPDX 2.3 image SBOM, listing the package the document DESCRIBES', () => {
    const s = as(summarizePredicate('https://spdx.dev/Document/v2.3', structuredClone(SPDX_DOC)), 'spdx');
    expect(s.title).toBe('SPDX SBOM (SPDX-2.3)');
    expect(s.format).toBe('json');
    expect(s.name).toBe('ghcr.io/acme/api');
    expect(s.spdxVersion).toBe('SPDX-2.3');
    expect(s.documentNamespace).toBe('https://anchore.com/syft/image/ghcr.io/acme/api-1f0c7a4e-2f7b-4a0c-9d1e-6b8f2d3c4e5f');
    expect(s.created).toBe('2024-03-01T12:00:00Z');
    expect(s.creators).toEqual(['Organization: Anchore, Inc', 'Tool: syft-0.105.0']);
    expect(s.packageCount).toBe(13);
    expect(s.fileCount).toBe(1);
    expect(s.topPackagesFrom).toBe('describes');
    expect(s.topPackages).toEqual([
      { name: 'ghcr.io/acme/api', version: IMAGE_DIGEST, purl: `pkg:oci/api@sha256%3A${IMAGE_DIGEST.slice(7)}?repository_url=ghcr.io/acme/api&tag=1.4.2`, spdxId: 'SPDXRef-DocumentRoot-Image-ghcr.io-acme-api' },
    ]);
    expect(field(s, 'Packages')).toBe('13');
    expect(field(s, 'Describes')).toBe(`ghcr.io/acme/api ${IMAGE_DIGEST}`);
    expect(field(s, 'Creators')).toBe('Organization: Anchore, Inc, Tool: syft-0.105.0');
    expect(s.problems).toEqual([]);
    roundTrips(s);
  });

  it('uses documentDescribes (SPDX 2.2 style) and DESCRIBED_BY too', () => {
    const doc22 = { ...structuredClone(SPDX_DOC), spdxVersion: 'SPDX-2.2', relationships: [], documentDescribes: ['SPDXRef-Package-apk-busybox'] };
    const s = as(summarizePredicate('https://spdx.dev/Document', doc22), 'spdx');
    expect(s.topPackagesFrom).toBe('describes');
    expect(s.topPackages.map((p) => [p.name, p.version, p.purl])).toEqual([['busybox', '1.36.1-r15', 'pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1']]);
    const describedBy = { ...structuredClone(SPDX_DOC), relationships: [{ spdxElementId: 'SPDXRef-Package-apk-zlib', relatedSpdxElement: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBED_BY' }] };
    expect(as(summarizePredicate('https://spdx.dev/Document', describedBy), 'spdx').topPackages.map((p) => p.name)).toEqual(['zlib']);
  });

  it('falls back to the first ten packages when nothing is described', () => {
    const s = as(summarizePredicate('https://spdx.dev/Document', { ...structuredClone(SPDX_DOC), relationships: [] }), 'spdx');
    expect(s.topPackagesFrom).toBe('first');
    expect(s.topPackages).toHaveLength(10);
    expect(s.topPackages[0]).toEqual({ name: 'alpine-baselayout', version: '3.4.3-r2', purl: 'pkg:apk/alpine/alpine-baselayout@3.4.3-r2?arch=x86_64&distro=alpine-3.19.1', spdxId: 'SPDXRef-Package-apk-alpine-baselayout' });
  });

  it('reads a double-encoded JSON document and a tag-value document', () => {
    const s = as(summarizePredicate('https://spdx.dev/Document', JSON.stringify(SPDX_DOC)), 'spdx');
    expect(s.packageCount).toBe(13);
    expect(s.topPackages[0]!.name).toBe('ghcr.io/acme/api');
    const tv = [
      'SPDXVersion: SPDX-2.3',
      'DataLicense: CC0-1.0',
      'SPDXID: SPDXRef-DOCUMENT',
      'DocumentName: acme-api',
      'DocumentNamespace: https://example.com/spdx/acme-api-1',
      'Creator: Tool: example-1.0',
      'Created: 2024-03-01T12:00:00Z',
      '',
      'PackageName: busybox',
      'SPDXID: SPDXRef-Package-busybox',
      'PackageVersion: 1.36.1-r15',
      'ExternalRef: PACKAGE-MANAGER purl pkg:apk/alpine/busybox@1.36.1-r15',
      '',
      'PackageName: musl',
      'SPDXID: SPDXRef-Package-musl',
      'PackageVersion: 1.2.4-r4',
    ].join('\n');
    const t = as(summarizePredicate('https://spdx.dev/Document', tv), 'spdx');
    expect(t.format).toBe('tag-value');
    expect(t).toMatchObject({ spdxVersion: 'SPDX-2.3', name: 'acme-api', documentNamespace: 'https://example.com/spdx/acme-api-1', created: '2024-03-01T12:00:00Z', creators: ['Tool: example-1.0'], packageCount: 2 });
    expect(t.topPackages).toEqual([
      { name: 'busybox', spdxId: 'SPDXRef-Package-busybox', version: '1.36.1-r15', purl: 'pkg:apk/alpine/busybox@1.36.1-r15' },
      { name: 'musl', spdxId: 'SPDXRef-Package-musl', version: '1.2.4-r4' },
    ]);
    expect(predicateDownloadName('https://spdx.dev/Document', tv)).toBe('sbom.spdx');
  });

  it('caps the described list on a large document', () => {
    const packages = Array.from({ length: 20_000 }, (_, i) => ({ name: `p${i}`, SPDXID: `SPDXRef-P${i}`, versionInfo: '1.0' }));
    const relationships = packages.map((p) => ({ spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: p.SPDXID, relationshipType: 'DESCRIBES' }));
    const started = Date.now();
    const s = as(summarizePredicate('https://spdx.dev/Document', { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', packages, relationships }), 'spdx');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(s.packageCount).toBe(20_000);
    expect(s.topPackages).toHaveLength(25);
    expect(s.topPackages[24]!.name).toBe('p24');
    expect(field(s, 'Describes')).toBe('p0 1.0, p1 1.0, p2 1.0, p3 1.0, p4 1.0 (+20 more)');
  });

  it('names what it cannot read', () => {
    expect(summarizePredicate('https://spdx.dev/Document', { '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld', '@graph': [] }).problems).toEqual([
      'this looks like an SPDX 3 JSON-LD document; only SPDX 2.x documents are summarised',
    ]);
    expect(summarizePredicate('https://spdx.dev/Document', { spdxVersion: 'SPDX-2.3', packages: 'none' }).problems).toEqual(['packages is a string, not a list']);
    expect(summarizePredicate('https://spdx.dev/Document', 'hello').problems).toEqual(['the SPDX predicate is a string that is neither JSON nor an SPDX tag-value document']);
  });
});

const CDX_BOM = {
  $schema: 'http://cyclonedx.org/schema/bom-1.5.schema.json',
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  version: 1,
  metadata: {
    timestamp: '2024-03-01T12:00:00Z',
    tools: { components: [{ type: 'application', author: 'anchore', name: 'syft', version: '0.105.0' }] },
    component: { 'bom-ref': 'img-1', type: 'container', name: 'ghcr.io/acme/api', version: IMAGE_DIGEST, purl: `pkg:oci/api@sha256%3A${IMAGE_DIGEST.slice(7)}` },
  },
  components: [
    ...APK_PACKAGES.map((p) => ({ 'bom-ref': p.SPDXID, type: 'library', name: p.name, version: p.versionInfo, purl: p.externalRefs[1]!.referenceLocator })),
    {
      'bom-ref': 'app',
      type: 'application',
      name: 'api',
      version: '1.4.2',
      purl: 'pkg:golang/github.com/acme/api@v1.4.2',
      components: [
        { type: 'library', name: 'github.com/google/uuid', version: 'v1.6.0', purl: 'pkg:golang/github.com/google/uuid@v1.6.0' },
        { type: 'library', name: 'golang.org/x/net', version: 'v0.21.0', purl: 'pkg:golang/golang.org/x/net@v0.21.0', components: [{ type: 'library', name: 'golang.org/x/net/http2', version: 'v0.21.0' }] },
      ],
    },
  ],
};

describe('CycloneDX', () => {
  it('summarises a CycloneDX 1.5 image BOM', () => {
    const s = as(summarizePredicate('https://cyclonedx.org/bom/v1.5', structuredClone(CDX_BOM)), 'cyclonedx');
    expect(s.title).toBe('CycloneDX SBOM (1.5)');
    expect(s.specVersion).toBe('1.5');
    expect(s.serialNumber).toBe('urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79');
    expect(s.bomVersion).toBe(1);
    expect(s.timestamp).toBe('2024-03-01T12:00:00Z');
    expect(s.tools).toEqual(['syft 0.105.0']);
    expect(s.component).toEqual({ type: 'container', name: 'ghcr.io/acme/api', version: IMAGE_DIGEST, purl: `pkg:oci/api@sha256%3A${IMAGE_DIGEST.slice(7)}` });
    // 12 apk + the app + its 2 modules + 1 nested package.
    expect(s.componentCount).toBe(16);
    expect(s.topComponents).toHaveLength(10);
    expect(s.topComponents[3]).toEqual({ type: 'library', name: 'busybox', version: '1.36.1-r15', purl: 'pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1' });
    expect(field(s, 'Describes')).toBe(`ghcr.io/acme/api ${IMAGE_DIGEST}`);
    expect(field(s, 'Components')).toBe('16');
    expect(field(s, 'Tools')).toBe('syft 0.105.0');
    expect(s.problems).toEqual([]);
    roundTrips(s);
  });

  it('reads 1.4-style tool lists and the unversioned type', () => {
    const bom14 = { ...structuredClone(CDX_BOM), specVersion: '1.4', metadata: { ...CDX_BOM.metadata, tools: [{ vendor: 'aquasecurity', name: 'trivy', version: '0.49.1' }] } };
    const s = as(summarizePredicate('https://cyclonedx.org/bom', bom14), 'cyclonedx');
    expect(s.tools).toEqual(['trivy 0.49.1']);
    expect(s.title).toBe('CycloneDX SBOM (1.4)');
  });

  it('names what it cannot read', () => {
    expect(summarizePredicate('https://cyclonedx.org/bom', '<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>').problems).toEqual([
      'the CycloneDX predicate is an XML document; only JSON BOMs are summarised',
    ]);
    expect(summarizePredicate('https://cyclonedx.org/bom', { bomFormat: 'SPDX', components: {} }).problems).toEqual(['bomFormat is "SPDX", not "CycloneDX"', 'specVersion is missing', 'components is an object, not a list']);
  });
});

describe('vulnerability scans', () => {
  // `trivy image --format cosign-vuln`: cosign's envelope around Trivy's own JSON report.
  const trivyVuln = {
    invocation: { parameters: null, uri: '', event_id: '', 'builder.id': '' },
    scanner: {
      uri: 'pkg:github/aquasecurity/trivy@v0.49.1',
      version: 'v0.49.1',
      db: { uri: '', version: '' },
      result: {
        SchemaVersion: 2,
        ArtifactName: 'ghcr.io/acme/api:1.4.2',
        ArtifactType: 'container_image',
        Results: [
          {
            Target: 'ghcr.io/acme/api:1.4.2 (alpine 3.19.1)',
            Class: 'os-pkgs',
            Type: 'alpine',
            Vulnerabilities: [
              { VulnerabilityID: 'CVE-2024-0727', PkgName: 'libcrypto3', InstalledVersion: '3.1.4-r5', FixedVersion: '3.1.4-r6', Severity: 'MEDIUM' },
              { VulnerabilityID: 'CVE-2024-0727', PkgName: 'libssl3', InstalledVersion: '3.1.4-r5', FixedVersion: '3.1.4-r6', Severity: 'MEDIUM' },
            ],
          },
          { Target: 'app/api', Class: 'lang-pkgs', Type: 'gobinary', Vulnerabilities: [{ VulnerabilityID: 'CVE-2023-45288', PkgName: 'golang.org/x/net', Severity: 'HIGH' }, { VulnerabilityID: 'CVE-2099-0001', Severity: 'CRITICAL' }, { VulnerabilityID: 'X', Severity: 'WEIRD' }] },
          { Target: 'clean', Class: 'lang-pkgs' },
        ],
      },
    },
    metadata: { scanStartedOn: '2024-03-01T12:00:00Z', scanFinishedOn: '2024-03-01T12:00:09Z' },
  };

  it('cosign vuln with a Trivy report: scanner and counts by severity', () => {
    const s = as(summarizePredicate('https://cosign.sigstore.dev/attestation/vuln/v1', structuredClone(trivyVuln)), 'vulnerability-scan');
    expect(s.title).toBe('Vulnerability scan (cosign vuln v1)');
    expect(s.format).toBe('cosign-vuln');
    expect(s.scanner).toEqual({ uri: 'pkg:github/aquasecurity/trivy@v0.49.1', name: 'trivy', version: 'v0.49.1' });
    expect(s.resultFormat).toBe('trivy');
    expect(s.findingCount).toBe(5);
    expect(s.severityCounts).toEqual({ critical: 1, high: 1, medium: 2, low: 0, negligible: 0, unknown: 1 });
    expect(s.scanFinishedOn).toBe('2024-03-01T12:00:09Z');
    expect(field(s, 'Scanner')).toBe('trivy v0.49.1');
    expect(field(s, 'Findings')).toBe('5 (1 critical, 1 high, 2 medium, 1 unknown)');
    expect(field(s, 'Database')).toBeUndefined();
    expect(s.problems).toEqual([]);
    roundTrips(s);
  });

  it('cosign vuln with a Grype report, scheme-less type from old cosign', () => {
    const grype = {
      scanner: {
        uri: 'https://github.com/anchore/grype',
        version: '0.74.7',
        db: { uri: 'https://toolbox-data.anchore.io/grype/databases/vulnerability-db_v5.tar.gz', version: '5' },
        result: { matches: [{ vulnerability: { id: 'CVE-1', severity: 'Negligible' } }, { vulnerability: { id: 'CVE-2', severity: 'Low' } }, { vulnerability: { id: 'CVE-3', severity: 'High' } }] },
      },
      metadata: { scanStartedOn: '2024-03-01T12:00:00Z', scanFinishedOn: '2024-03-01T12:00:30Z' },
    };
    const s = as(summarizePredicate('cosign.sigstore.dev/attestation/vuln/v1', grype), 'vulnerability-scan');
    expect(s.scanner.name).toBe('grype');
    expect(s.resultFormat).toBe('grype');
    expect(s.severityCounts).toEqual({ critical: 0, high: 1, medium: 0, low: 1, negligible: 1, unknown: 0 });
    expect(field(s, 'Database')).toBe('5 (https://toolbox-data.anchore.io/grype/databases/vulnerability-db_v5.tar.gz)');
  });

  it('in-toto vulns v0.1: severity words and CVSS scores', () => {
    const s = as(
      summarizePredicate('https://in-toto.io/attestation/vulns/v0.1', {
        invocation: { parameters: [], uri: 'https://github.com/acme/api/actions/runs/1071875574', event_id: '1071875574', 'builder.id': 'GitHub Actions' },
        scanner: {
          uri: 'pkg:github/aquasecurity/trivy@244fd47e07d1004f0aed9',
          version: '0.19.2',
          db: { uri: 'pkg:github/aquasecurity/trivy-db/commit/4c76bb580b2736d67751410fa4ab66d2b6b9b27d', version: 'v1-2021080612', lastUpdate: '2021-08-06T17:45:50.52Z' },
          result: [
            { id: 'CVE-2021-1', severity: [{ method: 'nvd', score: 'medium' }, { method: 'cvss_score', score: '5.2' }] },
            { id: 'CVE-2021-2', severity: [{ method: 'cvss_score', score: '9.8' }] },
            { vulnerability: { id: 'CVE-2021-3', severity: [{ method: 'nvd', score: 'LOW' }] } },
            { id: 'CVE-2021-4' },
          ],
        },
        metadata: { scanStartedOn: '2021-08-06T17:45:50.52Z', scanFinishedOn: '2021-08-06T17:50:50.52Z' },
      }),
      'vulnerability-scan',
    );
    expect(s.title).toBe('Vulnerability scan (in-toto vulns v0.1)');
    expect(s.format).toBe('in-toto-vulns');
    expect(s.scanner).toEqual({
      uri: 'pkg:github/aquasecurity/trivy@244fd47e07d1004f0aed9',
      name: 'trivy',
      version: '0.19.2',
      dbUri: 'pkg:github/aquasecurity/trivy-db/commit/4c76bb580b2736d67751410fa4ab66d2b6b9b27d',
      dbVersion: 'v1-2021080612',
      dbLastUpdate: '2021-08-06T17:45:50.52Z',
    });
    expect(s.findingCount).toBe(4);
    expect(s.severityCounts).toEqual({ critical: 1, high: 0, medium: 1, low: 1, negligible: 0, unknown: 1 });
  });

  it('an unknown result format, a missing scanner, the old scanners list', () => {
    const sarif = as(summarizePredicate('https://cosign.sigstore.dev/attestation/vuln/v1', { scanner: { uri: 'pkg:github/x/scanner@1', result: { runs: [] } } }), 'vulnerability-scan');
    expect(sarif.resultFormat).toBe('unknown');
    expect(sarif.findingCount).toBeUndefined();
    expect(field(sarif, 'Findings')).toBe('not counted: the scanner result format is not recognised');
    expect(summarizePredicate('https://cosign.sigstore.dev/attestation/vuln/v1', { metadata: {} }).problems).toEqual(['scanner is missing']);
    const old = as(summarizePredicate('https://cosign.sigstore.dev/attestation/vuln/v1', { scanners: [{ uri: 'pkg:github/aquasecurity/trivy@1', result: { Results: [] } }, { uri: 'b' }] }), 'vulnerability-scan');
    expect(old.scanner.name).toBe('trivy');
    expect(old.findingCount).toBe(0);
    expect(old.problems).toEqual(['the predicate lists 2 scanners; only the first is summarised']);
  });

  it('severityBucket', () => {
    expect(['CRITICAL', 'Important', 'moderate', 'low', 'Negligible', 'info', 'weird', '10.0', '7', '4.0', '0.1', '0', '11', 9.1, null].map(severityBucket)).toEqual([
      'critical',
      'high',
      'medium',
      'low',
      'negligible',
      'negligible',
      'unknown',
      'critical',
      'high',
      'medium',
      'low',
      'negligible',
      'unknown',
      'critical',
      'unknown',
    ]);
  });
});

describe('in-toto link', () => {
  it('an old-style link as cosign attaches it (materials and products maps)', () => {
    const s = as(
      summarizePredicate('https://in-toto.io/Link/v1', {
        _type: 'link',
        name: 'build',
        command: ['go', 'build', '-o', 'api', './cmd/api'],
        materials: { 'go.mod': { sha256: 'ab'.repeat(32) }, 'go.sum': { sha256: 'cd'.repeat(32) }, 'cmd/api/main.go': { sha256: 'ef'.repeat(32) } },
        products: { api: { sha256: '01'.repeat(32) } },
        byproducts: { 'return-value': 0 },
        environment: {},
      }),
      'in-toto-link',
    );
    expect(s).toMatchObject({ title: 'in-toto link', name: 'build', command: ['go', 'build', '-o', 'api', './cmd/api'], materialCount: 3, productCount: 1, problems: [] });
    expect(s.fields).toEqual([
      { label: 'Step', value: 'build' },
      { label: 'Command', value: 'go build -o api ./cmd/api' },
      { label: 'Materials', value: '3' },
      { label: 'Products', value: '1' },
    ]);
  });

  it('the v0.3 link predicate (materials as resource descriptors, no products)', () => {
    const s = as(summarizePredicate('https://in-toto.io/attestation/link/v0.3', { name: 'test', command: [], materials: [{ name: 'src.tar', digest: { sha256: 'ab'.repeat(32) } }] }), 'in-toto-link');
    expect(s.materialCount).toBe(1);
    expect(s.productCount).toBeUndefined();
    expect(s.command).toEqual([]);
  });
});

describe('cosign image signature statement', () => {
  it('has no predicate, or an empty one', () => {
    for (const predicate of [undefined, null, {}]) {
      const s = as(summarizePredicate('https://sigstore.dev/cosign/sign/v1', predicate), 'image-signature');
      expect(s.title).toBe('cosign image signature');
      expect(s.annotations).toBeUndefined();
      expect(s.problems).toEqual([]);
      expect(s.fields).toEqual([{ label: 'Meaning', value: 'the signer signed the subject image digest; this statement makes no other claim' }]);
    }
  });

  it('keeps annotations and flags a non-object predicate', () => {
    const s: ImageSignatureSummary = as(summarizePredicate('https://sigstore.dev/cosign/sign/v1', { env: 'prod' }), 'image-signature');
    expect(s.annotations).toEqual({ env: 'prod' });
    expect(field(s, 'env')).toBe('prod');
    expect(summarizePredicate('https://sigstore.dev/cosign/sign/v1', 'x').problems).toEqual(['the predicate is a string; cosign writes none or an object']);
  });
});

describe('custom predicates', () => {
  it('the cosign custom predicate from a real OCI attestation', () => {
    const s = as(summaryOfBundle('cosign', 'pkg', 'cosign', 'testdata', 'oci-attestation.sigstore.json'), 'custom');
    expect(s.title).toBe('cosign custom predicate');
    expect(s.fields).toEqual([
      { label: 'Data', value: '{"foo": "bar"}\\u000a' },
      { label: 'Timestamp', value: '2025-02-28T19:18:11Z' },
    ]);
    expect(s.json).toBe(JSON.stringify({ Data: '{"foo": "bar"}\n', Timestamp: '2025-02-28T19:18:11Z' }, null, 2));
    expect(s.truncated).toBe(false);
  });

  it('the npm publish attestation', () => {
    const s = as(summaryOfFile('sigstore-js', 'tests', 'bundles', 'statement.json'), 'custom');
    expect(s.predicateType).toBe('https://github.com/npm/attestation/tree/main/specs/publish/v0.1');
    expect(s.title).toBe('Custom predicate');
    expect(s.fields).toEqual([
      { label: 'name', value: 'sigstore' },
      { label: 'version', value: '1.0.0' },
      { label: 'registry', value: 'https://registry.npmjs.org' },
    ]);
    expect(predicateDownloadName(s.predicateType)).toBe('predicate.json');
  });

  it('a huge predicate is cut at 64 KiB and flagged', () => {
    const huge = { blobs: Array.from({ length: 2000 }, (_, i) => ({ i, data: 'x'.repeat(500) })) };
    const statement = parseStatement(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'a', digest: { sha256: 'ab'.repeat(32) } }], predicateType: 'https://example.com/huge/v1', predicate: huge })));
    const s: CustomSummary = as(summarizePredicate(statement.predicateType, statement.predicate), 'custom');
    expect(s.truncated).toBe(true);
    expect(s.json).toHaveLength(MAX_CUSTOM_JSON_CHARS);
    expect(JSON.stringify(huge, null, 2).startsWith(s.json)).toBe(true);
    expect(field(s, 'Shown')).toBe('the first 65536 characters of the JSON');
    expect(field(s, 'Keys')).toBe('blobs');
  });

  it('string, array, number, null and absent predicates', () => {
    const str = as(summarizePredicate('https://example.com/t', 'just text'), 'custom');
    expect(str.json).toBe('"just text"');
    expect(field(str, 'Predicate')).toBe('text, 9 characters');
    const arr = as(summarizePredicate('https://example.com/t', [1, 'two', null]), 'custom');
    expect(arr.json).toBe(JSON.stringify([1, 'two', null], null, 2));
    expect(field(arr, 'Predicate')).toBe('a list of 3 items');
    expect(as(summarizePredicate('https://example.com/t', 42), 'custom').json).toBe('42');
    expect(as(summarizePredicate('https://example.com/t', null), 'custom').json).toBe('null');
    const none = as(summarizePredicate('https://example.com/t', undefined), 'custom');
    expect(none.json).toBe('');
    expect(field(none, 'Predicate')).toBe('none');
  });

  it('a cyclic object (never from JSON, but still no throw) hits the depth bound', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const s = as(summarizePredicate('https://example.com/t', cyclic), 'custom');
    expect(s.truncated).toBe(true);
    expect(s.json).toContain('"…"');
  });
});

describe('odd predicates never throw', () => {
  const types = [
    'https://slsa.dev/provenance/v0.2',
    'https://slsa.dev/provenance/v1',
    'https://spdx.dev/Document',
    'https://cyclonedx.org/bom/v1.5',
    'https://cosign.sigstore.dev/attestation/vuln/v1',
    'https://in-toto.io/attestation/vulns/v0.2',
    'https://in-toto.io/Link/v1',
    'https://sigstore.dev/cosign/sign/v1',
    'https://example.com/custom',
  ];
  const odd: unknown[] = ['a string', ['an', 'array'], 3.14, true, null, undefined, {}, { deeply: { nested: [[[[{}]]]] } }, JSON.parse('{"__proto__": {"x": 1}, "constructor": 5}')];

  it('every known type × every odd value gives a summary of the expected kind', () => {
    for (const t of types) {
      for (const p of odd) {
        const s = summarizePredicate(t, p);
        expect(s.kind).toBe(predicateKind(t));
        expect(s.predicateType).toBe(t);
        expect(typeof s.title).toBe('string');
        expect(Array.isArray(s.fields)).toBe(true);
        expect(Array.isArray(s.problems)).toBe(true);
        roundTrips(s);
      }
    }
  });

  it('non-object predicates are reported as problems for the structured kinds', () => {
    const p: ProvenanceSummary = as(summarizePredicate('https://slsa.dev/provenance/v1', 'a string'), 'slsa-provenance');
    expect(p.problems).toEqual(['the provenance predicate is a string, not an object']);
    expect(summarizePredicate('https://slsa.dev/provenance/v0.2', ['x']).problems).toEqual(['the provenance predicate is an array, not an object']);
    const spdx: SpdxSummary = as(summarizePredicate('https://spdx.dev/Document/v2.3', [1]), 'spdx');
    expect(spdx.problems).toEqual(['the SPDX predicate is an array, not an SPDX document']);
    const cdx: CycloneDxSummary = as(summarizePredicate('https://cyclonedx.org/bom', null), 'cyclonedx');
    expect(cdx.problems).toEqual(['the CycloneDX predicate is null, not a BOM']);
    const vuln: VulnerabilityScanSummary = as(summarizePredicate('https://in-toto.io/attestation/vulns/v0.1', 5), 'vulnerability-scan');
    expect(vuln.problems).toEqual(['the vulnerability predicate is a number, not an object']);
    const link: LinkSummary = as(summarizePredicate('https://in-toto.io/Link/v1', []), 'in-toto-link');
    expect(link.problems).toEqual(['the link predicate is an array, not an object']);
  });

  it('a predicate whose reading throws falls back to a custom summary with the reason', () => {
    const trap = {
      get buildDefinition(): never {
        throw new Error('boom\u001b[2J');
      },
    };
    const s = summarizePredicate('https://slsa.dev/provenance/v1', trap);
    expect(s.kind).toBe('custom');
    expect(s.problems[0]).toBe('the predicate could not be summarised (boom\\u001b[2J)');
  });
});

describe('predicateKind and predicateDownloadName', () => {
  it('classifies predicate types, including versioned SBOM variants', () => {
    expect(predicateKind('https://spdx.dev/Document/v2.3')).toBe('spdx');
    expect(predicateKind('https://spdx.dev/Documents')).toBe('custom');
    expect(predicateKind('https://cyclonedx.org/bom/v1.6')).toBe('cyclonedx');
    expect(predicateKind('https://slsa.dev/provenance/v0.1')).toBe('custom');
    expect(predicateKind('https://in-toto.io/attestation/link/v0.3')).toBe('in-toto-link');
  });

  it('names downloads after the predicate', () => {
    expect(predicateDownloadName('https://spdx.dev/Document')).toBe('sbom.spdx.json');
    expect(predicateDownloadName('https://spdx.dev/Document/v2.3', { spdxVersion: 'SPDX-2.3' })).toBe('sbom.spdx.json');
    expect(predicateDownloadName('https://cyclonedx.org/bom/v1.5')).toBe('sbom.cdx.json');
    expect(predicateDownloadName('https://cyclonedx.org/bom', '<bom/>')).toBe('sbom.cdx.xml');
    expect(predicateDownloadName('https://slsa.dev/provenance/v1')).toBe('provenance.json');
    expect(predicateDownloadName('https://slsa.dev/provenance/v0.2')).toBe('provenance.json');
    expect(predicateDownloadName('https://cosign.sigstore.dev/attestation/vuln/v1')).toBe('vulnerabilities.json');
    expect(predicateDownloadName('https://in-toto.io/Link/v1')).toBe('link.json');
    expect(predicateDownloadName('https://sigstore.dev/cosign/sign/v1')).toBe('signature-predicate.json');
    expect(predicateDownloadName('https://example.com/x', 'plain')).toBe('predicate.txt');
  });
});
