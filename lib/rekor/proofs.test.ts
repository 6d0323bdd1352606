/**
 * lib/rekor/proofs on real checkpoints, proofs and SETs from ../shared/fixtures
 * (sigstore-java's Rekor responses and checkpoints, policy-controller's cosign
 * bundle annotation), edited copies that must fail, and trees built here for
 * the cases no fixture has (consistency proofs, every index of small trees).
 */
import { describe, expect, it } from 'vitest';
import { MemoryMerkleTree } from './merkle';
import {
  hashLeaf,
  parseCheckpoint,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
  verifySet,
  MAX_PROOF_HASHES,
  type SetPayload,
} from './proofs';
import { logKeyFromPem, noteKeyId } from './log-keys';
import {
  CHECKPOINTS,
  JAVA,
  editCheckpointLine,
  fixtureJson,
  fixtureText,
  flipBase64,
  flipHex,
  makeTestLog,
  publicGoodKeys,
  publicGoodPemKey,
  stagingKeys,
  stagingPemKey,
} from './test-fixtures';

type V1Json = Record<string, { body: string; integratedTime: number; logID: string; logIndex: number; verification: { signedEntryTimestamp: string; inclusionProof?: { logIndex: number; rootHash: string; treeSize: number; hashes: string[]; checkpoint: string } } }>;

function only(json: V1Json) {
  const [uuid, e] = Object.entries(json)[0]!;
  return { uuid, ...e };
}

const stagingEntry = only(fixtureJson<V1Json>(...JAVA, 'entry.json'));
const jarEntry = only(fixtureJson<V1Json>(...JAVA, 'jar-entry.json'));

function inclusionOf(e: typeof stagingEntry) {
  const p = e.verification.inclusionProof!;
  return {
    leafHash: hashLeaf(Buffer.from(e.body, 'base64')),
    index: p.logIndex,
    treeSize: p.treeSize,
    proof: p.hashes.map((h) => Buffer.from(h, 'hex')),
    rootHash: Buffer.from(p.rootHash, 'hex'),
  };
}

