// The issuing chain shown on a certificate page, found in real trusted roots.
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/support/fixtures';
import { certificateDetails, decodeCertificate } from '../x509';
import { findChain, resolveChain, trustRootByRunName } from './ca-chain';
import { loadTrustRoot, parseTrustedRoot } from './trust-root';

const pem = (name: string) => readFixture('x509-from-bundles', name).toString('utf8');
const leafOf = (name: string) => {
  const d = decodeCertificate(pem(name));
  const { authorityKeyId } = certificateDetails(pem(name));
  return { issuer: d.issuer, authorityKeyId };
};
// `gh attestation trusted-root` output: line 2 is GitHub's own instance.
const githubLine = readFixture('sigstore-java', 'bundles', 'github-private-no-tlog', 'trusted_root.jsonl').toString('utf8').trim().split('\n')[1]!;
const github = parseTrustedRoot(Buffer.from(githubLine), 'github');
const olderGithub = parseTrustedRoot(readFixture('kyverno', 'github-trusted-root.json'), 'github-2025');

describe('findChain', () => {
  it('walks a public-good leaf up to the self-signed sigstore root by key id', () => {
    const chain = findChain(leafOf('sigstore-js-release-2023-08-18.pem'), loadTrustRoot());
    expect(chain.map((c) => c.subject)).toEqual(['O=sigstore.dev, CN=sigstore-intermediate', 'O=sigstore.dev, CN=sigstore']);
    expect(chain.every((c) => c.matchedBy === 'key-id')).toBe(true);
    expect(chain[1]!.selfSigned).toBe(true);
    expect(chain[0]!.ca.uri).toBe('https://fulcio.sigstore.dev');
  });

  it("finds GitHub's private Fulcio leaf in GitHub's root and not in public-good", () => {
    const leaf = leafOf('github-private-instance-2026-07-24.pem');
    expect(findChain(leaf, loadTrustRoot())).toEqual([]);
    const chain = findChain(leaf, github);
    expect(chain[0]!.subject).toBe('O=GitHub\\, Inc., CN=Fulcio Intermediate l2');
    expect(chain[chain.length - 1]!.selfSigned).toBe(true);
  });

  it('does not accept an issuer with the right name but another key', () => {
    const leaf = leafOf('sigstore-js-release-2023-08-18.pem');
    expect(findChain({ ...leaf, authorityKeyId: '00'.repeat(20) }, loadTrustRoot())).toEqual([]);
    // An older copy of GitHub's root has "Fulcio Intermediate l2" certificates, but not the key that issued this leaf.
    expect(findChain(leafOf('github-private-instance-2026-07-24.pem'), olderGithub)).toEqual([]);
  });
});

describe('resolveChain', () => {
  it('uses the root the run named and reports a complete chain', () => {
    const r = resolveChain(pem('rfc8785py-release-v0.1.2-2024-03-19.pem'), { trustRootName: 'public-good', trustRootHash: loadTrustRoot().hash });
    expect(r.outcome).toBe('complete');
    expect(r.note).toBeUndefined();
  });

  it('says when the root changed since the run', () => {
    const r = resolveChain(pem('rfc8785py-release-v0.1.2-2024-03-19.pem'), { trustRootName: 'public-good', trustRootHash: 'f'.repeat(64) });
    expect(r.note).toMatch(/changed since the run/);
  });

  it('says honestly when the run used a root that is not configured here, and never reads a recorded path', () => {
    const r = resolveChain(pem('github-private-instance-2026-07-24.pem'), { trustRootName: '/etc/passwd', trustRootHash: 'x' });
    expect(r.outcome).toBe('unavailable');
    expect(r.note).toMatch(/not configured here/);
    expect(trustRootByRunName('/etc/passwd')).toBeNull();
  });

  it('reports no issuer found for a certificate from another instance', () => {
    const r = resolveChain(pem('github-private-instance-2026-07-24.pem'), null);
    expect(r.outcome).toBe('none');
    expect(r.note).toMatch(/No verification run/);
  });
});
