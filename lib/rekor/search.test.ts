/**
 * The explorer's search box (what a pasted text is), pasted bundles proven
 * offline on the real conformance bundles (and their tampered copies), and the
 * watch matcher.
 */
import { describe, expect, it } from 'vitest';
import { SigscopeError } from '../errors';
import { loadTrustRoot } from '../verify/trust-root';
import { exploreContext, explorePasted, MAX_RANGE_ENTRIES } from './explore';
import { entriesFromDocument, parseSearchText } from './search';
import { clone, fixtureJson, fixtureText, flipBase64 } from './test-fixtures';
import { watchMatcher, WatchInputSchema } from './watch';

const bundleText = (name: string) => fixtureText('conformance-sample', 'bundle-verify', name, 'bundle.sigstore.json');

function rejects(text: string, message: RegExp): void {
  let err: unknown;
  try {
    parseSearchText(text);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SigscopeError);
  expect((err as SigscopeError).code).toBe('INVALID_INPUT');
  expect((err as Error).message).toMatch(message);
}

describe('parseSearchText', () => {
  it('understands each kind of query', () => {
    const q = (t: string) => {
      const r = parseSearchText(t);
      return r.kind === 'query' ? r.query : r.kind;
    };
    expect(q(' 12345 ')).toEqual({ logIndex: 12345 });
    expect(q('100-355')).toEqual({ range: { start: 100, count: 256 } });
    expect(q('7..7')).toEqual({ range: { start: 7, count: 1 } });
    const uuid80 = `${'1'.repeat(16)}${'AB'.repeat(32)}`;
    expect(q(uuid80)).toEqual({ uuid: uuid80.toLowerCase() });
    expect(q('ab'.repeat(32))).toEqual({ hex64: 'ab'.repeat(32) });
    expect(q(`SHA256:${'CD'.repeat(32)}`)).toEqual({ sha256: `sha256:${'cd'.repeat(32)}` });
    expect(q('dev@example.com')).toEqual({ email: 'dev@example.com' });
    const uri = 'https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main';
    expect(q(uri)).toEqual({ subject: uri });
    expect(q('spiffe://acme.example/ns/build')).toEqual({ subject: 'spiffe://acme.example/ns/build' });
  });

  it('explains what it does not understand', () => {
    rejects('', /type a log index/);
    rejects('100-356', new RegExp(`at most ${MAX_RANGE_ENTRIES}`));
    rejects('9-3', /ends before it starts/);
    rejects('abc123', /hex characters: an entry UUID is 64 or 80/);
    rejects('sha256:abc', /64 hex/);
    rejects('hello world', /not a log index/);
    rejects('{"a":', /does not parse/);
    rejects('{"mediaType":"x","verificationMaterial":{"tlogEntries":[]}}', /no tlogEntries/);
    rejects('{"hello":1}', /not a Sigstore bundle/);
    rejects(`{"x":"${'a'.repeat(600 * 1024)}"}`, /over 512 KiB/);
  });

  it('takes the tlog entries of a pasted bundle, a cosign annotation, a v1 response and a v2 entry', () => {
    const b = parseSearchText(bundleText('happy-path-v0.3'));
    expect(b.kind).toBe('pasted');
    expect(b.label).toMatch(/Sigstore bundle .*1 tlog entry/);
    const ann = entriesFromDocument(fixtureJson('policy-controller', 'distroless-static-vuln-attestation-2022-07-29', 'rekor-bundle-annotation.json'));
    expect(ann.label).toBe('a cosign Rekor bundle annotation');
    expect(ann.entries[0]!.kind).toBe('v1');
    expect(entriesFromDocument(fixtureJson('sigstore-java', 'rekor-response', 'valid', 'entry-v2.json')).entries[0]!.kind).toBe('tlog');
    expect(entriesFromDocument(fixtureJson('sigstore-java', 'rekor-response', 'valid', 'entry.json')).label).toBe('a Rekor v1 entry response');
  });
});

