/**
 * Entry decoding on real Rekor responses and real bundle tlog entries from
 * ../shared/fixtures (v1 hashedrekord and jar, v2 hashedrekord 0.0.2, intoto
 * 0.0.1 from a cosign annotation, dsse 0.0.1, intoto 0.0.2), bodies built here for
 * rekord (no fixture has one), and malformed input that must decode to a
 * reason, never a throw.
 */
import { describe, expect, it } from 'vitest';
import { decodeCertificate } from '../x509';
import {
  decodeEntryBody,
  decodeTlogEntry,
  decodeV1Entry,
  parseCosignBundleAnnotation,
  parseTlogEntry,
  parseV1EntryResponse,
  type DecodedEntry,
  type SupportedBody,
  type TlogEntry,
} from './entry';
import { JAVA, clone, fixtureJson, fixtureText } from './test-fixtures';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64');

function v1(file: string): DecodedEntry {
  const p = parseV1EntryResponse(fixtureJson(...JAVA, file));
  if (!p.ok) throw new Error(p.reason);
  expect(p.value).toHaveLength(1);
  return decodeV1Entry(p.value[0]!);
}

function supported(d: DecodedEntry | ReturnType<typeof decodeEntryBody>): SupportedBody {
  if (!d.supported) throw new Error(`unsupported: ${d.reason}`);
  return d;
}

function bundleEntry(...parts: string[]): { entry: TlogEntry; bundle: { dsseEnvelope?: { payloadType: string; signatures: { sig: string }[] } } } {
  const bundle = fixtureJson<{ verificationMaterial: { tlogEntries: unknown[] }; dsseEnvelope?: { payloadType: string; signatures: { sig: string }[] } }>(...parts);
  const p = parseTlogEntry(bundle.verificationMaterial.tlogEntries[0]);
  if (!p.ok) throw new Error(p.reason);
  return { entry: p.value, bundle };
}

describe('Rekor v1 API entries', () => {
  it('decodes the staging hashedrekord (entry.json): artifact hash, signature, Fulcio certificate', () => {
    const d = v1('entry.json');
    const body = supported(d);
    expect(d).toMatchObject({
      source: 'rekor-v1',
      kind: 'hashedrekord',
      apiVersion: '0.0.1',
      uuid: 'ac3650aee1c1b3821211cf07067c1a118d0a7f86867bbb1df340cb8fc9c221af',
      logIndex: 1688,
      integratedTime: 1656448131,
      logId: 'd32f30a3c32d639c2b762205a21c7bb07788e68283a4ae6f42118723a1bea496',
      artifactHash: { algorithm: 'sha256', value: '47c1db9fb5fe7ff66e3d7c15b2ca5d3a046ee8f4aa043dedd317e46b321c4390' },
      hasInclusionProof: true,
      hasSet: true,
    });
    // The UUID of a v1 entry is its leaf hash.
    expect(d.leafHash).toBe(d.uuid);
    expect(body.signatures).toHaveLength(1);
    const sig = body.signatures[0]!;
    expect(sig.signature).toBe('MEYCIQDUzYzwz8HGaUtW5L/oEM4g50UoIKs5xnWPtjarxtJrLAIhAO90E9v4gy2fTs+Ils88W39xetE3KsjDstqqz5sP0eHM');
    expect(sig.certificate?.identity).toBe('test@test.com');
    expect(sig.publicKeyPem).toBeUndefined();
  });

  it('marks the entry without an inclusion proof', () => {
    const d = v1('entry-no-inclusion-proof.json');
    expect(d).toMatchObject({ kind: 'hashedrekord', logIndex: 79, hasInclusionProof: false, hasSet: true });
  });

  it('reports the jar entry (public-good, 80-hex UUID) as an unsupported kind, with its log data intact', () => {
    const d = v1('jar-entry.json');
    expect(d.supported).toBe(false);
    if (d.supported) return;
    expect(d.kind).toBe('jar');
    expect(d.reason).toMatch(/unsupported kind jar .*hashedrekord, dsse, intoto and rekord/);
    expect(d).toMatchObject({ logIndex: 3120029, integratedTime: 1659719927, logId: 'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d' });
    expect(d.uuid).toHaveLength(80);
    expect(d.uuid!.slice(16)).toBe(d.leafHash);
  });

  it('rejects responses of the wrong shape with a reason', () => {
    const good = fixtureJson<Record<string, Record<string, unknown>>>(...JAVA, 'entry.json');
    const [uuid, e] = Object.entries(good)[0]!;
    const cases: [string, unknown][] = [
      ['null', null],
      ['array of strings', ['a']],
      ['empty object', {}],
      ['bad uuid', { 'not-a-uuid': e }],
      ['bad logID', { [uuid]: { ...e, logID: 'xyz' } }],
      ['negative index', { [uuid]: { ...e, logIndex: -1 } }],
      ['string time', { [uuid]: { ...e, integratedTime: '1656448131' } }],
      ['too many hashes', { [uuid]: { ...e, verification: { inclusionProof: { logIndex: 1, rootHash: 'a'.repeat(64), treeSize: 2, hashes: Array(65).fill('a'.repeat(64)), checkpoint: 'x' } } } }],
      ['11 entries', Array(11).fill(good)],
    ];
    for (const [what, json] of cases) {
      const p = parseV1EntryResponse(json);
      expect(p.ok, what).toBe(false);
      if (!p.ok) expect(p.reason, what).toMatch(/entries|not a Rekor v1 log entry/);
    }
    const two = parseV1EntryResponse([good, fixtureJson(...JAVA, 'jar-entry.json')]);
    expect(two.ok && two.value.map((x) => x.logIndex)).toEqual([1688, 3120029]);
  });
});

