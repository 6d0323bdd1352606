/**
 * decodeCertificate() against real Sigstore certificates from ../shared/fixtures.
 * Expected values were read with `openssl x509 -text -serial -fingerprint -sha256`;
 * the last block re-runs openssl on every fixture as a cross-check when it is installed.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FULCIO_LEAVES_FROM_BUNDLES, fixturePath, readFixture, readFixtureJson } from '../../tests/support/fixtures';
import { SigscopeError } from '../errors';
import { decodeCertificate, MAX_CERTIFICATE_DER_BYTES, type DecodedCertificate } from './index';
import { derFromPem } from './pem';
import * as x509 from './peculiar';

const GHA_ISSUER = 'https://token.actions.githubusercontent.com';
const SIGSTORE_INTERMEDIATE = 'O=sigstore.dev, CN=sigstore-intermediate';

const pemText = (...parts: string[]) => readFixture(...parts).toString('utf8');
const decodeFixture = (...parts: string[]) => decodeCertificate(pemText(...parts));

function expectMalformed(fn: () => unknown, message?: RegExp): SigscopeError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SigscopeError);
  const err = caught as SigscopeError;
  expect(err.code).toBe('CERTIFICATE_MALFORMED');
  if (message) expect(err.message).toMatch(message);
  return err;
}

/** A copy of `der` with one exact byte sequence replaced; fails if it is absent or repeated. */
function patch(der: Uint8Array, findHex: string, replaceHex: string): Uint8Array {
  const hex = Buffer.from(der).toString('hex');
  const at = hex.indexOf(findHex);
  expect(at, `pattern ${findHex} not found`).toBeGreaterThanOrEqual(0);
  expect(at % 2).toBe(0);
  expect(hex.indexOf(findHex, at + 1), `pattern ${findHex} repeated`).toBe(-1);
  return new Uint8Array(Buffer.from(hex.slice(0, at) + replaceHex + hex.slice(at + findHex.length), 'hex'));
}

// DER of the Fulcio OID arc 1.3.6.1.4.1.57264.1 as it appears in an OBJECT IDENTIFIER.
const FULCIO_OID_DER = '060a2b0601040183bf3001';

