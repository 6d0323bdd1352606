/**
 * parseStatement() on real in-toto statements from ../shared/fixtures (npm provenance,
 * GitHub attestations, the conformance suite's statement, a cosign OCI attestation) and on
 * hostile payloads built here.
 */
import { describe, expect, it } from 'vitest';
import { readFixture, readFixtureJson } from '../../tests/support/fixtures';
import { SigscopeError } from '../errors';
import {
  IN_TOTO_PAYLOAD_TYPE,
  MAX_STATEMENT_BYTES,
  MAX_SUBJECTS,
  STATEMENT_TYPE_V01,
  STATEMENT_TYPE_V1,
  matchingSubjects,
  parseStatement,
  subjectMatches,
  type InTotoStatement,
} from './statement';

interface BundleJson {
  dsseEnvelope: { payload: string; payloadType: string };
}

/** The DSSE payload of a Sigstore bundle fixture, decoded from base64. */
function bundlePayload(...parts: string[]): { payloadType: string; payload: Buffer } {
  const b = readFixtureJson<BundleJson>(...parts);
  return { payloadType: b.dsseEnvelope.payloadType, payload: Buffer.from(b.dsseEnvelope.payload, 'base64') };
}

const SHA256_A_TXT = 'a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf';
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const statement = (over: Record<string, unknown> = {}) =>
  json({ _type: STATEMENT_TYPE_V1, subject: [{ name: 'ghcr.io/acme/api', digest: { sha256: 'ab'.repeat(32) } }], predicateType: 'https://example.com/p/v1', predicate: { ok: true }, ...over });

function parseError(payloadType: string, payload: Uint8Array): SigscopeError {
  try {
    parseStatement(payloadType, payload);
  } catch (e) {
    expect(e).toBeInstanceOf(SigscopeError);
    return e as SigscopeError;
  }
  throw new Error('expected parseStatement to throw');
}

describe('parseStatement on real statements', () => {
  it('reads the sigstore-js 1.3.0 npm provenance statement (v0.1, sha512 subject)', () => {
    const s = parseStatement(IN_TOTO_PAYLOAD_TYPE, readFixture('sigstore-go', 'examples', 'statement-provenance-sigstorejs1.3.0.json'));
    expect(s._type).toBe(STATEMENT_TYPE_V01);
    expect(s.statementVersion).toBe('v0.1');
    expect(s.subject).toEqual([
      {
        name: 'pkg:npm/sigstore@1.3.0',
        digest: { sha512: '76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751' },
      },
    ]);
    expect(s.predicateType).toBe('https://slsa.dev/provenance/v0.2');
    expect((s.predicate as { builder: { id: string } }).builder.id).toBe('https://github.com/actions/runner');
  });

  it('reads the DSSE payload of the sigstore@2.0.0 provenance bundle (v1)', () => {
    const { payloadType, payload } = bundlePayload('sigstore-go', 'bundles', 'sigstore.js@2.0.0-provenance.sigstore.json');
    const s = parseStatement(payloadType, payload);
    expect(s.statementVersion).toBe('v1');
    expect(s.subject).toHaveLength(1);
    expect(s.subject[0]!.name).toBe('pkg:npm/sigstore@2.0.0');
    expect(s.predicateType).toBe('https://slsa.dev/provenance/v1');
    const sha512 = '46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c';
    expect(subjectMatches(s, `sha512:${sha512}`)).toBe(true);
    expect(subjectMatches(s, `sha512:${sha512.toUpperCase()}`)).toBe(true);
    expect(subjectMatches(s, `sha256:${'0'.repeat(64)}`)).toBe(false);
  });

  it('reads the GitHub private-repo attestation: ten jar/pom subjects', () => {
    const { payloadType, payload } = bundlePayload('sigstore-java', 'bundles', 'github-private-no-tlog', 'attestation.sigstore.json');
    const s = parseStatement(payloadType, payload);
    expect(s.subject).toHaveLength(10);
    expect(s.subject.map((x) => x.name)).toContain('nes-java-test-lib-a-1.0.0-nes-java-test-lib-a-1.0.12.pom');
    const jar = 'sha256:caa015ef69e9bc31a41322d6c71563ed9600c75bb988e4d639b1edc578580551';
    expect(subjectMatches(s, jar)).toBe(true);
    expect(matchingSubjects(s, jar).map((x) => x.name)).toEqual(['a-module-1-1.0.0-nes-java-test-lib-a-1.0.12.jar']);
    // A digest of another algorithm is not a match even with the same hex.
    expect(subjectMatches(s, `sha512:${'caa015ef'.repeat(16)}`)).toBe(false);
  });

  it('reads the conformance suite statement (v1, a.txt)', () => {
    const s = parseStatement(IN_TOTO_PAYLOAD_TYPE, readFixture('conformance-sample', 'statement.json'));
    expect(s.statementVersion).toBe('v1');
    expect(s.subject).toEqual([{ name: 'a.txt', digest: { sha256: SHA256_A_TXT } }]);
    expect(subjectMatches(s, `sha256:${SHA256_A_TXT}`)).toBe(true);
  });

  it('reads the cosign OCI attestation payload (v0.1, custom predicate type)', () => {
    const { payloadType, payload } = bundlePayload('cosign', 'pkg', 'cosign', 'testdata', 'oci-attestation.sigstore.json');
    const s = parseStatement(payloadType, payload);
    expect(s.statementVersion).toBe('v0.1');
    expect(s.predicateType).toBe('https://cosign.sigstore.dev/attestation/v1');
    expect(s.subject).toEqual([{ name: '127.0.0.1:60943/repo', digest: { sha256: '732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4' } }]);
    expect(s.predicate).toEqual({ Data: '{"foo": "bar"}\n', Timestamp: '2025-02-28T19:18:11Z' });
  });
});