describe('cosign bundle annotation (intoto 0.0.1)', () => {
  const dir = ['policy-controller', 'distroless-static-vuln-attestation-2022-07-29'];

  it('decodes the distroless attestation entry: hashes and the GitHub Actions certificate equal to the annotation certificate', () => {
    const p = parseCosignBundleAnnotation(fixtureJson(...dir, 'rekor-bundle-annotation.json'));
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    const d = decodeV1Entry(p.value);
    const body = supported(d);
    expect(d).toMatchObject({ kind: 'intoto', apiVersion: '0.0.1', logIndex: 3059470, integratedTime: 1659061729, hasSet: true, hasInclusionProof: false });
    expect(body.payloadHash).toEqual({ algorithm: 'sha256', value: 'c1b5f0f4b8ecd55eda250cd84964d0c1fb5d7a8a348f4b7ffb7daa2e06c48373' });
    expect(body.envelopeHash).toEqual({ algorithm: 'sha256', value: '2b65cbf0e7901ba31d55b12d319bca39420af4388d3e5714d16f2019d74e3ab7' });
    // intoto 0.0.1 keeps the key but not the signature.
    expect(body.signatures).toHaveLength(1);
    expect(body.signatures[0]!.signature).toBeUndefined();
    const cert = body.signatures[0]!.certificate!;
    expect(cert.identity).toBe('https://github.com/distroless/static/.github/workflows/release.yaml@refs/heads/main');
    expect(cert.oidcIssuer).toBe('https://token.actions.githubusercontent.com');
    expect(cert.fingerprintSha256).toBe(decodeCertificate(fixtureText(...dir, 'certificate.pem')).fingerprintSha256);
  });

  it('rejects annotations of the wrong shape', () => {
    const good = fixtureJson<{ Payload: Record<string, unknown> }>(...dir, 'rekor-bundle-annotation.json');
    expect(parseCosignBundleAnnotation({ ...good, Payload: { ...good.Payload, logID: 'nothex' } }).ok).toBe(false);
    expect(parseCosignBundleAnnotation({ Payload: good.Payload }).ok).toBe(false);
    expect(parseCosignBundleAnnotation('x').ok).toBe(false);
  });
});