describe('GitHub Actions certificates with the full v2 extension set', () => {
  it('decodes sigstore-js release (2023-08-18) field by field', () => {
    const d = decodeFixture('x509-from-bundles', 'sigstore-js-release-2023-08-18.pem');
    const workflow = 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main';
    const sha = 'f0b49a04e5a62250e0f60fb128004a73110fe311';

    expect(d.serialNumber).toBe('7ddff914df3c117e1bc29edced0e59ace5e0470e');
    expect(d.fingerprintSha256).toBe('5e38b9a130e5bce07939025f51c1998f0bcbddd9368f35c7677bf6d94c25dc0e');
    expect(d.subject).toBe('');
    expect(d.issuer).toBe(SIGSTORE_INTERMEDIATE);
    expect(d.notBefore).toBe('2023-08-18T16:05:35.000Z');
    expect(d.notAfter).toBe('2023-08-18T16:15:35.000Z');
    expect(d.publicKey).toEqual({ algorithm: 'ECDSA', oid: '1.2.840.10045.2.1', curve: 'P-256', size: 256 });
    expect(d.subjectAlternativeNames).toEqual([{ type: 'uri', value: workflow }]);
    expect(d.keyUsage).toEqual(['digitalSignature']);
    expect(d.extendedKeyUsage).toEqual(['codeSigning']);
    expect(d.isCA).toBe(false);
    expect(d.sctCount).toBe(1);
    expect(d.identity).toBe(workflow);
    expect(d.oidcIssuer).toBe(GHA_ISSUER);
    // Every value, and nothing else: .1.1–.1.6 read as raw bytes, .1.8–.1.22 as DER UTF8String.
    expect(d.fulcio).toEqual({
      issuer: GHA_ISSUER,
      githubWorkflowTrigger: 'push',
      githubWorkflowSha: sha,
      githubWorkflowName: 'Release',
      githubWorkflowRepository: 'sigstore/sigstore-js',
      githubWorkflowRef: 'refs/heads/main',
      issuerV2: GHA_ISSUER,
      buildSignerUri: workflow,
      buildSignerDigest: sha,
      runnerEnvironment: 'github-hosted',
      sourceRepositoryUri: 'https://github.com/sigstore/sigstore-js',
      sourceRepositoryDigest: sha,
      sourceRepositoryRef: 'refs/heads/main',
      sourceRepositoryIdentifier: '495574555',
      sourceRepositoryOwnerUri: 'https://github.com/sigstore',
      sourceRepositoryOwnerIdentifier: '71096353',
      buildConfigUri: workflow,
      buildConfigDigest: sha,
      buildTrigger: 'push',
      runInvocationUri: 'https://github.com/sigstore/sigstore-js/actions/runs/5904696764/attempts/1',
      sourceRepositoryVisibilityAtSigning: 'public',
    });
  });

  it('decodes rfc8785.py release v0.1.2 (2024-03-19), a tag-triggered release', () => {
    const d = decodeFixture('x509-from-bundles', 'rfc8785py-release-v0.1.2-2024-03-19.pem');
    const workflow = 'https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2';

    expect(d.identity).toBe(workflow);
    expect(d.oidcIssuer).toBe(GHA_ISSUER);
    expect(d.serialNumber).toBe('336f5bbd892b0ca9c15599957a5a1350c959a8d6');
    expect(d.fingerprintSha256).toBe('3bdbfb9fe7a9377878b538dfb2ec6af283d51e243629fa667e360a06b62f63c2');
    expect(d.notBefore).toBe('2024-03-19T22:41:15.000Z');
    expect(d.fulcio).toMatchObject({
      githubWorkflowTrigger: 'release',
      githubWorkflowSha: 'd8b4a6445f38c48b9137a8099706d9b8073146e4',
      githubWorkflowRepository: 'trailofbits/rfc8785.py',
      githubWorkflowRef: 'refs/tags/v0.1.2',
      buildSignerUri: workflow,
      runnerEnvironment: 'github-hosted',
      sourceRepositoryUri: 'https://github.com/trailofbits/rfc8785.py',
      sourceRepositoryRef: 'refs/tags/v0.1.2',
      sourceRepositoryDigest: 'd8b4a6445f38c48b9137a8099706d9b8073146e4',
      sourceRepositoryIdentifier: '768213997',
      sourceRepositoryOwnerIdentifier: '2314423',
      buildTrigger: 'release',
      runInvocationUri: 'https://github.com/trailofbits/rfc8785.py/actions/runs/8351058501/attempts/1',
      sourceRepositoryVisibilityAtSigning: 'public',
    });
  });

  it('decodes a 2023 conformance certificate issued before .1.22 (visibility) existed', () => {
    const d = decodeFixture('x509-from-bundles', 'conformance-beacon-2023-07-12.pem');
    expect(d.fulcio.runInvocationUri).toBe(
      'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/actions/runs/5533741497/attempts/1',
    );
    expect(d.fulcio.buildTrigger).toBe('workflow_dispatch');
    expect(d.fulcio).not.toHaveProperty('sourceRepositoryVisibilityAtSigning');
  });
});