describe('Merkle inclusion proofs (RFC 6962)', () => {
  it('verifies the real staging hashedrekord entry (shard index 1227 of 14358)', () => {
    const r = verifyInclusion(inclusionOf(stagingEntry));
    expect(r).toEqual({ ok: true, calculatedRoot: stagingEntry.verification.inclusionProof!.rootHash });
  });

  it('verifies the real public-good jar entry (index 3120029 of 4163431, 22 hashes)', () => {
    expect(verifyInclusion(inclusionOf(jarEntry)).ok).toBe(true);
  });

  it('rejects every single flipped path hash, a flipped root, a wrong index, a wrong size and a changed body', () => {
    const good = inclusionOf(stagingEntry);
    for (let i = 0; i < good.proof.length; i++) {
      const proof = good.proof.map((h, j) => (j === i ? Buffer.from(flipHex(h.toString('hex'), 5), 'hex') : h));
      const r = verifyInclusion({ ...good, proof });
      expect(r.ok, `hash ${i}`).toBe(false);
      expect(r.reason).toMatch(/leads to root .* not to the proven root/);
    }
    expect(verifyInclusion({ ...good, rootHash: Buffer.from(flipHex(good.rootHash.toString('hex'), 63), 'hex') }).ok).toBe(false);
    expect(verifyInclusion({ ...good, index: good.index + 1 }).ok).toBe(false);
    // A size whose audit path has another shape fails here; one with the same shape
    // (14359) cannot be told apart by the path: the signed checkpoint binds the size.
    expect(verifyInclusion({ ...good, treeSize: 1228 }).ok).toBe(false);
    expect(verifyInclusion({ ...good, treeSize: 1 << 20 } as never).ok).toBe(false);
    const body = Buffer.from(stagingEntry.body, 'base64');
    body[10] = body[10]! ^ 1;
    expect(verifyInclusion({ ...good, leafHash: hashLeaf(body) }).ok).toBe(false);
  });

  it('explains a proof of the wrong length', () => {
    const good = inclusionOf(stagingEntry);
    expect(verifyInclusion({ ...good, proof: good.proof.slice(0, -1) }).reason).toMatch(/fewer than a leaf/);
    expect(verifyInclusion({ ...good, proof: [...good.proof, good.proof[0]!] }).reason).toMatch(/more than a leaf/);
  });

  it('never throws on hostile input', () => {
    const good = inclusionOf(stagingEntry);
    const hostile: unknown[] = [
      { ...good, index: -1 },
      { ...good, index: 1.5 },
      { ...good, index: 'abc' },
      { ...good, treeSize: '99999999999999999999999' },
      { ...good, index: good.treeSize },
      { ...good, proof: [Buffer.alloc(31)] },
      { ...good, proof: 'nope' },
      { ...good, proof: Array.from({ length: MAX_PROOF_HASHES + 1 }, () => Buffer.alloc(32)) },
      { ...good, rootHash: Buffer.alloc(5) },
      { ...good, leafHash: null },
      {},
    ];
    for (const input of hostile) {
      const r = verifyInclusion(input as Parameters<typeof verifyInclusion>[0]);
      expect(r.ok).toBe(false);
      expect(typeof r.reason).toBe('string');
    }
  });

  it('agrees with trees built here, for every leaf of every size up to 40', async () => {
    const tree = new MemoryMerkleTree(Array.from({ length: 40 }, (_, i) => Buffer.from(`entry ${i}`)));
    for (let size = 1; size <= 40; size++) {
      const root = await tree.root(size);
      for (let i = 0; i < size; i++) {
        const proof = await tree.inclusionProof(i, size);
        expect(verifyInclusion({ leafHash: tree.leafHash(i)!, index: i, treeSize: size, proof, rootHash: root }).ok).toBe(true);
        if (proof.length > 0) {
          const bad = proof.map((h, j) => (j === proof.length - 1 ? hashLeaf(h) : h));
          expect(verifyInclusion({ leafHash: tree.leafHash(i)!, index: i, treeSize: size, proof: bad, rootHash: root }).ok).toBe(false);
        }
      }
    }
  });
});

describe('consistency proofs (RFC 6962 / RFC 9162)', () => {
  it('proves that a grown tree extends each earlier one, for all sizes up to 33', async () => {
    const tree = new MemoryMerkleTree(Array.from({ length: 33 }, (_, i) => Buffer.from(`e${i}`)));
    for (let n = 1; n <= 33; n++) {
      for (let m = 1; m <= n; m++) {
        const r = verifyConsistency({ oldSize: m, oldRoot: await tree.root(m), newSize: n, newRoot: await tree.root(n), proof: await tree.consistencyProof(m, n) });
        expect(r.ok, `${m} → ${n}: ${r.reason}`).toBe(true);
      }
    }
  });

  it('detects a rewritten history (a fork), a tampered proof and impossible sizes', async () => {
    const leaves = Array.from({ length: 20 }, (_, i) => Buffer.from(`e${i}`));
    const honest = new MemoryMerkleTree(leaves);
    const forked = new MemoryMerkleTree(leaves.map((l, i) => (i === 3 ? Buffer.from('rewritten') : l)));
    const oldRoot = await honest.root(7);
    // The log shows a newer tree in which entry 3 was replaced: no proof can link them.
    const proof = await forked.consistencyProof(7, 20);
    const fork = verifyConsistency({ oldSize: 7, oldRoot, newSize: 20, newRoot: await forked.root(20), proof });
    expect(fork.ok).toBe(false);
    expect(fork.reason).toMatch(/older root/);

    const good = { oldSize: 7, oldRoot, newSize: 20, newRoot: await honest.root(20), proof: await honest.consistencyProof(7, 20) };
    expect(verifyConsistency(good).ok).toBe(true);
    for (let i = 0; i < good.proof.length; i++) {
      const bad = good.proof.map((h, j) => (j === i ? hashLeaf(h) : h));
      expect(verifyConsistency({ ...good, proof: bad }).ok, `hash ${i}`).toBe(false);
    }
    expect(verifyConsistency({ ...good, proof: good.proof.slice(1) }).ok).toBe(false);
    expect(verifyConsistency({ ...good, oldSize: 21 }).reason).toMatch(/never shrinks/);
    expect(verifyConsistency({ ...good, newSize: 7, proof: [] }).reason).toMatch(/forked/);
    expect(verifyConsistency({ ...good, oldSize: 20, newRoot: good.newRoot, oldRoot: good.newRoot, proof: [] }).ok).toBe(true);
    expect(verifyConsistency({ ...good, proof: [] }).ok).toBe(false);
    expect(verifyConsistency({ ...good, oldSize: -2 } as never).ok).toBe(false);
  });
});

