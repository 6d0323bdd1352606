// Stored policies: versions are added only when the content changes, never edited; runs keep
// the version they used; re-evaluation reads stored evidence without changing it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database';
import { openDb, type Db } from '../../lib/db/client';
import { getPolicy, getPolicyVersion, latestEvidence, latestPolicyVersion, listPolicies, listPolicyRuns, savePolicy } from '../../lib/db/policies';
import { createRun, finishRun, upsertCertificate, upsertImage, upsertSignature } from '../../lib/db/runs';
import { PolicyParseError } from '../../lib/policy/parse';
import { globMatches } from '../../lib/policy/match';
import { reevaluate } from '../../lib/policy/reevaluate';
import { decodeCertificate } from '../../lib/x509';
import { readFixture } from '../support/fixtures';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigscope-policies-'));
let db: Db;

const cert = decodeCertificate(readFixture('x509-from-bundles', 'sigstore-js-release-2023-08-18.pem'));
const ID = 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

const policy = (subject: string, extra = '') => `apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: sigstore-js
spec:
  images:
    - glob: registry.example/sigstore/*
  authorities:
    - name: release
      keyless:
        identities:
          - issuer: ${ISSUER}
            subject: ${subject}
${extra}`;

beforeAll(async () => {
  db = await openDb(await testDatabaseUrl(path.join(tmp, 'p.db')));
});
afterAll(async () => {
  await db?.$disconnect();
  rmSync(tmp, { recursive: true, force: true });
});

describe('savePolicy', () => {
  it('creates version 1, skips identical content, adds version 2 on change', async () => {
    const a = await savePolicy(db, 'js', policy(ID));
    expect(a).toMatchObject({ created: true, version: { version: 1 } });
    const same = await savePolicy(db, 'js', `# a comment changes nothing\n${policy(ID)}`);
    expect(same).toMatchObject({ created: false, version: { id: a.version.id, version: 1 } });
    const b = await savePolicy(db, 'js', policy(ID.replace('refs/heads/main', 'refs/tags/v1.0.0')));
    expect(b).toMatchObject({ created: true, version: { version: 2 } });
    // Going back to v1's content is a new version too: history is a sequence, never rewritten.
    const c = await savePolicy(db, 'js', policy(ID));
    expect(c.version.version).toBe(3);
    const detail = await getPolicy(db, 'js');
    expect(detail!.versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(detail!.versions[2]!.yaml).toBe(policy(ID));
    expect(await getPolicy(db, detail!.id)).toMatchObject({ name: 'js' });
    expect((await latestPolicyVersion(db, 'js'))!.version).toBe(3);
    expect((await getPolicyVersion(db, a.version.id))!.parsed.policies[0]!.name).toBe('sigstore-js');
    const list = await listPolicies(db);
    expect(list.map((p) => [p.name, p.latest.version, p.versions.length])).toEqual([['js', 3, 3]]);
  });

  it('refuses invalid YAML and bad names without writing anything', async () => {
    await expect(savePolicy(db, 'broken', 'kind: [')).rejects.toBeInstanceOf(PolicyParseError);
    await expect(savePolicy(db, 'bad name', policy(ID))).rejects.toThrow(/policy name/);
    expect(await getPolicy(db, 'broken')).toBeNull();
  });

  it('concurrent saves of new content converge on distinct versions', async () => {
    const results = await Promise.all([1, 2, 3].map((i) => savePolicy(db, 'race', policy(`${ID}-${i}`))));
    expect(results.map((r) => r.version.version).sort()).toEqual([1, 2, 3]);
  });
});

describe('runs under a version, and re-evaluation of stored evidence', () => {
  it('lists the runs of a policy and re-evaluates them under another version without changing them', async () => {
    const v1 = (await latestPolicyVersion(db, 'js'))!;
    const v2 = (await getPolicy(db, 'js'))!.versions.find((v) => v.version === 2)!;
    const image = await upsertImage(db, { registry: 'registry.example', repository: 'sigstore/js', digest: `sha256:${'c'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: [] });
    const certRow = await upsertCertificate(db, { ...cert, extensions: {} });
    const sig = await upsertSignature(db, { imageId: image.id, kind: 'cosign-sig', source: 'x.sig', layerDigest: `sha256:${'d'.repeat(64)}`, payloadDigest: `sha256:${'e'.repeat(64)}`, materialDigest: 'f'.repeat(64), signatureB64: 'AA==', certificateId: certRow.id });
    const run = await createRun(db, { input: 'registry.example/sigstore/js:1', source: 'cli', policy: { policyName: 'js' }, policyHash: v1.hash, policyVersionId: v1.id, trustRootName: 'public-good', trustRootHash: 'h' });
    const checks = ['payload-digest', 'transparency-log-timestamp', 'certificate-chain', 'sct', 'transparency-log', 'signature', 'identity', 'issuer'].map((name) => ({ name, passed: true, detail: name }));
    await finishRun(db, run.id, { status: 'verified', summary: { text: 'Verified', policy: { verdict: 'pass' } }, results: [{ signatureId: sig.id, verdict: 'verified', checks, identity: ID, oidcIssuer: ISSUER }], imageId: image.id, tag: '1' });

    expect((await listPolicyRuns(db, v1.policyId)).map((r) => [r.id, r.version])).toEqual([[run.id, 3]]);

    const { evidence } = await latestEvidence(db, (name) => globMatches('registry.example/sigstore/*', name));
    expect(evidence).toHaveLength(1);
    expect(evidence[0]!.signatures[0]!.certificatePem).toContain('BEGIN CERTIFICATE');
    const under1 = reevaluate(evidence[0]!, v1.parsed);
    expect(under1).toMatchObject({ status: 'verified', verdict: 'pass', changed: false, run: { verdict: 'pass', usedPolicy: { name: 'js', version: 3 } } });
    const under2 = reevaluate(evidence[0]!, v2.parsed);
    expect(under2).toMatchObject({ status: 'failed', verdict: 'fail', changed: true });
    expect(under2.outcomes[0]!.authorities[0]!.signers[0]!.summary).toMatch(/certificate identity is .*refs\/heads\/main, policy expects .*refs\/tags\/v1\.0\.0/);
    // Stored history is untouched.
    const again = await latestEvidence(db, () => true);
    expect(again.evidence[0]!.run.status).toBe('verified');
  });
});