describe('parseStatement accepts what the spec allows', () => {
  it('a statement without predicate (cosign sign/v1 in bundle format)', () => {
    const s = parseStatement(IN_TOTO_PAYLOAD_TYPE, json({ _type: STATEMENT_TYPE_V1, subject: [{ name: 'ghcr.io/acme/api', digest: { sha256: 'cd'.repeat(32) } }], predicateType: 'https://sigstore.dev/cosign/sign/v1' }));
    expect(s.predicate).toBeUndefined();
    expect(s.predicateType).toBe('https://sigstore.dev/cosign/sign/v1');
  });

  it('a v1 subject without a name, several algorithms, upper-case hex (normalised), extra fields', () => {
    const s = parseStatement(
      IN_TOTO_PAYLOAD_TYPE,
      statement({
        subject: [{ digest: { sha256: 'AB'.repeat(32), gitCommit: 'f0b49a04e5a62250e0f60fb128004a73110fe311', goModuleH1: 'h1:abc+/=' }, uri: 'https://example.com', annotations: { x: 1 } }],
        extra: 'ignored',
      }),
    );
    expect(s.subject).toEqual([{ name: '', digest: { sha256: 'ab'.repeat(32), gitCommit: 'f0b49a04e5a62250e0f60fb128004a73110fe311', goModuleH1: 'h1:abc+/=' } }]);
    expect(s).not.toHaveProperty('extra');
  });

  it('exactly MAX_SUBJECTS subjects', () => {
    const subject = Array.from({ length: MAX_SUBJECTS }, (_, i) => ({ name: `f${i}`, digest: { sha256: i.toString(16).padStart(64, '0') } }));
    const s = parseStatement(IN_TOTO_PAYLOAD_TYPE, statement({ subject }));
    expect(s.subject).toHaveLength(MAX_SUBJECTS);
    expect(subjectMatches(s, `sha256:${(1023).toString(16).padStart(64, '0')}`)).toBe(true);
  });
});

