/**
 * Whole-entry proofs on real data: sigstore-java's v1 and v2 Rekor responses,
 * policy-controller's cosign annotation, and the tlog entries of every real
 * bundle in ../shared/fixtures. Each real entry verifies; each edited copy (a
 * flipped path hash, a wrong tree size or root, a checkpoint signed by another
 * key, a body that is not the UUID's, an edited index or time) fails at the step
 * that catches it.
 */
import { describe, expect, it } from 'vitest';
import { parseCosignBundleAnnotation, parseTlogEntry, parseV1EntryResponse, type RekorV1Entry, type TlogEntry } from './entry';
import { logKeysFromTrustedRoot } from './log-keys';
import { parseCheckpoint } from './proofs';
import { verifyTlogEntry, verifyV1Entry, type EntryVerification, type ProofStepId } from './verify-entry';
import { JAVA, clone, fixtureJson, flipBase64, flipHex, makeTestLog, publicGoodKeys, stagingKeys, stagingPemKey } from './test-fixtures';

function v1(file: string): RekorV1Entry {
  const p = parseV1EntryResponse(fixtureJson(...JAVA, file));
  if (!p.ok) throw new Error(p.reason);
  return p.value[0]!;
}

function tlog(json: unknown): TlogEntry {
  const p = parseTlogEntry(json);
  if (!p.ok) throw new Error(p.reason);
  return p.value;
}

function statuses(v: EntryVerification): Record<string, string> {
  return Object.fromEntries(v.steps.map((s) => [s.id, s.status]));
}

function expectFailAt(v: EntryVerification, step: ProofStepId, detail?: RegExp): void {
  expect(v.ok).toBe(false);
  const s = v.steps.find((x) => x.id === step);
  expect(s?.status, `step ${step}: ${JSON.stringify(v.steps)}`).toBe('failed');
  if (detail) expect(s!.detail).toMatch(detail);
  expect(v.reason).toMatch(new RegExp(`^${step}: `));
}