describe('explorePasted: bundle entries proven offline', () => {
  const publicGood = exploreContext(loadTrustRoot('public-good'));

  it('proves the real bundles with the public-good keys, attributed to the public-good log', () => {
    for (const name of ['happy-path-v0.1', 'happy-path-v0.3']) {
      const input = parseSearchText(bundleText(name));
      if (input.kind !== 'pasted') throw new Error('not pasted');
      const r = explorePasted(publicGood, input.entries, { logIndex: 0 });
      expect(r.entries.map((e) => e.status)).toEqual(['proven']);
      expect(r.entries[0]!.logUrl).toBe('https://rekor.sigstore.dev');
      expect(r.messages).toEqual([]);
    }
  });

  it('rejects the real invalid-inclusion-proof bundle and an edited copy, and a log the root does not list', () => {
    const bad = parseSearchText(bundleText('invalid-inclusion-proof_fail'));
    if (bad.kind !== 'pasted') throw new Error('not pasted');
    expect(explorePasted(publicGood, bad.entries, { logIndex: 0 }).entries[0]!.status).toBe('not-proven');

    const edited = clone(JSON.parse(bundleText('happy-path-v0.3')) as { verificationMaterial: { tlogEntries: Array<{ canonicalizedBody: string }> } });
    edited.verificationMaterial.tlogEntries[0]!.canonicalizedBody = flipBase64(edited.verificationMaterial.tlogEntries[0]!.canonicalizedBody, 40);
    const e = entriesFromDocument(edited);
    const r = explorePasted(publicGood, e.entries, { logIndex: 0 });
    expect(r.entries[0]!.status).toBe('not-proven');
    expect(r.entries[0]!.verification.steps.find((s) => s.id === 'inclusion')?.status).toBe('failed');

    const staging = exploreContext(loadTrustRoot('staging'));
    const other = explorePasted(staging, e.entries, { logIndex: 0 });
    expect(other.entries[0]!.status).toBe('not-proven');
    expect(other.messages[0]).toMatch(/does not list/);
  });
});

describe('watches', () => {
  it('matches exact identities, whole-identity regexps and issuers', () => {
    const exact = watchMatcher({ identity: 'dev@example.com', isRegexp: false, oidcIssuer: null });
    expect(exact('dev@example.com', 'x')).toBe(true);
    expect(exact('dev@example.com.evil', 'x')).toBe(false);
    expect(exact(null, 'x')).toBe(false);
    const re = watchMatcher({ identity: 'https://github\\.com/acme/.*', isRegexp: true, oidcIssuer: 'https://token.actions.githubusercontent.com' });
    expect(re('https://github.com/acme/widget/.github/workflows/r.yml@refs/heads/main', 'https://token.actions.githubusercontent.com')).toBe(true);
    expect(re('https://github.com/acme/widget', 'https://accounts.google.com')).toBe(false);
    // Anchored: a pattern cannot match a prefix or escape its anchors with an alternation.
    expect(re('evil https://github.com/acme/x', 'https://token.actions.githubusercontent.com')).toBe(false);
    const alt = watchMatcher({ identity: 'a|b', isRegexp: true, oidcIssuer: null });
    expect(alt('ab', null)).toBe(false);
    expect(alt('b', null)).toBe(true);
  });

  it('validates watch input', () => {
    expect(WatchInputSchema.safeParse({ identity: 'x@y.z', logUrl: 'http://127.0.0.1:1' }).success).toBe(true);
    expect(WatchInputSchema.safeParse({ identity: '(', isRegexp: true, logUrl: 'http://127.0.0.1:1' }).error?.issues[0]?.message).toMatch(/not a valid regular expression/);
    expect(WatchInputSchema.safeParse({ identity: 'x', oidcIssuer: 'not a url', logUrl: 'http://127.0.0.1:1' }).success).toBe(false);
    expect(WatchInputSchema.safeParse({ identity: 'x\u0000', logUrl: 'http://127.0.0.1:1' }).success).toBe(false);
    expect(WatchInputSchema.safeParse({ identity: 'x', logUrl: 'nope' }).success).toBe(false);
  });
});