describe('parseStatement refuses hostile or wrong payloads with a clear error', () => {
  it('a payload type that is not in-toto, escaping control characters', () => {
    const e = parseError('application/vnd.dev.cosign.simplesigning.v1+json', statement());
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain('"application/vnd.dev.cosign.simplesigning.v1+json", not "application/vnd.in-toto+json"');
    const evil = parseError('text/plain\u001b[2J', statement());
    expect(evil.message).toContain('text/plain\\u001b[2J');
    expect(evil.message).not.toContain('\u001b');
  });

  it('bytes that are not UTF-8 or not JSON, and JSON that is not an object', () => {
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])).message).toMatch(/not UTF-8/);
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, Buffer.from('{"_type": ')).message).toMatch(/the payload is not JSON \(/);
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, Buffer.from('[1,2]')).message).toMatch(/JSON array, not an object/);
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, Buffer.from('null')).message).toMatch(/JSON null, not an object/);
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, Buffer.from('"x"')).message).toMatch(/JSON string, not an object/);
  });

  it('a missing or unknown _type', () => {
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, statement({ _type: undefined })).message).toMatch(/_type is missing; expected "https:\/\/in-toto\.io\/Statement\/v1"/);
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, statement({ _type: 'https://in-toto.io/Statement/v2' })).message).toMatch(/_type is "https:\/\/in-toto\.io\/Statement\/v2"/);
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, statement({ _type: 7 })).message).toMatch(/_type is a number/);
    // An old in-toto link file is not a statement.
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, json({ _type: 'link', name: 'build' })).message).toMatch(/_type is "link"/);
  });

  it('subject that is not a list, is empty, or is too long', () => {
    const notList = parseError(IN_TOTO_PAYLOAD_TYPE, statement({ subject: { name: 'x', digest: { sha256: 'ab'.repeat(32) } } }));
    expect(notList.code).toBe('INVALID_INPUT');
    expect(notList.message).toBe('the attestation is not a valid in-toto statement: subject must be a list of subjects');
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, statement({ subject: undefined })).message).toMatch(/subject must be a list of subjects/);
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, statement({ subject: [] })).message).toMatch(/subject is empty: the statement is about nothing/);
    const many = Array.from({ length: MAX_SUBJECTS + 1 }, () => ({ name: 'x', digest: { sha256: 'ab'.repeat(32) } }));
    const tooMany = parseError(IN_TOTO_PAYLOAD_TYPE, statement({ subject: many }));
    expect(tooMany.code).toBe('SIZE_LIMIT');
    expect(tooMany.message).toMatch(/lists 1025 subjects, above the limit of 1024/);
  });

  it('malformed subjects, naming where', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['ghcr.io/acme/api', /subject\[0\] must be an object with a name and a digest/],
      [{ name: 'x' }, /subject\[0\]\.digest must be an object of algorithm → digest/],
      [{ name: 'x', digest: {} }, /subject\[0\]\.digest names no digest/],
      [{ name: 'x', digest: { sha256: 'xyz' } }, /subject\[0\]\.digest\.sha256 must be 64 hex characters/],
      [{ name: 'x', digest: { sha256: 'ab'.repeat(31) } }, /subject\[0\]\.digest\.sha256 must be 64 hex characters/],
      [{ name: 'x', digest: { gitCommit: 'abc' } }, /gitCommit must be 40 or 64 hex characters/],
      [{ name: 'x', digest: { sha256: 12 } }, /subject\[0\]\.digest\.sha256 must be a string/],
      [{ name: 'x', digest: { custom: 'has space' } }, /custom must be printable ASCII without spaces/],
      [{ name: 'x', digest: { 'sha 256': 'ab' } }, /subject\[0\]\.digest\.sha 256 is not a digest algorithm name/],
      [{ name: 42, digest: { sha256: 'ab'.repeat(32) } }, /subject\[0\]\.name must be a string/],
      [{ name: 'x'.repeat(5000), digest: { sha256: 'ab'.repeat(32) } }, /subject\[0\]\.name is longer than 4096 characters/],
    ];
    for (const [sub, re] of cases) {
      const e = parseError(IN_TOTO_PAYLOAD_TYPE, statement({ subject: [{ name: 'ok', digest: { sha256: 'cd'.repeat(32) } }, sub].slice(1) }));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toMatch(re);
    }
  });

  it('a "__proto__" digest algorithm is refused and pollutes nothing', () => {
    const raw = Buffer.from(`{"_type":"${STATEMENT_TYPE_V1}","subject":[{"name":"x","digest":{"__proto__":{"polluted":"yes"}}}],"predicateType":"t"}`);
    // zod skips the key, which leaves no digest at all.
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, raw).message).toMatch(/subject\[0\]\.digest names no digest/);
    const mixed = Buffer.from(`{"_type":"${STATEMENT_TYPE_V1}","subject":[{"name":"x","digest":{"sha256":"${'ab'.repeat(32)}","__proto__":{"polluted":"yes"}}}],"predicateType":"t"}`);
    const digest = parseStatement(IN_TOTO_PAYLOAD_TYPE, mixed).subject[0]!.digest;
    expect(digest).toEqual({ sha256: 'ab'.repeat(32) });
    expect(Object.getPrototypeOf(digest)).toBe(Object.prototype);
    expect((digest as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a missing, empty or oversized predicateType', () => {
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, statement({ predicateType: undefined })).message).toMatch(/predicateType must be a string/);
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, statement({ predicateType: '' })).message).toMatch(/predicateType is empty/);
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, statement({ predicateType: 'x'.repeat(2000) })).message).toMatch(/predicateType is longer than 1024/);
  });

  it('a payload over the size limit, before decoding it', () => {
    const e = parseError(IN_TOTO_PAYLOAD_TYPE, Buffer.alloc(MAX_STATEMENT_BYTES + 1, 0x20));
    expect(e.code).toBe('SIZE_LIMIT');
    expect(e.message).toBe(`the in-toto statement is ${MAX_STATEMENT_BYTES + 1} bytes, above the ${MAX_STATEMENT_BYTES}-byte limit`);
  });

  it('absurd nesting', () => {
    const deep = Buffer.from(`{"_type":"${STATEMENT_TYPE_V1}","subject":[],"predicateType":"t","predicate":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(parseError(IN_TOTO_PAYLOAD_TYPE, deep).message).toMatch(/nests deeper than 256 levels/);
  });
});

describe('subjectMatches', () => {
  const s: Pick<InTotoStatement, 'subject'> = { subject: [{ name: 'a', digest: { sha256: 'ab'.repeat(32) } }] };

  it('refuses a digest that is not alg:hex', () => {
    for (const bad of ['ab'.repeat(32), 'sha256:', 'sha256:xyz', '', 'sha256:ab ab', '__proto__:ab']) {
      expect(() => subjectMatches(s, bad)).toThrow(SigscopeError);
    }
    try {
      subjectMatches(s, 'nonsense\u0007');
    } catch (e) {
      expect((e as SigscopeError).code).toBe('INVALID_INPUT');
      expect((e as SigscopeError).message).toBe('"nonsense\\u0007" is not a digest of the form sha256:<hex>');
    }
  });

  it('does not answer from inherited properties', () => {
    expect(subjectMatches(s, 'constructor:ab')).toBe(false);
    expect(subjectMatches(s, `sha256:${'ab'.repeat(32)}`)).toBe(true);
  });
});