describe('checkpoints (signed notes)', () => {
  const pg = publicGoodKeys();

  it('parses the real public-good checkpoint', () => {
    const p = parseCheckpoint(fixtureText(...CHECKPOINTS, 'valid.txt'));
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value.checkpoint).toEqual({
      origin: 'rekor.sigstore.dev - 2605736670972794746',
      treeSize: 37795272,
      rootHash: Buffer.from('60ll7idWI1jYRZzxc+jKflYoW+4jWxgZaGR15ASsWt4=', 'base64').toString('hex'),
      extensions: ['Timestamp: 1697034484441201852'],
    });
    expect(p.value.signatures).toHaveLength(1);
    expect(p.value.signatures[0]!.name).toBe('rekor.sigstore.dev');
    expect(p.value.signatures[0]!.keyId).toBe('c0d23d6a');
  });

  it('verifies valid.txt and valid_multi_sig.txt with public-good rekor.pub and with the trusted root', () => {
    for (const keys of [[publicGoodPemKey()], pg]) {
      const v = verifyCheckpoint(fixtureText(...CHECKPOINTS, 'valid.txt'), keys);
      expect(v.ok, v.reason).toBe(true);
      const multi = verifyCheckpoint(fixtureText(...CHECKPOINTS, 'valid_multi_sig.txt'), keys);
      expect(multi.ok, multi.reason).toBe(true);
      // The extra line shares the key ID but not the name: an unknown key, ignored.
      expect(multi.signatures.map((s) => s.status)).toEqual(['verified', 'unknown-key']);
    }
    expect(verifyCheckpoint(fixtureText(...CHECKPOINTS, 'valid.txt'), pg).verifiedBy?.keyName).toBe('rekor.sigstore.dev');
  });

  it.each([
    ['error_header_body_separator.txt', /no blank line/],
    ['error_header_count.txt', /needs an origin, a tree size and a root hash/],
    ['error_no_newline_after_signature.txt', /does not end with a newline/],
    ['error_no_signatures.txt', /no signature lines/],
    ['error_not_a_number.txt', /tree size .* not a decimal number/],
    ['error_signature_format_invalid.txt', /em dash/],
    ['error_signature_length_insufficient.txt', /not valid base64|too short/],
  ])('%s fails to parse, with a clear reason', (file, reason) => {
    const text = fixtureText(...CHECKPOINTS, file);
    const p = parseCheckpoint(text);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.reason).toMatch(reason);
    const v = verifyCheckpoint(text, pg);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(reason);
  });

  it('rejects edited copies: tree size, root, origin, extension, signature byte, key name', () => {
    const text = fixtureText(...CHECKPOINTS, 'valid.txt');
    const rootLine = text.split('\n')[2]!;
    const edits: [string, string][] = [
      ['size', editCheckpointLine(text, 1, '37795273')],
      ['root', editCheckpointLine(text, 2, flipBase64(rootLine, 0))],
      ['origin', editCheckpointLine(text, 0, 'rekor.sigstore.dev - 2605736670972794747')],
      ['extension', editCheckpointLine(text, 3, 'Timestamp: 1697034484441201853')],
    ];
    const sigLine = text.split('\n')[5]!;
    const [dash, name, sig] = sigLine.split(' ');
    edits.push(['signature', text.replace(sigLine, `${dash} ${name} ${flipBase64(sig!, -3)}`)]);
    for (const [what, edited] of edits) {
      const v = verifyCheckpoint(edited, pg);
      expect(v.ok, what).toBe(false);
      expect(v.reason, what).toMatch(/does not verify with that trusted log key/);
      // With the bare PEM (no key name) the failure is still a failure.
      expect(verifyCheckpoint(edited, [publicGoodPemKey()]).ok, `${what} (PEM)`).toBe(false);
    }
    // Renamed: no longer matches the trusted key's name, so no trusted signature at all.
    const renamed = verifyCheckpoint(text.replace('— rekor.sigstore.dev', '— rekor.example.dev'), pg);
    expect(renamed.ok).toBe(false);
    expect(renamed.reason).toMatch(/no signature on the checkpoint is from a trusted log key/);
  });

  it('rejects a checkpoint signed by another key, and one checked against the wrong log', () => {
    const impostor = makeTestLog('rekor.sigstore.dev', 'ecdsa');
    const forged = impostor.signCheckpoint({ origin: 'rekor.sigstore.dev - 2605736670972794746', treeSize: 5, rootHash: Buffer.alloc(32, 7) });
    const v = verifyCheckpoint(forged, pg);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/no signature .* trusted/);
    expect(v.signatures[0]!.status).toBe('unknown-key');
    // The staging key does not vouch for public-good's checkpoint.
    expect(verifyCheckpoint(fixtureText(...CHECKPOINTS, 'valid.txt'), [stagingPemKey()]).ok).toBe(false);
  });

  it('verifies the staging checkpoint of entry.json with sigstore-java rekor.pub', () => {
    const cp = stagingEntry.verification.inclusionProof!.checkpoint;
    const v = verifyCheckpoint(cp, [stagingPemKey()]);
    expect(v.ok, v.reason).toBe(true);
    expect(v.checkpoint).toMatchObject({ origin: 'rekor.sigstage.dev - 108574341321668964', treeSize: 14358, rootHash: stagingEntry.verification.inclusionProof!.rootHash });
  });

  it('verifies the Rekor v2 (Ed25519) checkpoint of entry-v2.json with the staging trusted root, key ID per signed-note', () => {
    const entry = fixtureJson<{ inclusionProof: { checkpoint: { envelope: string } } }>(...JAVA, 'entry-v2.json');
    const keys = stagingKeys();
    const v2 = keys.find((k) => k.keyName === 'log2025-alpha1.rekor.sigstage.dev')!;
    expect(v2.scheme).toBe('ed25519');
    // SHA-256(name || 0x0A || 0x01 || key)[:4] is the start of the trusted root's log ID.
    expect(noteKeyId(v2, 'log2025-alpha1.rekor.sigstage.dev').toString('hex')).toBe(v2.logId.subarray(0, 4).toString('hex'));
    const v = verifyCheckpoint(entry.inclusionProof.checkpoint.envelope, keys, { origin: 'log2025-alpha1.rekor.sigstage.dev' });
    expect(v.ok, v.reason).toBe(true);
    expect(v.checkpoint?.treeSize).toBe(744);
    expect(verifyCheckpoint(entry.inclusionProof.checkpoint.envelope, keys, { origin: 'other.example' }).reason).toMatch(/expected other.example/);
    const ed = logKeyFromPem(v2.publicKey.export({ format: 'pem', type: 'spki' }).toString());
    expect(verifyCheckpoint(entry.inclusionProof.checkpoint.envelope, [ed]).ok).toBe(true);
    expect(verifyCheckpoint(editCheckpointLine(entry.inclusionProof.checkpoint.envelope, 1, '745'), keys).ok).toBe(false);
  });

  it('refuses oversized notes, control characters and too many signatures, without throwing', () => {
    const text = fixtureText(...CHECKPOINTS, 'valid.txt');
    expect(parseCheckpoint('x'.repeat(70 * 1024)).ok).toBe(false);
    expect(parseCheckpoint(text.replace('Timestamp', 'Time\u001bstamp')).ok).toBe(false);
    const sigLine = text.split('\n')[5]!;
    expect(parseCheckpoint(text + `${sigLine}\n`.repeat(70)).ok).toBe(false);
    expect(parseCheckpoint(new Uint8Array([0xff, 0xfe, 0x0a, 0x0a])).ok).toBe(false);
    expect(parseCheckpoint(editCheckpointLine(text, 1, '0123')).ok).toBe(false);
    expect(parseCheckpoint(editCheckpointLine(text, 1, '99999999999999999999')).ok).toBe(false);
    expect(parseCheckpoint(editCheckpointLine(text, 2, 'AAAA')).ok).toBe(false);
    expect(verifyCheckpoint(null as never, pg).ok).toBe(false);
  });
});