describe('TransparencyLogEntry (Rekor v2 and bundles)', () => {
  it('decodes entry-v2.json: hashedrekord 0.0.2 with base64 digest, key details and certificate', () => {
    const p = parseTlogEntry(fixtureJson(...JAVA, 'entry-v2.json'));
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value).toMatchObject({
      logIndex: 743,
      logId: Buffer.from('8w1amZ2S5mJIQkQmPxdMuOrL/oJkvFg9MnQXmeOCXck=', 'base64').toString('hex'),
      kind: 'hashedrekord',
      version: '0.0.2',
      inclusionProof: { logIndex: 743, treeSize: 744, rootHash: Buffer.from('esdDSd9WE37oIvN7WDlJVKtt/QajruODJO7PVEwwTXs=', 'base64').toString('hex') },
    });
    expect(p.value.inclusionProof?.hashes).toHaveLength(7);
    const d = decodeTlogEntry(p.value);
    const body = supported(d);
    expect(d.integratedTime).toBeUndefined();
    expect(d.notes).toEqual([]);
    expect(body.artifactHash).toEqual({ algorithm: 'sha256', value: Buffer.from('Lk1GoUgegnTpSCKlwghaJc042pAUqWag4nBWaPnRP4M=', 'base64').toString('hex') });
    expect(body.signatures[0]).toMatchObject({ keyDetails: 'PKIX_ECDSA_P256_SHA_256', signature: 'MEQCIAWCLowH/lzxKgm1pcrnh4zaHbkd0wK4suRyTu6Xl0WlAiAwnHNU92Ylrso0tuWdnf2e3RiV4Aoy4YG5Bqmxo4lAYw==' });
    expect(body.signatures[0]!.certificate?.identity).toBe('test@test.com');
  });

  it('decodes a real dsse 0.0.1 entry (cosign OCI attestation): its signature is the envelope signature', () => {
    const { entry, bundle } = bundleEntry('cosign', 'pkg', 'cosign', 'testdata', 'oci-attestation.sigstore.json');
    const body = supported(decodeTlogEntry(entry));
    expect(body).toMatchObject({ kind: 'dsse', apiVersion: '0.0.1' });
    expect(body.payloadHash?.value).toBe('15692616e9c435907c41411466e493f195a39ca68c973a4f5390df3d301398bd');
    expect(body.envelopeHash?.value).toBe('c6adaaf149084f1977c14b5b1412f88258e5830d87a5c64403c403b9b73ff136');
    expect(body.signatures[0]!.signature).toBe(bundle.dsseEnvelope!.signatures[0]!.sig);
    expect(body.signatures[0]!.certificate?.identity).toBe('cody@soyland.com');
  });

  it('decodes a real intoto 0.0.2 entry: the doubly-encoded signature becomes the envelope signature', () => {
    const { entry, bundle } = bundleEntry('sigstore-js', 'tests', 'bundles', 'bundleV03-intoto.sigstore');
    const body = supported(decodeTlogEntry(entry));
    expect(body).toMatchObject({ kind: 'intoto', apiVersion: '0.0.2', payloadType: 'application/vnd.in-toto+json' });
    expect(body.signatures[0]!.signature).toBe(bundle.dsseEnvelope!.signatures[0]!.sig);
    expect(body.signatures[0]!.certificate?.identity).toBe('brian@dehamer.com');
    expect(body.payloadHash?.algorithm).toBe('sha256');
  });

  it('decodes a managed-key hashedrekord: a PEM public key instead of a certificate', () => {
    const { entry } = bundleEntry('conformance-sample', 'bundle-verify', 'managed-key-happy-path', 'bundle.sigstore.json');
    const sig = supported(decodeTlogEntry(entry)).signatures[0]!;
    expect(sig.certificate).toBeUndefined();
    expect(sig.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it('accepts protobuf JSON nulls, notes a kindVersion that disagrees with the body, rejects bad encodings', () => {
    const publish = fixtureJson<{ verificationMaterial: { tlogEntries: unknown[] } }>('sigstore-go', 'examples', 'bundle-publish.json');
    const p = parseTlogEntry(publish.verificationMaterial.tlogEntries[0]);
    expect(p.ok).toBe(true);
    if (p.ok) expect(p.value.inclusionProof).toBeUndefined();

    const raw = fixtureJson<Record<string, unknown> & { kindVersion: { kind: string } }>(...JAVA, 'entry-v2.json');
    const mislabeled = clone(raw);
    mislabeled.kindVersion.kind = 'dsse';
    const m = parseTlogEntry(mislabeled);
    expect(m.ok && decodeTlogEntry(m.value).notes[0]).toMatch(/kindVersion says dsse 0.0.2 but the body is hashedrekord 0.0.2/);

    const bad: [string, Record<string, unknown>][] = [
      ['logIndex', { ...raw, logIndex: '-1' }],
      ['huge logIndex', { ...raw, logIndex: '99999999999999999999' }],
      ['logId', { ...raw, logId: { keyId: '!!' } }],
      ['body', { ...raw, canonicalizedBody: 'not base64' }],
      ['rootHash', { ...raw, inclusionProof: { ...(raw.inclusionProof as object), rootHash: 'AAAA' } }],
      ['hash', { ...raw, inclusionProof: { ...(raw.inclusionProof as object), hashes: ['AAAA'] } }],
      ['kindVersion', { ...raw, kindVersion: undefined }],
    ];
    for (const [what, json] of bad) expect(parseTlogEntry(json).ok, what).toBe(false);
  });
});

describe('bodies built here (rekord, other kinds and versions, malformed)', () => {
  const certPem = fixtureText('sigstore-java', 'certs', 'cert-githuboidc.pem');
  const keyPem = fixtureText('sigstore-java', 'rekor-response', 'valid', 'rekor.pub');
  const sig = Buffer.from('a signature').toString('base64');

  it('decodes rekord 0.0.1 with an x509 certificate, an x509 key and a PGP key', () => {
    const rekord = (format: string, key: string) => ({
      apiVersion: '0.0.1',
      kind: 'rekord',
      spec: { data: { hash: { algorithm: 'sha256', value: 'AB'.repeat(32) } }, signature: { format, content: sig, publicKey: { content: b64(key) } } },
    });
    const withCert = supported(decodeEntryBody(b64(rekord('x509', certPem))));
    expect(withCert.artifactHash).toEqual({ algorithm: 'sha256', value: 'ab'.repeat(32) });
    expect(withCert.signatures[0]).toMatchObject({ signature: sig, keyFormat: 'x509' });
    expect(withCert.signatures[0]!.certificate?.identity).toBe('https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.4.0');
    expect(supported(decodeEntryBody(b64(rekord('x509', keyPem)))).signatures[0]!.publicKeyPem).toMatch(/BEGIN PUBLIC KEY/);
    const pgp = supported(decodeEntryBody(b64(rekord('pgp', '-----BEGIN PGP PUBLIC KEY BLOCK-----\n...'))));
    expect(pgp.signatures[0]).toMatchObject({ keyFormat: 'pgp', publicKeyBase64: b64('-----BEGIN PGP PUBLIC KEY BLOCK-----\n...') });
  });

  it('decodes dsse 0.0.1 with two signers', () => {
    const body = {
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: '1'.repeat(64) },
        payloadHash: { algorithm: 'sha256', value: '2'.repeat(64) },
        signatures: [
          { signature: sig, verifier: b64(certPem) },
          { signature: sig, verifier: b64(keyPem) },
        ],
      },
    };
    const d = supported(decodeEntryBody(b64(body)));
    expect(d.signatures.map((s) => (s.certificate ? 'cert' : s.publicKeyPem ? 'key' : s.problem))).toEqual(['cert', 'key']);
  });

  it('decodes intoto 0.0.2 signatures stored doubly (as Rekor does) or singly base64-encoded', () => {
    const der = Buffer.from([0x30, 0x45, 0x02, 0x20, ...Array(0x20).fill(7), 0x02, 0x21, ...Array(0x21).fill(9)]).toString('base64');
    const body = (s: string) => ({
      apiVersion: '0.0.2',
      kind: 'intoto',
      spec: { content: { envelope: { payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: s, publicKey: b64(keyPem) }] }, payloadHash: { algorithm: 'sha256', value: 'c'.repeat(64) } } },
    });
    expect(supported(decodeEntryBody(b64(body(b64(der))))).signatures[0]!.signature).toBe(der);
    expect(supported(decodeEntryBody(b64(body(der)))).signatures[0]!.signature).toBe(der);
  });

  it('answers every unsupported or malformed body with a reason, never a throw', () => {
    const cases: [string, string | Uint8Array, RegExp][] = [
      ['unknown kind', b64({ apiVersion: '0.0.1', kind: 'helm', spec: {} }), /unsupported kind helm/],
      ['unknown version', b64({ apiVersion: '0.0.9', kind: 'hashedrekord', spec: {} }), /unsupported hashedrekord version 0.0.9/],
      ['missing signature', b64({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: { data: { hash: { algorithm: 'sha256', value: 'a'.repeat(64) } } } }), /malformed hashedrekord 0.0.1 body \(spec.signature/],
      ['bad hash', b64({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: { data: { hash: { algorithm: 'sha256', value: 'xyz' } }, signature: { content: sig, publicKey: { content: b64(keyPem) } } } }), /not a sha256 hex value/],
      ['bad algorithm', b64({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: { data: { hash: { algorithm: 'md5', value: 'a'.repeat(32) } }, signature: { content: sig, publicKey: { content: b64(keyPem) } } } }), /unknown hash algorithm md5/],
      ['bad signature', b64({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: { data: { hash: { algorithm: 'sha256', value: 'a'.repeat(64) } }, signature: { content: '***', publicKey: { content: b64(keyPem) } } } }), /signature.content is not base64/],
      ['no kind', b64({ spec: {} }), /not a Rekor entry/],
      ['not JSON', b64('{{{'), /not JSON/],
      ['not base64', 'not base64!', /not base64/],
      ['not UTF-8', new Uint8Array([0xff, 0xfe]), /not JSON/],
      ['too big', new Uint8Array(1024 * 1024 + 1), /over the .*-byte limit/],
      ['array', b64([1, 2]), /not a Rekor entry/],
    ];
    for (const [what, input, reason] of cases) {
      const d = decodeEntryBody(input);
      expect(d.supported, what).toBe(false);
      if (!d.supported) expect(d.reason, what).toMatch(reason);
    }
  });

  it('keeps a signature whose verifier is broken, with the problem named', () => {
    const body = { apiVersion: '0.0.1', kind: 'hashedrekord', spec: { data: { hash: { algorithm: 'sha256', value: 'a'.repeat(64) } }, signature: { content: sig, publicKey: { content: b64('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n') } } } };
    const s = supported(decodeEntryBody(b64(body))).signatures[0]!;
    expect(s.signature).toBe(sig);
    expect(s.problem).toMatch(/certificate cannot be decoded/);
    const junk = { ...body, spec: { ...body.spec, signature: { content: sig, publicKey: { content: b64('hello') } } } };
    expect(supported(decodeEntryBody(b64(junk))).signatures[0]!.problem).toMatch(/neither a PEM certificate nor a PEM public key/);
  });
});