describe("GitHub's private Fulcio instance (2026-07-24)", () => {
  const d = decodeFixture('x509-from-bundles', 'github-private-instance-2026-07-24.pem');

  it('has GitHub as issuer and no embedded SCT', () => {
    expect(d.issuer).toBe('O=GitHub\\, Inc., CN=Fulcio Intermediate l2');
    expect(d.sctCount).toBe(0);
    expect(d.serialNumber).toBe('6b7f563e22c7beb8b2d016d9fabe96e84f50a17f');
    expect(d.fingerprintSha256).toBe('040879f43b065c9ba50bcc884d4833437fd6e0663b75a7ce36715dee2b079b7e');
  });

  it('separates the signing (reusable) workflow from the source repository', () => {
    expect(d.identity).toBe(
      'https://github.com/neverendingsupport/slsa-attestations/.github/workflows/attest.yml@9f6d9dc1bfc02986955721eb15f89ad618f1cedb',
    );
    expect(d.fulcio.buildSignerDigest).toBe('9f6d9dc1bfc02986955721eb15f89ad618f1cedb');
    expect(d.fulcio.sourceRepositoryUri).toBe('https://github.com/neverendingsupport/nes-java-test-lib-a');
    expect(d.fulcio.buildConfigUri).toBe(
      'https://github.com/neverendingsupport/nes-java-test-lib-a/.github/workflows/nes-release.yml@refs/tags/nes-v1.0.12',
    );
    // The legacy SHA is the source commit, not the signer's.
    expect(d.fulcio.githubWorkflowSha).toBe('ca342e56787986cd4e8dfc0c8830696716d3b441');
    expect(d.fulcio.sourceRepositoryDigest).toBe('ca342e56787986cd4e8dfc0c8830696716d3b441');
  });

  it('reads a value whose DER length byte is 0x0A (openssl -text prints it as a line break)', () => {
    expect(d.fulcio.sourceRepositoryIdentifier).toBe('1296428417');
  });

  it('carries private visibility and the .1.24 token subject', () => {
    expect(d.fulcio.sourceRepositoryVisibilityAtSigning).toBe('private');
    expect(d.fulcio.tokenSubject).toBe('repo:neverendingsupport/nes-java-test-lib-a:ref:refs/tags/nes-v1.0.12');
    expect(d.fulcio.runInvocationUri).toBe('https://github.com/neverendingsupport/nes-java-test-lib-a/actions/runs/30066698975/attempts/3');
  });
});

describe('email identities', () => {
  it('decodes the CPython 3.12.5 release certificate (Google account)', () => {
    const d = decodeFixture('x509-from-bundles', 'google-account-cpython-3.12.5-2024-08-06.pem');
    expect(d.identity).toBe('thomas@python.org');
    expect(d.subjectAlternativeNames).toEqual([{ type: 'email', value: 'thomas@python.org' }]);
    expect(d.oidcIssuer).toBe('https://accounts.google.com');
    expect(d.fulcio).toEqual({ issuer: 'https://accounts.google.com', issuerV2: 'https://accounts.google.com' });
    expect(d.publicKey).toEqual({ algorithm: 'ECDSA', oid: '1.2.840.10045.2.1', curve: 'P-384', size: 384 });
    expect(d.fingerprintSha256).toBe('fc6b235a8fc9c7c38aaa021c8c05e70a20003024e3f36b1037d3ea8a14cf1664');
    expect(d.sctCount).toBe(1);
  });

  it('decodes kyverno github-oauth-jim-nirmata (2022, .1.1 only)', () => {
    const d = decodeFixture('kyverno', 'certs', 'github-oauth-jim-nirmata.pem');
    expect(d.identity).toBe('jim@nirmata.com');
    expect(d.fulcio).toEqual({ issuer: 'https://github.com/login/oauth' });
    expect(d.oidcIssuer).toBe('https://github.com/login/oauth');
    expect(d.serialNumber).toBe('7c70badd30fb727d50118c08eac279d0f7256cc3');
    expect(d.notBefore).toBe('2022-11-21T17:34:20.000Z');
  });
});