describe('SETs (signed entry timestamps)', () => {
  const payloadOf = (e: typeof stagingEntry): SetPayload => ({ body: e.body, integratedTime: e.integratedTime, logIndex: e.logIndex, logId: e.logID });

  it('verifies the staging entry SET with rekor.pub, and the jar entry SET with public-good', () => {
    expect(verifySet(payloadOf(stagingEntry), stagingEntry.verification.signedEntryTimestamp, [stagingPemKey()])).toMatchObject({ ok: true });
    expect(verifySet(payloadOf(jarEntry), jarEntry.verification.signedEntryTimestamp, publicGoodKeys()).ok).toBe(true);
    const noProof = only(fixtureJson<V1Json>(...JAVA, 'entry-no-inclusion-proof.json'));
    expect(verifySet(payloadOf(noProof), noProof.verification.signedEntryTimestamp, stagingKeys()).ok).toBe(true);
  });

  it('verifies the intoto 0.0.1 SET of the distroless cosign bundle annotation with the public-good key', () => {
    const ann = fixtureJson<{ SignedEntryTimestamp: string; Payload: { body: string; integratedTime: number; logIndex: number; logID: string } }>(
      'policy-controller', 'distroless-static-vuln-attestation-2022-07-29', 'rekor-bundle-annotation.json',
    );
    const p = { body: ann.Payload.body, integratedTime: ann.Payload.integratedTime, logIndex: ann.Payload.logIndex, logId: ann.Payload.logID };
    expect(verifySet(p, ann.SignedEntryTimestamp, publicGoodKeys())).toMatchObject({ ok: true, verifiedBy: { keyName: 'rekor.sigstore.dev' } });
    expect(verifySet({ ...p, logIndex: p.logIndex + 1 }, ann.SignedEntryTimestamp, publicGoodKeys()).ok).toBe(false);
  });

  it('rejects an edited index, time, body, log ID or signature, an unknown log and a key outside its validity', () => {
    const p = payloadOf(stagingEntry);
    const set = stagingEntry.verification.signedEntryTimestamp;
    const keys = stagingKeys();
    expect(verifySet(p, set, keys).ok).toBe(true);
    expect(verifySet({ ...p, logIndex: p.logIndex + 1 }, set, keys).reason).toMatch(/does not verify/);
    expect(verifySet({ ...p, integratedTime: p.integratedTime + 1 }, set, keys).ok).toBe(false);
    expect(verifySet({ ...p, body: flipBase64(p.body, 40) }, set, keys).ok).toBe(false);
    expect(verifySet(p, flipBase64(set, 10), keys).ok).toBe(false);
    expect(verifySet({ ...p, logId: flipHex(p.logId, 10) }, set, keys).reason).toMatch(/not in the trusted root/);
    expect(verifySet(p, set, publicGoodKeys()).reason).toMatch(/not in the trusted root/);
    const early = keys.map((k) => ({ ...k, validFrom: new Date('2030-01-01T00:00:00Z') }));
    expect(verifySet(p, set, early).reason).toMatch(/not valid at/);
    expect(verifySet(p, 'not base64!', keys).ok).toBe(false);
    expect(verifySet({ ...p, integratedTime: -1 }, set, keys).ok).toBe(false);
  });
});