describe('v1 entry.json (staging hashedrekord) with sigstore-java rekor.pub', () => {
  const entry = v1('entry.json');
  const keys = [stagingPemKey()];

  it('is proven: body → UUID, audit path → root, checkpoint signature and root, SET', () => {
    const v = verifyV1Entry(entry, keys);
    expect(v.ok, v.reason).toBe(true);
    expect(statuses(v)).toEqual({ log: 'passed', uuid: 'passed', inclusion: 'passed', checkpoint: 'passed', set: 'passed' });
    expect(v.inclusionVerified).toBe(true);
    expect(v.setVerified).toBe(true);
    expect(v.leafHash).toBe(entry.uuid);
    expect(v.checkpoint).toMatchObject({ origin: 'rekor.sigstage.dev - 108574341321668964', treeSize: 14358 });
    // The same with the staging trusted root.
    expect(verifyV1Entry(entry, stagingKeys()).ok).toBe(true);
  });

  it('fails on a flipped path hash', () => {
    for (const i of [0, 7, 13]) {
      const e = clone(entry);
      e.verification!.inclusionProof!.hashes[i] = flipHex(e.verification!.inclusionProof!.hashes[i]!, 20);
      expectFailAt(verifyV1Entry(e, keys), 'inclusion', /leads to root/);
    }
  });

  it('fails on a wrong tree size or root in the proof (the signed checkpoint disagrees)', () => {
    const e = clone(entry);
    e.verification!.inclusionProof!.treeSize += 1; // same path shape: only the checkpoint catches it
    const v = verifyV1Entry(e, keys);
    expect(statuses(v).inclusion).toBe('passed');
    expectFailAt(v, 'checkpoint', /signed checkpoint is for tree size 14358 .* proof is for tree size 14359/);

    const r = clone(entry);
    r.verification!.inclusionProof!.rootHash = flipHex(r.verification!.inclusionProof!.rootHash, 0);
    expectFailAt(verifyV1Entry(r, keys), 'inclusion');
    expect(statuses(verifyV1Entry(r, keys)).checkpoint).toBe('failed');
  });

  it('fails on a checkpoint signed by another key, a flipped signature byte, an edited checkpoint', () => {
    const impostor = makeTestLog('rekor.sigstage.dev', 'ecdsa');
    const p = entry.verification!.inclusionProof!;
    const cp = parseCheckpoint(p.checkpoint!);
    if (!cp.ok) throw new Error(cp.reason);
    const forged = clone(entry);
    forged.verification!.inclusionProof!.checkpoint = impostor.signCheckpoint({ origin: cp.value.checkpoint.origin, treeSize: p.treeSize, rootHash: Buffer.from(p.rootHash, 'hex') });
    expectFailAt(verifyV1Entry(forged, keys), 'checkpoint', /no signature .* trusted/);
    expectFailAt(verifyV1Entry(forged, stagingKeys()), 'checkpoint', /no signature .* trusted/);

    const lines = p.checkpoint!.split('\n');
    const [dash, name, sig] = lines[4]!.split(' ');
    lines[4] = `${dash} ${name} ${flipBase64(sig!, -2)}`;
    const flipped = clone(entry);
    flipped.verification!.inclusionProof!.checkpoint = lines.join('\n');
    expectFailAt(verifyV1Entry(flipped, stagingKeys()), 'checkpoint', /does not verify/);
    expectFailAt(verifyV1Entry(flipped, keys), 'checkpoint', /does not verify with the given log key/);
  });

  it('fails when the body is not the one the UUID names', () => {
    const other = v1('entry-no-inclusion-proof.json');
    const swapped = { ...clone(entry), body: other.body };
    const v = verifyV1Entry(swapped, keys);
    expectFailAt(v, 'uuid', /is not the entry the log holds under this UUID/);
    expect(statuses(v)).toMatchObject({ inclusion: 'failed', set: 'failed' });
    const renamed = { ...clone(entry), uuid: flipHex(entry.uuid, 3) };
    expectFailAt(verifyV1Entry(renamed, keys), 'uuid');
  });

  it('fails on an edited log index, integrated time, log ID or SET', () => {
    expectFailAt(verifyV1Entry({ ...clone(entry), logIndex: entry.logIndex + 1 }, keys), 'set', /does not verify/);
    expectFailAt(verifyV1Entry({ ...clone(entry), integratedTime: entry.integratedTime - 60 }, keys), 'set');
    const s = clone(entry);
    s.verification!.signedEntryTimestamp = flipBase64(s.verification!.signedEntryTimestamp!, 12);
    expectFailAt(verifyV1Entry(s, keys), 'set');
    const i = clone(entry);
    i.verification!.inclusionProof!.logIndex += 1;
    expectFailAt(verifyV1Entry(i, keys), 'inclusion');
    expectFailAt(verifyV1Entry({ ...clone(entry), logID: flipHex(entry.logID, 0) }, keys), 'log', /not in the trusted root/);
  });

  it('fails against a trusted root that does not hold the staging log', () => {
    expectFailAt(verifyV1Entry(entry, publicGoodKeys()), 'log');
  });
});