describe('legacy v1-only GitHub Actions certificates', () => {
  const legacyKeys = ['issuer', 'githubWorkflowTrigger', 'githubWorkflowSha', 'githubWorkflowName', 'githubWorkflowRepository', 'githubWorkflowRef'];

  it('decodes sigstore-java cert-githuboidc (2023-02-06): raw-byte .1.1–.1.6 only, issuer from .1.1', () => {
    const d = decodeFixture('sigstore-java', 'certs', 'cert-githuboidc.pem');
    expect(Object.keys(d.fulcio).sort()).toEqual([...legacyKeys].sort());
    expect(d.fulcio).toEqual({
      issuer: GHA_ISSUER,
      githubWorkflowTrigger: 'workflow_dispatch',
      githubWorkflowSha: '4ffe2674e1e9e268c00a4f4afa5264fdd399d453',
      githubWorkflowName: 'Tag and Build Release',
      githubWorkflowRepository: 'sigstore/sigstore-java',
      githubWorkflowRef: 'refs/heads/main',
    });
    expect(d.oidcIssuer).toBe(GHA_ISSUER);
    expect(d.identity).toBe(
      'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.4.0',
    );
    expect(d.serialNumber).toBe('72b70cd27b277419d521c5936bd77a01071529d4');
  });

  it('decodes kyverno JimBugwadia demo-java-tomcat v0.0.22 (2022-10-07)', () => {
    const d = decodeFixture('kyverno', 'certs', 'github-actions-JimBugwadia-demo-java-tomcat-v0.0.22.pem');
    expect(d.identity).toBe('https://github.com/JimBugwadia/demo-java-tomcat/.github/workflows/publish.yaml@refs/tags/v0.0.22');
    expect(Object.keys(d.fulcio).sort()).toEqual([...legacyKeys].sort());
    expect(d.fulcio).toMatchObject({
      githubWorkflowTrigger: 'push',
      githubWorkflowSha: 'c7645284fa7aebe554618eee879b4d6947f8564e',
      githubWorkflowName: 'build-sign-attest',
      githubWorkflowRepository: 'JimBugwadia/demo-java-tomcat',
      githubWorkflowRef: 'refs/tags/v0.0.22',
    });
    expect(d.fingerprintSha256).toBe('08b28b62f92289da5f885dbde3ccbd602c4d8daf15ab54a36cd11ef27d75bded');
  });

  it('keeps a non-URL .1.1 issuer as written (sigstore-java certWithSct, 2022)', () => {
    const [leaf] = readFixture('sigstore-java', 'fulcio-response', 'valid', 'certWithSct.pem')
      .toString('utf8')
      .split(/(?<=-----END CERTIFICATE-----)/);
    const d = decodeCertificate(leaf!);
    expect(d.identity).toBe('appu@google.com');
    expect(d.oidcIssuer).toBe('google-sigstore-production');
    expect(d.sctCount).toBe(1);
  });
});

describe('otherName identity (sigstore-go othername.sigstore.json, scaffolding instance)', () => {
  const bundle = readFixtureJson<{ verificationMaterial: { certificate: { rawBytes: string } } }>(
    'sigstore-go', 'bundles', 'othername.sigstore.json',
  );
  const der = new Uint8Array(Buffer.from(bundle.verificationMaterial.certificate.rawBytes, 'base64'));
  const d = decodeCertificate(der);

  it('reads the .1.7 otherName SAN as the identity', () => {
    expect(d.subjectAlternativeNames).toEqual([{ type: 'otherName', value: 'foo!oidc.local', typeId: '1.3.6.1.4.1.57264.1.7' }]);
    expect(d.identity).toBe('foo!oidc.local');
    expect(d.fulcio).toEqual({ issuer: 'http://oidc.local:8080', issuerV2: 'http://oidc.local:8080', otherName: 'foo!oidc.local' });
    expect(d.oidcIssuer).toBe('http://oidc.local:8080');
  });

  it('names street and postal code in the issuer DN', () => {
    expect(d.issuer).toBe('C=USA, ST=California, L=San Francisco, STREET=548 Market St, postalCode=57274, O=Linux Foundation');
    expect(d.serialNumber).toBe('428d34ef3b343a118e2bcfc072293e6b16bbbded');
    expect(d.fingerprintSha256).toBe('6e77828b8e93e527dc458aa58e492a2dd76880d80baaf47214804939e2468ed9');
  });

  it('rejects a .1.7 otherName that is not a UTF8String', () => {
    // [0] { UTF8String "foo!oidc.local" } -> VisibleString
    const bad = patch(der, 'a0100c0e666f6f', 'a0101a0e666f6f');
    expectMalformed(() => decodeCertificate(bad), /otherName identity \(1\.3\.6\.1\.4\.1\.57264\.1\.7\).*UTF8String/);
  });
});

