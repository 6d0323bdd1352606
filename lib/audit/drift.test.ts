import { describe, expect, it } from 'vitest';
import {
  detectDrift,
  findingStatus,
  isReleaseTag,
  parseFindingKey,
  refFromIdentity,
  refPattern,
  withStatus,
  workflowIdentity,
  type Finding,
  type SignatureFact,
  type TagFact,
} from './drift';

const REG = 'registry.example';
const REPO = 'acme/app';
const GH = 'https://token.actions.githubusercontent.com';
const wf = (file: string, ref: string, repo = 'acme/app') => `https://github.com/${repo}/.github/workflows/${file}@${ref}`;
const T0 = Date.parse('2025-01-01T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const dg = (n: number | string) => `sha256:${String(n).padStart(64, '0')}`;

let seq = 0;
/** One authentic keyless signature by release.yml on main, GitHub-hosted, unless overridden. */
function sig(digestNo: number | string, minute: number, over: Partial<SignatureFact> = {}): SignatureFact {
  seq++;
  const identity = over.identity ?? wf('release.yml', 'refs/heads/main');
  return {
    id: `sig${String(seq).padStart(4, '0')}`,
    imageId: `img-${digestNo}`,
    registry: REG,
    repository: REPO,
    digest: dg(digestNo),
    kind: 'cosign-sig',
    certificateId: `cert${seq}`,
    certificateFingerprint: String(seq).padStart(64, 'f'),
    identity,
    issuer: GH,
    keyFingerprint: null,
    sourceRef: refFromIdentity(identity),
    runnerEnvironment: 'github-hosted',
    signedAt: at(minute),
    firstSeenAt: at(minute + 1),
    notBefore: at(minute - 1),
    notAfter: at(minute + 9),
    authentic: true,
    ...over,
  };
}
function keySig(digestNo: number, minute: number, fp = 'ab'.repeat(32)): SignatureFact {
  return sig(digestNo, minute, { identity: null, issuer: null, keyFingerprint: fp, certificateId: null, certificateFingerprint: null, sourceRef: null, runnerEnvironment: null, notBefore: null, notAfter: null });
}
let tseq = 0;
function tag(t: string, digestNo: number | string, minute: number): TagFact {
  tseq++;
  return { id: `tag${String(tseq).padStart(4, '0')}`, imageId: `img-${digestNo}`, registry: REG, repository: REPO, tag: t, digest: dg(digestNo), observedAt: at(minute) };
}
/** Three usual releases: 1 … 3 signed by release.yml on main, each tagged. */
function usual(): { signatures: SignatureFact[]; tags: TagFact[] } {
  return {
    signatures: [sig(1, 0), sig(2, 10), sig(3, 20)],
    tags: [tag('1.0', 1, 1), tag('1.1', 2, 11), tag('1.2', 3, 21)],
  };
}
const ofKind = (fs: Finding[], kind: Finding['kind']) => fs.filter((f) => f.kind === kind);

describe('helpers', () => {
  it('strips the ref of a workflow identity only', () => {
    expect(workflowIdentity(wf('release.yml', 'refs/heads/main'))).toBe('https://github.com/acme/app/.github/workflows/release.yml');
    expect(workflowIdentity('dev@example.com')).toBe('dev@example.com');
    expect(workflowIdentity('https://buildkite.com/acme/pipeline')).toBe('https://buildkite.com/acme/pipeline');
    expect(refFromIdentity(wf('r.yml', 'refs/tags/v1'))).toBe('refs/tags/v1');
    expect(refFromIdentity('dev@example.com')).toBeNull();
  });
  it('classifies refs and release tags', () => {
    expect(refPattern('refs/tags/v1.2.3')).toBe('refs/tags/*');
    expect(refPattern('refs/heads/main')).toBe('refs/heads/main');
    for (const t of ['1', '1.0', 'v1.2.3', '2.0.0-rc.1', 'v10.2']) expect(isReleaseTag(t)).toBe(true);
    for (const t of ['latest', 'stable', 'main', 'sha-abc', 'nightly-2024']) expect(isReleaseTag(t)).toBe(false);
  });
  it('parses finding keys, including a registry with a port', () => {
    expect(parseFindingKey(`tag-moved:127.0.0.1:5000/demo/drifting:stable:${dg(1)}`)).toEqual({ kind: 'tag-moved', registry: '127.0.0.1:5000', repository: 'demo/drifting' });
    expect(parseFindingKey(`new-identity:ghcr.io/a/b/c:${GH}:x`)).toEqual({ kind: 'new-identity', registry: 'ghcr.io', repository: 'a/b/c' });
    expect(parseFindingKey('bogus:ghcr.io/a:x')).toBeNull();
    expect(parseFindingKey('new-identity')).toBeNull();
  });
});

describe('a usual history', () => {
  it('raises nothing', () => {
    expect(detectDrift(usual())).toEqual([]);
  });
  it('raises nothing for tag moves between digests of the same signer, and for re-observations', () => {
    const h = usual();
    h.tags.push(tag('latest', 1, 2), tag('latest', 1, 5), tag('latest', 2, 12), tag('latest', 3, 22));
    expect(detectDrift(h)).toEqual([]);
  });
  it('raises nothing when releases are built from successive tags', () => {
    const h = { signatures: [1, 2, 3, 4].map((n) => sig(n, n * 10, { identity: wf('release.yml', `refs/tags/v${n}.0`) })), tags: [] };
    expect(detectDrift(h)).toEqual([]);
  });
  it('raises nothing for an empty history or unknown signers', () => {
    expect(detectDrift({ signatures: [], tags: [] })).toEqual([]);
    expect(detectDrift({ signatures: [sig(1, 0, { identity: null, keyFingerprint: null, issuer: null })], tags: [] })).toEqual([]);
  });
});

describe('new-identity', () => {
  it('fires for a new workflow file, with the evidence of its signatures', () => {
    const h = usual();
    const newcomer = sig(4, 30, { identity: wf('publish.yml', 'refs/heads/main') });
    h.signatures.push(newcomer, sig(5, 40, { identity: wf('publish.yml', 'refs/heads/main') }));
    const found = ofKind(detectDrift(h), 'new-identity');
    expect(found).toHaveLength(1);
    const f = found[0]!;
    expect(f.key).toBe(`new-identity:${REG}/${REPO}:${GH}:https://github.com/acme/app/.github/workflows/publish.yml`);
    expect(f.severity).toBe('medium');
    expect(f.detectedAt).toEqual(at(30));
    expect(f.detail).toContain('publish.yml');
    expect(f.detail).toContain('release.yml');
    expect(f.evidence.signatures.map((s) => s.id)).toEqual([newcomer.id, h.signatures[4]!.id]);
    expect(f.evidence.images.map((i) => i.id)).toEqual(['img-4', 'img-5']);
    expect(f.evidence.certificates).toHaveLength(2);
  });
  it('is high when the OIDC issuer is new too', () => {
    const h = usual();
    h.signatures.push(sig(4, 30, { identity: 'someone@example.com', issuer: 'https://accounts.google.com', sourceRef: null }));
    const [f] = ofKind(detectDrift(h), 'new-identity');
    expect(f?.severity).toBe('high');
    expect(f?.title).toContain('New OIDC issuer');
    expect(f?.key).toBe(`new-identity:${REG}/${REPO}:https://accounts.google.com:someone@example.com`);
  });
  it('fires for a new public key', () => {
    const h = usual();
    h.signatures.push(keySig(4, 30));
    const [f] = ofKind(detectDrift(h), 'new-identity');
    expect(f?.key).toBe(`new-identity:${REG}/${REPO}:key:${'ab'.repeat(32)}`);
  });
  it('does not fire for a new ref of a known workflow (that is unusual-ref), nor for the signers of the first digest', () => {
    const h = { signatures: [sig(1, 0), keySig(1, 1), sig(2, 10), keySig(2, 11), sig(3, 20, { identity: wf('release.yml', 'refs/heads/hotfix') })], tags: [] };
    expect(ofKind(detectDrift(h), 'new-identity')).toEqual([]);
  });
  it('does not fire before the repository has a second signed digest', () => {
    const h = { signatures: [sig(1, 0), sig(1, 1, { identity: wf('other.yml', 'refs/heads/main') })], tags: [] };
    expect(ofKind(detectDrift(h), 'new-identity')).toEqual([]);
  });
  it('ignores signatures that never verified, and keeps repositories apart', () => {
    const h = usual();
    h.signatures.push(sig(4, 30, { identity: wf('evil.yml', 'refs/heads/main'), authentic: false }));
    h.signatures.push(sig(9, 50, { identity: wf('publish.yml', 'refs/heads/main'), repository: 'acme/other' }));
    expect(ofKind(detectDrift(h), 'new-identity')).toEqual([]);
  });
  it('orders by Rekor time, not by when Sigscope saw the signatures', () => {
    // The newcomer was stored first but signed last.
    const h = usual();
    h.signatures.push(sig(4, 30, { identity: wf('publish.yml', 'refs/heads/main'), firstSeenAt: at(-100) }));
    expect(ofKind(detectDrift(h), 'new-identity')).toHaveLength(1);
    const early = { signatures: [sig(1, 0, { identity: wf('publish.yml', 'refs/heads/main'), firstSeenAt: at(100) }), sig(2, 10), sig(3, 20)], tags: [] };
    // publish.yml signed the first digest: it is the baseline, release.yml is the newcomer.
    expect(ofKind(detectDrift(early), 'new-identity').map((f) => f.key)).toEqual([`new-identity:${REG}/${REPO}:${GH}:https://github.com/acme/app/.github/workflows/release.yml`]);
  });
});

describe('unusual-ref', () => {
  it('fires high for a branch build that signed a release tag', () => {
    const h = usual();
    h.signatures.push(sig(4, 30, { identity: wf('release.yml', 'refs/heads/feature-x') }));
    h.tags.push(tag('1.3', 4, 31));
    const found = ofKind(detectDrift(h), 'unusual-ref');
    expect(found).toHaveLength(1);
    expect(found[0]!.severity).toBe('high');
    expect(found[0]!.title).toBe(`Branch build signed release tag 1.3 of ${REG}/${REPO}`);
    expect(found[0]!.key).toBe(`unusual-ref:${REG}/${REPO}:${GH}:https://github.com/acme/app/.github/workflows/release.yml@refs/heads/feature-x`);
    expect(found[0]!.detail).toContain('refs/heads/main');
  });
  it('fires medium for a new branch that signed no release tag', () => {
    const h = usual();
    h.signatures.push(sig(4, 30, { identity: wf('release.yml', 'refs/heads/feature-x') }));
    h.tags.push(tag('pr-12', 4, 31));
    const [f] = ofKind(detectDrift(h), 'unusual-ref');
    expect(f?.severity).toBe('medium');
  });
  it('fires when a signer that used tags signs from a branch, and vice versa', () => {
    const tags = { signatures: [1, 2, 3].map((n) => sig(n, n * 10, { identity: wf('release.yml', `refs/tags/v${n}`) })), tags: [] as TagFact[] };
    tags.signatures.push(sig(4, 40, { identity: wf('release.yml', 'refs/heads/main') }));
    const [a] = ofKind(detectDrift(tags), 'unusual-ref');
    expect(a?.detail).toContain('it had only signed from tags');

    const branch = usual();
    branch.signatures.push(sig(4, 30, { identity: wf('release.yml', 'refs/tags/v1.3') }), sig(5, 40, { identity: wf('release.yml', 'refs/tags/v1.4') }));
    const found = ofKind(detectDrift(branch), 'unusual-ref');
    // One finding for the tag pattern, with both signatures as evidence.
    expect(found).toHaveLength(1);
    expect(found[0]!.key.endsWith('@refs/tags/*')).toBe(true);
    expect(found[0]!.severity).toBe('medium');
    expect(found[0]!.evidence.signatureCount).toBe(2);
    expect(found[0]!.detail).toContain('branch refs');
  });
  it('uses the certificate source ref when present', () => {
    const h = usual();
    // Same workflow identity (a reusable workflow pinned to main) but run for a pull request.
    h.signatures.push(sig(4, 30, { sourceRef: 'refs/pull/7/merge' }));
    const [f] = ofKind(detectDrift(h), 'unusual-ref');
    expect(f?.key.endsWith('@refs/pull/7/merge')).toBe(true);
  });
  it('does not fire for the first signature of a new signer, nor for key signatures', () => {
    const h = usual();
    h.signatures.push(sig(4, 30, { identity: wf('publish.yml', 'refs/heads/dev') }), keySig(5, 40));
    expect(ofKind(detectDrift(h), 'unusual-ref')).toEqual([]);
  });
});

describe('self-hosted-runner', () => {
  it('fires once per digest signed on a self-hosted runner after GitHub-hosted ones', () => {
    const h = usual();
    h.signatures.push(sig(4, 30, { runnerEnvironment: 'self-hosted' }), sig(4, 31, { runnerEnvironment: 'self-hosted', kind: 'attestation' }));
    const found = ofKind(detectDrift(h), 'self-hosted-runner');
    expect(found).toHaveLength(1);
    expect(found[0]!.key).toBe(`self-hosted-runner:${REG}/${REPO}:${dg(4)}`);
    expect(found[0]!.evidence.signatureCount).toBe(2);
    expect(found[0]!.detail).toContain('3 earlier signatures');
  });
  it('does not fire for a repository that always used self-hosted runners, or a self-hosted first signature', () => {
    const all = { signatures: [1, 2, 3].map((n) => sig(n, n * 10, { runnerEnvironment: 'self-hosted' })), tags: [] };
    expect(ofKind(detectDrift(all), 'self-hosted-runner')).toEqual([]);
    const first = { signatures: [sig(1, 0, { runnerEnvironment: 'self-hosted' }), sig(2, 10), sig(3, 20)], tags: [] };
    expect(ofKind(detectDrift(first), 'self-hosted-runner')).toEqual([]);
  });
  it('ignores a self-hosted claim on a signature that never verified', () => {
    const h = usual();
    h.signatures.push(sig(4, 30, { runnerEnvironment: 'self-hosted', authentic: false }));
    expect(ofKind(detectDrift(h), 'self-hosted-runner')).toEqual([]);
  });
});

describe('tag-moved', () => {
  it('fires high when a tag moves to an unsigned digest', () => {
    const h = usual();
    h.tags.push(tag('stable', 2, 12), tag('stable', 7, 50));
    const found = ofKind(detectDrift(h), 'tag-moved');
    expect(found).toHaveLength(1);
    const f = found[0]!;
    expect(f.key).toBe(`tag-moved:${REG}/${REPO}:stable:${dg(7)}`);
    expect(f.severity).toBe('high');
    expect(f.title).toContain('unsigned digest');
    expect(f.detectedAt).toEqual(at(50));
    expect(f.evidence.images.map((i) => [i.id, i.role])).toEqual([
      ['img-7', 'moved to'],
      ['img-2', 'moved from'],
    ]);
  });
  it('says so when the new digest only has signatures that did not verify', () => {
    const h = usual();
    h.signatures.push(sig(7, 45, { authentic: false }));
    h.tags.push(tag('stable', 2, 12), tag('stable', 7, 50));
    const [f] = ofKind(detectDrift(h), 'tag-moved');
    expect(f?.title).toContain('no valid signature');
    expect(f?.detail).toContain('none that verified');
  });
  it('fires medium when the new digest is signed by someone else only', () => {
    const h = usual();
    h.signatures.push(keySig(8, 45));
    h.tags.push(tag('stable', 3, 22), tag('stable', 8, 50));
    const [f] = ofKind(detectDrift(h), 'tag-moved');
    expect(f?.severity).toBe('medium');
    expect(f?.title).toContain('signed by someone else');
  });
  it('does not fire when the previous digest was unsigned too, or when one signer is shared', () => {
    const h = usual();
    h.tags.push(tag('edge', 7, 30), tag('edge', 8, 40));
    h.signatures.push(sig(9, 41), keySig(9, 42));
    h.tags.push(tag('stable', 3, 22), tag('stable', 9, 50));
    expect(ofKind(detectDrift(h), 'tag-moved')).toEqual([]);
  });
  it('judges moves by observation time, whatever the input order', () => {
    const h = usual();
    h.tags.push(tag('stable', 7, 50), tag('stable', 2, 12));
    expect(ofKind(detectDrift(h), 'tag-moved')).toHaveLength(1);
    const back = usual();
    back.tags.push(tag('stable', 2, 50), tag('stable', 7, 12)); // unsigned first, then signed: no finding
    expect(ofKind(detectDrift(back), 'tag-moved')).toEqual([]);
  });
});

describe('outside-validity', () => {
  it('fires when the Rekor time is after notAfter or before notBefore', () => {
    const h = usual();
    h.signatures.push(sig(4, 30, { notBefore: at(10), notAfter: at(20) }));
    h.signatures.push(sig(5, 40, { notBefore: at(41), notAfter: at(50), authentic: false }));
    const found = ofKind(detectDrift(h), 'outside-validity');
    expect(found).toHaveLength(2);
    const late = found.find((f) => f.evidence.images[0]?.id === 'img-4')!;
    expect(late.title).toContain('after its certificate expired');
    expect(late.detail).toContain('600 seconds after');
    expect(late.key).toBe(`outside-validity:${REG}/${REPO}:${h.signatures[3]!.certificateFingerprint}`);
    const early = found.find((f) => f.evidence.images[0]?.id === 'img-5')!;
    expect(early.title).toContain('before its certificate was valid');
  });
  it('does not fire on the boundaries, without a Rekor time, or without a certificate', () => {
    const h = usual();
    h.signatures.push(sig(4, 30, { notBefore: at(30), notAfter: at(40) }), sig(5, 40, { notBefore: at(30), notAfter: at(40) }));
    h.signatures.push(sig(6, 50, { signedAt: null, notBefore: at(0), notAfter: at(1) }));
    h.signatures.push(keySig(7, 60));
    expect(ofKind(detectDrift(h), 'outside-validity')).toEqual([]);
  });
});

describe('stopped-signing', () => {
  it('fires for a signer of earlier digests that signed none of the latest 3', () => {
    const h = { signatures: [sig(1, 0), keySig(1, 1), sig(2, 10), keySig(2, 11), sig(3, 20), sig(4, 30), sig(5, 40)], tags: [] };
    const found = ofKind(detectDrift(h), 'stopped-signing');
    expect(found).toHaveLength(1);
    const f = found[0]!;
    expect(f.key).toBe(`stopped-signing:${REG}/${REPO}:key:${'ab'.repeat(32)}`);
    expect(f.severity).toBe('low');
    expect(f.detectedAt).toEqual(at(20));
    expect(f.detail).toContain('signed 2 digests');
    expect(f.evidence.signatures[0]!.digest).toBe(dg(2));
  });
  it('does not fire while the signer signs one of the latest N, or with N or fewer digests', () => {
    const h = { signatures: [sig(1, 0), keySig(1, 1), sig(2, 10), sig(3, 20), keySig(4, 31), sig(4, 30)], tags: [] };
    expect(ofKind(detectDrift(h), 'stopped-signing')).toEqual([]);
    const short = { signatures: [keySig(1, 0), sig(2, 10), sig(3, 20)], tags: [] };
    expect(ofKind(detectDrift(short), 'stopped-signing')).toEqual([]);
    expect(ofKind(detectDrift(short, { latestN: 2 }), 'stopped-signing')).toHaveLength(1);
  });
  it('treats the refs of one workflow as one signer', () => {
    const h = { signatures: [sig(1, 0), sig(2, 10), sig(3, 20, { identity: wf('release.yml', 'refs/heads/other') }), sig(4, 30, { identity: wf('release.yml', 'refs/heads/other') }), sig(5, 40, { identity: wf('release.yml', 'refs/heads/other') })], tags: [] };
    expect(ofKind(detectDrift(h), 'stopped-signing')).toEqual([]);
  });
});

describe('the planted sandbox story', () => {
  it('finds each planted case once and nothing else', () => {
    const signatures = [
      sig(1, 0), keySig(1, 1), sig(2, 10), keySig(2, 11), sig(3, 20),
      sig(4, 30, { identity: wf('publish.yml', 'refs/heads/main') }),
      sig(5, 40, { runnerEnvironment: 'self-hosted' }),
      sig(6, 50, { identity: wf('release.yml', 'refs/heads/feature-x') }),
    ];
    const tags = [tag('1.0', 1, 1), tag('stable', 1, 2), tag('1.1', 2, 11), tag('stable', 2, 12), tag('1.2', 3, 21), tag('1.3', 4, 31), tag('1.4', 5, 41), tag('1.5', 6, 51), tag('stable', 7, 60)];
    const found = detectDrift({ signatures, tags, runs: [{ id: 'run1', imageId: 'img-7', createdAt: at(60), status: 'unsigned' }] });
    expect(found.map((f) => [f.kind, f.severity])).toEqual([
      ['tag-moved', 'high'],
      ['unusual-ref', 'high'],
      ['self-hosted-runner', 'medium'],
      ['new-identity', 'medium'],
      ['stopped-signing', 'low'],
    ]);
    expect(found[0]!.evidence.runs.map((r) => r.id)).toEqual(['run1']);
  });
});

describe('acknowledgements', () => {
  const ack = (id: string, key: string, action: string, minute: number) => ({ id, findingKey: key, action, note: 'n', actor: 'local', createdAt: at(minute) });
  it('the latest row decides', () => {
    expect(findingStatus([])).toBe('open');
    expect(findingStatus([ack('1', 'k', 'acknowledged', 1)])).toBe('acknowledged');
    expect(findingStatus([ack('2', 'k', 'reopened', 2), ack('1', 'k', 'acknowledged', 1)])).toBe('open');
    expect(findingStatus([ack('1', 'k', 'reopened', 1), ack('2', 'k', 'acknowledged', 1)])).toBe('acknowledged');
  });
  it('puts open findings first', () => {
    const h = usual();
    h.tags.push(tag('stable', 2, 12), tag('stable', 7, 50));
    h.signatures.push(sig(4, 30, { runnerEnvironment: 'self-hosted' }));
    const fs = detectDrift(h);
    expect(fs[0]!.kind).toBe('tag-moved');
    const listed = withStatus(fs, [ack('1', fs[0]!.key, 'acknowledged', 100)]);
    expect(listed.map((f) => [f.kind, f.status])).toEqual([
      ['self-hosted-runner', 'open'],
      ['tag-moved', 'acknowledged'],
    ]);
    expect(listed[1]!.lastAck?.id).toBe('1');
  });
});