describe('other v1 responses', () => {
  it('jar-entry.json (public-good, old shard origin) is proven with the public-good root although its kind is not decoded', () => {
    const v = verifyV1Entry(v1('jar-entry.json'), publicGoodKeys());
    expect(v.ok, v.reason).toBe(true);
    expect(v.checkpoint?.origin).toBe('rekor.sigstore.dev - 3904496407287907110');
    expect(statuses(v)).toEqual({ log: 'passed', uuid: 'passed', inclusion: 'passed', checkpoint: 'passed', set: 'passed' });
    const e = clone(v1('jar-entry.json'));
    e.verification!.inclusionProof!.hashes[21] = flipHex(e.verification!.inclusionProof!.hashes[21]!, 63);
    expectFailAt(verifyV1Entry(e, publicGoodKeys()), 'inclusion');
  });

  it('entry-no-inclusion-proof.json is proven by its SET alone, unless an inclusion proof is required', () => {
    const e = v1('entry-no-inclusion-proof.json');
    const v = verifyV1Entry(e, [stagingPemKey()]);
    expect(v.ok, v.reason).toBe(true);
    expect(statuses(v)).toEqual({ log: 'passed', uuid: 'passed', inclusion: 'absent', checkpoint: 'absent', set: 'passed' });
    const strict = verifyV1Entry(e, [stagingPemKey()], { requireInclusionProof: true });
    expect(strict.ok).toBe(false);
    expect(strict.reason).toMatch(/required/);
    const bare = { ...clone(e), verification: {} };
    expect(verifyV1Entry(bare, [stagingPemKey()]).reason).toMatch(/nothing proves the entry/);
  });

  it('the distroless cosign annotation (intoto 0.0.1) is proven by its SET with the public-good key', () => {
    const ann = parseCosignBundleAnnotation(fixtureJson('policy-controller', 'distroless-static-vuln-attestation-2022-07-29', 'rekor-bundle-annotation.json'));
    if (!ann.ok) throw new Error(ann.reason);
    const v = verifyV1Entry(ann.value, publicGoodKeys());
    expect(v.ok, v.reason).toBe(true);
    expect(v.setVerified).toBe(true);
    expectFailAt(verifyV1Entry({ ...ann.value, body: flipBase64(ann.value.body, 100) }, publicGoodKeys()), 'uuid');
    expectFailAt(verifyV1Entry({ ...ann.value, integratedTime: ann.value.integratedTime + 1 }, publicGoodKeys()), 'set');
  });
});

describe('v2 entry-v2.json (log2025-alpha1, Ed25519 checkpoint)', () => {
  const raw = fixtureJson<Record<string, unknown>>(...JAVA, 'entry-v2.json');
  const entry = tlog(raw);

  it('is proven with the staging trusted root: inclusion proof anchored in the signed checkpoint', () => {
    const v = verifyTlogEntry(entry, stagingKeys(), { requireInclusionProof: true });
    expect(v.ok, v.reason).toBe(true);
    expect(statuses(v)).toEqual({ log: 'passed', inclusion: 'passed', checkpoint: 'passed', set: 'absent' });
    expect(v.log?.keyName).toBe('log2025-alpha1.rekor.sigstage.dev');
  });

  it('fails when edited: a path hash, the body, the proof index, the checkpoint, or the wrong root', () => {
    const keys = stagingKeys();
    const h = clone(entry);
    h.inclusionProof!.hashes[3] = flipHex(h.inclusionProof!.hashes[3]!, 1);
    expectFailAt(verifyTlogEntry(h, keys), 'inclusion');
    expectFailAt(verifyTlogEntry({ ...clone(entry), canonicalizedBody: flipBase64(entry.canonicalizedBody, 50) }, keys), 'inclusion');
    const i = clone(entry);
    i.inclusionProof!.logIndex = 742;
    expectFailAt(verifyTlogEntry(i, keys), 'inclusion', /proof is for index 742 but the entry is at index 743/);
    const c = clone(entry);
    c.inclusionProof!.checkpoint = c.inclusionProof!.checkpoint!.replace('\n744\n', '\n745\n');
    expectFailAt(verifyTlogEntry(c, keys), 'checkpoint');
    expectFailAt(verifyTlogEntry(entry, publicGoodKeys()), 'log');
    const other = makeTestLog('log2025-alpha1.rekor.sigstage.dev', 'ed25519');
    const forged = clone(entry);
    forged.inclusionProof!.checkpoint = other.signCheckpoint({ treeSize: 744, rootHash: Buffer.from(entry.inclusionProof!.rootHash, 'hex') });
    expectFailAt(verifyTlogEntry(forged, keys), 'checkpoint', /no signature .* trusted/);
  });
});