describe('CA and non-Fulcio certificates', () => {
  it('decodes the public-good intermediate and root from a cosign chain annotation', () => {
    const chain = pemText('policy-controller', 'distroless-static-vuln-attestation-2022-07-29', 'chain.pem');
    const [intermediate, root] = chain.split(/(?<=-----END CERTIFICATE-----)/).map((p) => decodeCertificate(p));
    expect(intermediate).toMatchObject({
      subject: SIGSTORE_INTERMEDIATE,
      issuer: 'O=sigstore.dev, CN=sigstore',
      isCA: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
      extendedKeyUsage: ['codeSigning'],
      // DER serial is 00 b9 d5 …: the sign byte is dropped, as openssl does.
      serialNumber: 'b9d58957e75346eb25ab264641eb9ff5277da4',
      notAfter: '2031-10-05T13:56:58.000Z',
      sctCount: 0,
      fulcio: {},
      subjectAlternativeNames: [],
    });
    expect(intermediate).not.toHaveProperty('identity');
    expect(intermediate).not.toHaveProperty('oidcIssuer');
    expect(root).toMatchObject({ subject: 'O=sigstore.dev, CN=sigstore', issuer: 'O=sigstore.dev, CN=sigstore', isCA: true });
    expect(root!.fingerprintSha256).toBe('3ba7b6cc4e95469d4d334b49cb257ad8537076fa84b0ca87ff4ecfe6a54680c1');
  });

  it('reports RSA keys (scaffolding Fulcio root, 4096-bit)', () => {
    const root = readFixtureJson<{ certificateAuthorities: { certChain: { certificates: { rawBytes: string }[] } }[] }>(
      'sigstore-go', 'trusted-roots', 'scaffolding.json',
    );
    const der = Buffer.from(root.certificateAuthorities[0]!.certChain.certificates[0]!.rawBytes, 'base64');
    const d = decodeCertificate(der);
    expect(d.publicKey).toEqual({ algorithm: 'RSA', oid: '1.2.840.113549.1.1.1', size: 4096 });
    expect(d.isCA).toBe(true);
    expect(d.subject).toBe('C=USA, ST=California, L=San Francisco, STREET=548 Market St, postalCode=57274, O=Linux Foundation');
  });

  it('reports Ed25519 keys and dns/ip SANs (synthetic: no such Sigstore certificate exists in the fixtures)', async () => {
    const alg = { name: 'Ed25519' };
    const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '0102',
      name: 'CN=sigscope test, O=sigscope',
      notBefore: new Date('2024-01-01T00:00:00Z'),
      notAfter: new Date('2024-01-02T00:00:00Z'),
      signingAlgorithm: alg,
      keys,
      extensions: [
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'example.test' },
          { type: 'ip', value: '192.0.2.1' },
          { type: 'ip', value: '2001:db8::1' },
        ]),
      ],
    });
    const d = decodeCertificate(new Uint8Array(cert.rawData));
    expect(d.publicKey).toEqual({ algorithm: 'Ed25519', oid: '1.3.101.112', size: 256 });
    expect(d.subjectAlternativeNames).toEqual([
      { type: 'dns', value: 'example.test' },
      { type: 'ip', value: '192.0.2.1' },
      { type: 'ip', value: '2001:db8::1' },
    ]);
    expect(d).not.toHaveProperty('identity'); // dns/ip are not signer identities
    expect(d.serialNumber).toBe('0102');
    expect(d.subject).toBe('CN=sigscope test, O=sigscope');
  });
});

describe('input forms and output shape', () => {
  const pem = pemText('x509-from-bundles', 'sigstore-js-release-2023-08-18.pem');
  const expected = decodeCertificate(pem);

  it('gives the same result for PEM text, DER bytes, a Buffer of PEM text, CRLF and surrounding text', () => {
    const der = derFromPem(pem);
    expect(decodeCertificate(der)).toEqual(expected);
    expect(decodeCertificate(Buffer.from(der))).toEqual(expected);
    expect(decodeCertificate(readFixture('x509-from-bundles', 'sigstore-js-release-2023-08-18.pem'))).toEqual(expected);
    expect(decodeCertificate(pem.replace(/\n/g, '\r\n'))).toEqual(expected);
    expect(decodeCertificate(`subject=\nissuer=O=sigstore.dev\n\n${pem}\ntrailing notes\n`)).toEqual(expected);
  });

  it('is plain JSON and its pem field round-trips', () => {
    expect(JSON.parse(JSON.stringify(expected))).toEqual(expected);
    expect(Array.isArray(expected.subjectAlternativeNames) && expected.subjectAlternativeNames.constructor).toBe(Array);
    expect(expected.pem).toBe(pem.replace(/\r/g, '').trimEnd() + '\n');
    expect(decodeCertificate(expected.pem)).toEqual(expected);
  });

  it('does not keep a reference to the caller’s buffer', () => {
    const der = derFromPem(pem);
    const result = decodeCertificate(der);
    der.fill(0);
    expect(decodeCertificate(result.pem).fingerprintSha256).toBe(expected.fingerprintSha256);
  });
});