describe('tlog entries of every real bundle in the fixtures', () => {
  const pg = publicGoodKeys();
  const staging = stagingKeys();
  const cs = (...p: string[]) => ['conformance-sample', 'bundle-verify', ...p, 'bundle.sigstore.json'];
  const customRoot = logKeysFromTrustedRoot(fixtureJson('conformance-sample', 'bundle-verify', 'intoto-with-custom-trust-root', 'trusted_root.json'));

  const proven: [string, string[], typeof pg][] = [
    ['happy-path-v0.1', cs('happy-path-v0.1'), pg],
    ['happy-path-v0.3', cs('happy-path-v0.3'), pg],
    ['dsse (intoto in DSSE v3)', cs('happy-path-intoto-in-dsse-v3'), pg],
    ['managed key', cs('managed-key-happy-path'), pg],
    ['intoto with a custom trust root (localhost log)', cs('intoto-with-custom-trust-root'), customRoot],
    ['rekor v2 happy path (staging)', cs('rekor2-happy-path'), staging],
    ['cosign OCI attestation (dsse)', ['cosign', 'pkg', 'cosign', 'testdata', 'oci-attestation.sigstore.json'], pg],
    ['sigstore-java DSSE on public-good Rekor v2 (log2025-1)', ['sigstore-java', 'bundles', 'bundle.dsse.rekor-v2.sigstore'], pg],
    ['sigstore-js intoto 0.0.2 v0.3', ['sigstore-js', 'tests', 'bundles', 'bundleV03-intoto.sigstore'], pg],
    ['sigstore-js provenance', ['sigstore-go', 'bundles', 'sigstore.js@2.0.0-provenance.sigstore.json'], pg],
    ['sigstore-python staging v3', ['sigstore-python', 'bundle_v3.txt.sigstore'], staging],
    ['sigstore-python staging Rekor v2', ['sigstore-python', 'staging-rekor-v2.txt.sigstore.json'], staging],
    ['v0.1 bundle without a checkpoint (SET only)', ['sigstore-python', 'integration', 'Python-3.12.5.tgz.sigstore'], pg],
  ];

  it.each(proven)('%s is proven', (_name, parts, keys) => {
    const bundle = fixtureJson<{ verificationMaterial: { tlogEntries: unknown[] } }>(...parts);
    const v = verifyTlogEntry(tlog(bundle.verificationMaterial.tlogEntries[0]), keys);
    expect(v.ok, v.reason).toBe(true);
  });

  const rejected: [string, string[], typeof pg, ProofStepId][] = [
    ['invalid inclusion proof', cs('invalid-inclusion-proof_fail'), pg, 'inclusion'],
    ['checkpoint with the wrong root', cs('checkpoint-wrong-roothash_fail'), pg, 'checkpoint'],
    ['invalid checkpoint signature', cs('invalid-checkpoint-signature_fail'), pg, 'checkpoint'],
    ['invalid SET signature', cs('set-invalid-signature_fail'), pg, 'set'],
    ['tampered public key in the body', cs('incorrect-public-key_fail'), pg, 'inclusion'],
    ['staging entry against public-good', cs('bundle-from-wrong-instance_fail'), pg, 'log'],
    ['sigstore-java bad checkpoint signature', ['sigstore-java', 'bundles', 'bundle-with-bad-checkpoint-signature.sigstore'], pg, 'checkpoint'],
    ['sigstore-java mismatched SET', ['sigstore-java', 'bundles', 'bundle-with-mismatched-set.sigstore'], pg, 'set'],
  ];

  it.each(rejected)('%s is rejected at the %s step', (_name, parts, keys, step) => {
    const bundle = fixtureJson<{ verificationMaterial: { tlogEntries: unknown[] } }>(...parts);
    expectFailAt(verifyTlogEntry(tlog(bundle.verificationMaterial.tlogEntries[0]), keys), step);
  });

  it('never throws, whatever the entry holds', () => {
    const e = tlog(fixtureJson(...JAVA, 'entry-v2.json'));
    const hostile = [
      { ...e, canonicalizedBody: '' },
      { ...e, inclusionProof: { ...e.inclusionProof!, hashes: ['zz'] } },
      { ...e, inclusionProof: { ...e.inclusionProof!, checkpoint: '\u2014\n\n' } },
      { ...e, logId: '' },
      { ...e, signedEntryTimestamp: 'AAAA' },
    ];
    for (const h of hostile) expect(verifyTlogEntry(h as TlogEntry, stagingKeys()).ok).toBe(false);
  });
});