describe('hostile and malformed input -> CERTIFICATE_MALFORMED', () => {
  const pem = pemText('x509-from-bundles', 'sigstore-js-release-2023-08-18.pem');
  const der = derFromPem(pem);

  it('rejects empty input', () => {
    expectMalformed(() => decodeCertificate(''), /empty/);
    expectMalformed(() => decodeCertificate('  \n\t'), /empty/);
    expectMalformed(() => decodeCertificate(new Uint8Array()), /empty/);
  });

  it('rejects garbage text and bytes', () => {
    expectMalformed(() => decodeCertificate('hello, I am not a certificate'), /not PEM/);
    expectMalformed(() => decodeCertificate(new Uint8Array([0xde, 0xad, 0xbe, 0xef])), /neither DER .* nor PEM/);
    expectMalformed(() => decodeCertificate(pem.replace(/-----BEGIN CERTIFICATE-----/, '')), /no matching BEGIN/);
  });

  it('rejects bare base64 DER with a hint to decode it first', () => {
    expectMalformed(() => decodeCertificate(Buffer.from(der).toString('base64')), /decode it to bytes/);
  });

  it('rejects PEM with bad base64', () => {
    const lines = pem.split('\n');
    lines[3] = `${lines[3]!.slice(0, 10)}!${lines[3]!.slice(11)}`;
    expectMalformed(() => decodeCertificate(lines.join('\n')), /not valid base64/);
    // Base64 that decodes, but to the wrong length (one character lost in transit).
    expectMalformed(() => decodeCertificate(pem.replace(lines[4]!, lines[4]!.slice(1))), /not valid base64/);
  });

  it('rejects truncated PEM and truncated DER', () => {
    expectMalformed(() => decodeCertificate(pem.slice(0, pem.length / 2)), /no END line/);
    expectMalformed(() => decodeCertificate(der.slice(0, der.length - 1)), /not valid DER|could not be decoded/);
    expectMalformed(() => decodeCertificate(der.slice(0, 200)), /not valid DER|could not be decoded/);
  });

  it('rejects bytes after the certificate', () => {
    expectMalformed(() => decodeCertificate(new Uint8Array([...der, 0x00, 0x00])), /followed by 2 unexpected bytes/);
  });

  it('rejects a PEM object that is not a certificate', () => {
    const rekorKey = pemText('public-good-trust-root', 'targets', 'rekor.pub');
    expectMalformed(() => decodeCertificate(rekorKey), /found "PUBLIC KEY"/);
    // The same key as DER: a valid SEQUENCE, but not a Certificate.
    const spki = new Uint8Array(Buffer.from(rekorKey.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    expectMalformed(() => decodeCertificate(spki), /could not be decoded as an X\.509 certificate/);
  });

  it('rejects several certificates where one is expected', () => {
    const chain = pemText('policy-controller', 'distroless-static-vuln-attestation-2022-07-29', 'chain.pem');
    expectMalformed(() => decodeCertificate(chain), /holds 2 certificates.*splitPemChain/);
  });

  it('rejects oversized input before parsing it', () => {
    const big = new Uint8Array(MAX_CERTIFICATE_DER_BYTES + 1).fill(0x30);
    expectMalformed(() => decodeCertificate(big), /limit/);
    expectMalformed(() => decodeCertificate(pem + 'A'.repeat(200_000)), /limit/);
  });

  it('rejects non-string, non-bytes input from untyped callers', () => {
    expectMalformed(() => decodeCertificate(null as unknown as string), /got null/);
    expectMalformed(() => decodeCertificate(42 as unknown as string), /got number/);
  });
});

describe('tampered Fulcio extensions (variants built from the real sigstore-js certificate)', () => {
  const der = derFromPem(pemText('x509-from-bundles', 'sigstore-js-release-2023-08-18.pem'));

  it('rejects a .1.8+ value that is not a DER UTF8String', () => {
    // .1.8 value: OCTET STRING { UTF8String(43) } -> { PrintableString(43) }
    const bad = patch(der, `${FULCIO_OID_DER}08042d0c2b`, `${FULCIO_OID_DER}08042d132b`);
    expectMalformed(() => decodeCertificate(bad), /"Issuer" \(1\.3\.6\.1\.4\.1\.57264\.1\.8\) is not a DER UTF8String/);
  });

  it('rejects a raw .1.1 value that is not UTF-8', () => {
    // .1.1 value starts "https://"; make the first byte 0xff.
    const bad = patch(der, `${FULCIO_OID_DER}01042b68`, `${FULCIO_OID_DER}01042bff`);
    expectMalformed(() => decodeCertificate(bad), /1\.3\.6\.1\.4\.1\.57264\.1\.1\) is not raw UTF-8/);
  });

  it('rejects a duplicated extension instead of picking one', () => {
    // Renumber .1.9 (build signer URI) to .1.8, giving two issuer extensions.
    const bad = patch(der, `${FULCIO_OID_DER}09`, `${FULCIO_OID_DER}08`);
    expectMalformed(() => decodeCertificate(bad), /1\.3\.6\.1\.4\.1\.57264\.1\.8 twice/);
  });

  it('rejects an SCT list whose length prefix does not match its content', () => {
    const bad = patch(der, '047b0079007700dd3d', '047b0078007700dd3d');
    expectMalformed(() => decodeCertificate(bad), /embedded SCT list/);
  });
});

// Independent cross-check of serial, fingerprint and validity against openssl for every fixture certificate.
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// scripts/setup.sh installs openssl; its absence is a setup failure, not a reason to skip.
describe('agrees with openssl on every fixture certificate', () => {
  it('has openssl to compare with', () => {
    expect(hasOpenssl, 'openssl is missing: apt-get install -y openssl (scripts/setup.sh does)').toBe(true);
  });
  const files = [
    ...[...FULCIO_LEAVES_FROM_BUNDLES].map((f) => ['x509-from-bundles', f]),
    ['sigstore-java', 'certs', 'cert-githuboidc.pem'],
    ['kyverno', 'certs', 'github-actions-JimBugwadia-demo-java-tomcat-v0.0.22.pem'],
    ['kyverno', 'certs', 'github-oauth-jim-nirmata.pem'],
    ['public-good-trust-root', 'targets', 'fulcio_v1.crt.pem'],
  ];

  it.each(files.map((parts) => [parts.join('/'), parts] as const))('%s', (_name, parts) => {
    const out = execFileSync('openssl', [
      'x509', '-in', fixturePath(...parts), '-noout', '-serial', '-fingerprint', '-sha256', '-startdate', '-enddate', '-dateopt', 'iso_8601',
    ]).toString();
    const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(out)?.[1]?.trim();
    const iso = (s: string | undefined) => new Date(s!.replace(' ', 'T')).toISOString();
    const d: DecodedCertificate = decodeFixture(...parts);
    expect(d.serialNumber).toBe(field('serial')!.toLowerCase());
    expect(d.fingerprintSha256).toBe(field('sha256 Fingerprint')!.replace(/:/g, '').toLowerCase());
    expect(d.notBefore).toBe(iso(field('notBefore')));
    expect(d.notAfter).toBe(iso(field('notAfter')));
  });
});
