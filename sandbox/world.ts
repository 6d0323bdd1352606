/**
 * The sandbox "signing world": a real OCI registry (Debian's docker-registry) and a
 * local Sigstore instance (Fulcio CA, CT log, Rekor) on loopback, plus scenarios
 * pushed and signed the way cosign does. Used by the integration tests, the e2e
 * tests and the demo. Nothing here is a mock of those parts: the same lib/ code
 * reads it as it reads a real registry.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { RegistryClient } from '../lib/oci/client';
import type { RepositoryLocator } from '../lib/oci/reference';
import type { CosignSignatureLayer } from '../lib/cosign/types';
import { startRegistry, type RunningRegistry } from './registry';
import { startSigstoreInstance, type SigstoreInstance } from './sigstore-instance';
import { buildImage, buildMultiArchIndex } from './oci-images';
import { pushCosignSignatures, pushImage, pushIndex } from './push';
import { forgeSet, githubWorkflowIdentity, GITHUB_ACTIONS_ISSUER, signKeyless, signWithKey, simpleSigningPayload } from './cosign-sign';
import { generateCosignKeyPair, readCosignPrivateKey } from './cosign-key';
import { pushAttachmentTag } from './attach';
import { attestKeyless } from './cosign-attest';
import { bundleKeyless, imageSigningStatement, pushBundleReferrer, slsaProvenanceStatement, spdxDocument, spdxStatement } from './bundles';

export const ORG_REPO = 'acme/widget';
export const RELEASE_WORKFLOW = '.github/workflows/release.yml@refs/heads/main';
export const EXPECTED_IDENTITY = githubWorkflowIdentity(ORG_REPO, RELEASE_WORKFLOW);
export const EXPECTED_ISSUER = GITHUB_ACTIONS_ISSUER;
export const KEY_PASSWORD = 'sandbox-password';

export interface SandboxWorld {
  registry: RunningRegistry;
  sigstore: SigstoreInstance;
  /** A second, unrelated Sigstore instance: its signatures must not verify against `sigstore`. */
  foreign: SigstoreInstance;
  client: RegistryClient;
  trustedRootPath: string;
  /** cosign key pair used for key-based signatures (private key in cosign's encrypted format). */
  key: { privateKeyPem: string; publicKeyPem: string; publicKeyPath: string };
  wrongKey: { publicKeyPem: string; publicKeyPath: string };
  stop(): Promise<void>;
}

export async function startSandboxWorld(opts: { dataDir: string }): Promise<SandboxWorld> {
  mkdirSync(opts.dataDir, { recursive: true });
  const registry = await startRegistry();
  const sigstore = await startSigstoreInstance({ dataDir: path.join(opts.dataDir, 'instance') });
  const foreign = await startSigstoreInstance();
  const trustedRootPath = path.join(opts.dataDir, 'trusted_root.json');
  await sigstore.writeTrustedRoot(trustedRootPath);
  const { writeFileSync } = await import('node:fs');
  const key = generateCosignKeyPair(KEY_PASSWORD);
  const wrong = generateCosignKeyPair(KEY_PASSWORD);
  const publicKeyPath = path.join(opts.dataDir, 'cosign.pub');
  const wrongPath = path.join(opts.dataDir, 'wrong.pub');
  writeFileSync(path.join(opts.dataDir, 'cosign.key'), key.privateKeyPem);
  writeFileSync(publicKeyPath, key.publicKeyPem);
  writeFileSync(wrongPath, wrong.publicKeyPem);
  const client = new RegistryClient({ allowHttp: [registry.host], maxRetries: 0 });
  return {
    registry,
    sigstore,
    foreign,
    client,
    trustedRootPath,
    key: { ...key, publicKeyPath },
    wrongKey: { publicKeyPem: wrong.publicKeyPem, publicKeyPath: wrongPath },
    async stop() {
      await Promise.allSettled([registry.stop(), sigstore.stop(), foreign.stop()]);
    },
  };
}

export interface Scenario {
  name: string;
  /** Full reference, e.g. 127.0.0.1:5000/demo/keyless-ok:1.0 */
  reference: string;
  digest: string;
  /** What a verification with the expected identity (or key) should say. */
  expect: 'verified' | 'failed' | 'unsigned';
  description: string;
  /**
   * A history to record in this order (sandbox/seed-runs.ts): point `tag` at `digest` in the
   * registry, then verify `<repository>:<tag>`, so Sigscope observes tags moving over time.
   */
  history?: HistoryStep[];
}

export interface HistoryStep {
  tag: string;
  digest: string;
  note: string;
}

function repoOf(world: SandboxWorld, name: string): RepositoryLocator {
  return { registry: world.registry.host, repository: `demo/${name}` };
}

async function pushSigned(
  world: SandboxWorld,
  name: string,
  sign: (payload: Buffer, digest: string, ref: string) => Promise<CosignSignatureLayer[]>,
): Promise<{ reference: string; digest: string }> {
  const repo = repoOf(world, name);
  const digest = await pushImage(world.client, repo, '1.0', buildImage({ files: { 'hello.txt': `${name}\n` } }));
  const dockerRef = `${repo.registry}/${repo.repository}`;
  const layers = await sign(simpleSigningPayload(dockerRef, digest), digest, dockerRef);
  if (layers.length) await pushCosignSignatures(world.client, repo, digest, layers);
  return { reference: `${dockerRef}:1.0`, digest };
}

const claims = (workflowRef = RELEASE_WORKFLOW, repository = ORG_REPO) => ({ repository, workflowRef, trigger: 'push' });

/** Pushes and signs every scenario the tests and the demo use. */
export async function seedScenarios(world: SandboxWorld): Promise<Scenario[]> {
  const out: Scenario[] = [];
  const privateKey = readCosignPrivateKey(world.key.privateKeyPem, KEY_PASSWORD);
  const add = (name: string, expect: Scenario['expect'], description: string, r: { reference: string; digest: string }) =>
    out.push({ name, expect, description, ...r });

  add('keyless-ok', 'verified', 'Keyless signature from the release workflow on main', await pushSigned(world, 'keyless-ok', async (p) => [await signKeyless(p, world.sigstore, claims())]));
  add('keyed', 'verified', 'Signed with a cosign key pair and logged in Rekor (verify with cosign.pub)', await pushSigned(world, 'keyed', async (p) => [await signWithKey(p, privateKey, { rekor: world.sigstore })]));
  add('unsigned', 'unsigned', 'Pushed without any signature', await pushSigned(world, 'unsigned', async () => []));
  add('wrong-signer', 'failed', 'Signed from a feature branch, not from main', await pushSigned(world, 'wrong-signer', async (p) => [await signKeyless(p, world.sigstore, claims('.github/workflows/release.yml@refs/heads/feature-x'))]));
  add('main-hotfix', 'failed', 'Signed from refs/heads/main-hotfix (an unanchored match would accept it)', await pushSigned(world, 'main-hotfix', async (p) => [await signKeyless(p, world.sigstore, claims('.github/workflows/release.yml@refs/heads/main-hotfix'))]));
  add('tampered', 'failed', 'Payload altered after signing', await pushSigned(world, 'tampered', async (p) => {
    const layer = await signKeyless(p, world.sigstore, claims());
    const altered = Buffer.from(p.toString('utf8').replace('"critical"', '"critical" ').replace(/}$/, ' }'));
    return [{ ...layer, payload: altered }];
  }));
  add('forged-set', 'failed', 'Rekor signed entry timestamp forged', await pushSigned(world, 'forged-set', async (p) => [forgeSet(await signKeyless(p, world.sigstore, claims()))]));
  add('foreign-ca', 'failed', 'Signed by another Sigstore instance (untrusted CA and log)', await pushSigned(world, 'foreign-ca', async (p) => [await signKeyless(p, world.foreign, claims())]));

  // Replay: keyless-ok's valid signature copied onto another image's .sig tag.
  {
    const repo = repoOf(world, 'replayed');
    const digest = await pushImage(world.client, repo, '1.0', buildImage({ files: { 'hello.txt': 'replayed\n' } }));
    const okRepo = repoOf(world, 'keyless-ok');
    const okDigest = out.find((s) => s.name === 'keyless-ok')!.digest;
    const okPayload = simpleSigningPayload(`${okRepo.registry}/${okRepo.repository}`, okDigest);
    await pushCosignSignatures(world.client, repo, digest, [await signKeyless(okPayload, world.sigstore, claims())]);
    add('replayed', 'failed', "A valid signature of another image copied onto this image's .sig tag", { reference: `${repo.registry}/${repo.repository}:1.0`, digest });
  }

  // Sigstore bundles through the OCI referrers tag fallback (cosign v3 style), attestations and SBOMs.
  {
    const repo = repoOf(world, 'bundle-signed');
    const digest = await pushImage(world.client, repo, '1.0', buildImage({ files: { 'hello.txt': 'bundle-signed\n' } }));
    const ref = `${repo.registry}/${repo.repository}`;
    await pushBundleReferrer(world.client, repo, digest, await bundleKeyless(imageSigningStatement(digest, ref), world.sigstore, claims()));
    add('bundle-signed', 'verified', 'Signed in the Sigstore bundle format, attached as an OCI referrer (tag fallback)', { reference: `${ref}:1.0`, digest });
  }
  {
    const repo = repoOf(world, 'attested');
    const digest = await pushImage(world.client, repo, '1.0', buildImage({ files: { 'hello.txt': 'attested\n' } }));
    const ref = `${repo.registry}/${repo.repository}`;
    await pushCosignSignatures(world.client, repo, digest, [await signKeyless(simpleSigningPayload(ref, digest), world.sigstore, claims())]);
    const provenance = slsaProvenanceStatement(digest, { repository: ORG_REPO, ref: 'refs/heads/main', sha: 'a'.repeat(40), workflowPath: '.github/workflows/release.yml', subjectName: ref });
    await pushAttachmentTag(world.client, repo, digest, 'att', [await attestKeyless(provenance, world.sigstore, claims())]);
    const sbom = spdxDocument('attested');
    await pushAttachmentTag(world.client, repo, digest, 'sbom', [{ payload: Buffer.from(JSON.stringify(sbom)), mediaType: 'text/spdx+json', annotations: {} }]);
    await pushBundleReferrer(world.client, repo, digest, await bundleKeyless(spdxStatement(digest, sbom, ref), world.sigstore, claims()));
    add('attested', 'verified', 'Signed, with a SLSA provenance attestation (.att), an SPDX SBOM (.sbom) and an SBOM attestation bundle (referrer)', { reference: `${ref}:1.0`, digest });
  }
  {
    const repo = repoOf(world, 'bundle-wrong-subject');
    const digest = await pushImage(world.client, repo, '1.0', buildImage({ files: { 'hello.txt': 'bundle-wrong-subject\n' } }));
    const ref = `${repo.registry}/${repo.repository}`;
    const otherDigest = out.find((s) => s.name === 'keyless-ok')!.digest;
    await pushBundleReferrer(world.client, repo, digest, await bundleKeyless(imageSigningStatement(otherDigest, ref), world.sigstore, claims()));
    add('bundle-wrong-subject', 'failed', "A signature bundle whose statement names another image's digest", { reference: `${ref}:1.0`, digest });
  }

  // Multi-arch: one index signed at the index digest, one signed only per platform.
  for (const [name, atIndex] of [
    ['multiarch', true],
    ['multiarch-platforms', false],
  ] as const) {
    const repo = repoOf(world, name);
    const index = buildMultiArchIndex(name);
    const digest = await pushIndex(world.client, repo, '1.0', index);
    const ref = `${repo.registry}/${repo.repository}`;
    const targets = atIndex ? [digest] : index.images.map((i) => i.digest);
    for (const d of targets) await pushCosignSignatures(world.client, repo, d, [await signKeyless(simpleSigningPayload(ref, d), world.sigstore, claims())]);
    add(name, atIndex ? 'verified' : 'unsigned', atIndex ? 'Multi-arch index signed at the index digest' : 'Multi-arch index whose platform manifests are signed, not the index', { reference: `${ref}:1.0`, digest });
  }

  out.push(await seedDrifting(world, privateKey));
  return out;
}

export const DRIFTING = 'drifting';
/** Signer of one drifting release that is not the release workflow: a new workflow file. */
export const DRIFT_PUBLISH_WORKFLOW = '.github/workflows/publish.yml@refs/heads/main';
/** A branch build that signs a release tag. */
export const DRIFT_BRANCH_WORKFLOW = '.github/workflows/release.yml@refs/heads/feature-x';

/**
 * demo/drifting: a release history with planted drift, signed in this order (the local Rekor
 * integrates "now", so signing order is time order; the runs recorded by seed-runs.ts follow
 * the same order):
 *   1.0, 1.1  release workflow on main (GitHub-hosted) + the cosign key; `stable` → 1.0, then → 1.1
 *   1.2       release workflow only (the key stops signing: stopped-signing)
 *   1.3       another workflow file, publish.yml (new-identity)
 *   1.4       release workflow on a self-hosted runner (self-hosted-runner)
 *   1.5       release workflow run from branch feature-x (unusual-ref: a branch build signing a release tag)
 *   unsigned  pushed without a signature; `stable` moves onto it (tag-moved to an unsigned digest)
 */
async function seedDrifting(world: SandboxWorld, privateKey: ReturnType<typeof readCosignPrivateKey>): Promise<Scenario> {
  const repo = repoOf(world, DRIFTING);
  const ref = `${repo.registry}/${repo.repository}`;
  const release = (p: Buffer, extra?: Record<string, string>) => signKeyless(p, world.sigstore, { ...claims(), ...(extra ? { extra } : {}) });
  const keyed = (p: Buffer) => signWithKey(p, privateKey, { rekor: world.sigstore });
  const build = async (version: string, tag: string | null, sign: (p: Buffer) => Promise<CosignSignatureLayer[]>): Promise<string> => {
    const image = buildImage({ files: { 'hello.txt': `drifting ${version}\n` } });
    const digest = await pushImage(world.client, repo, tag ?? image.digest, image);
    const layers = await sign(simpleSigningPayload(ref, digest));
    if (layers.length) await pushCosignSignatures(world.client, repo, digest, layers);
    return digest;
  };
  const history: HistoryStep[] = [];
  const d1 = await build('1.0', '1.0', async (p) => [await release(p), await keyed(p)]);
  history.push({ tag: '1.0', digest: d1, note: 'release 1.0: release workflow on main + cosign key' }, { tag: 'stable', digest: d1, note: 'stable → 1.0' });
  const d2 = await build('1.1', '1.1', async (p) => [await release(p), await keyed(p)]);
  history.push({ tag: '1.1', digest: d2, note: 'release 1.1: release workflow on main + cosign key' }, { tag: 'stable', digest: d2, note: 'stable moves to 1.1 (same signers)' });
  const d3 = await build('1.2', '1.2', async (p) => [await release(p)]);
  history.push({ tag: '1.2', digest: d3, note: 'release 1.2: release workflow only' });
  const d4 = await build('1.3', '1.3', async (p) => [await signKeyless(p, world.sigstore, claims(DRIFT_PUBLISH_WORKFLOW))]);
  history.push({ tag: '1.3', digest: d4, note: 'release 1.3: signed by a new workflow file (publish.yml)' });
  const d5 = await build('1.4', '1.4', async (p) => [await release(p, { runner_environment: 'self-hosted' })]);
  history.push({ tag: '1.4', digest: d5, note: 'release 1.4: signed on a self-hosted runner' });
  const d6 = await build('1.5', '1.5', async (p) => [await signKeyless(p, world.sigstore, claims(DRIFT_BRANCH_WORKFLOW))]);
  history.push({ tag: '1.5', digest: d6, note: 'release 1.5: signed by a build of branch feature-x' });
  const d7 = await build('unsigned', null, async () => []);
  history.push({ tag: 'stable', digest: d7, note: 'stable moves to an unsigned digest' });
  // The registry ends as the history does: stable → the unsigned digest.
  await retag(world, repo.repository, 'stable', d7);
  return {
    name: DRIFTING,
    reference: `${ref}:stable`,
    digest: d7,
    expect: 'unsigned',
    description: 'A release history with drift: a new signer, a self-hosted runner, a branch build signing a release, a tag moved to an unsigned digest',
    history,
  };
}

/** Points `tag` at an already pushed manifest. */
export async function retag(world: Pick<SandboxWorld, 'client' | 'registry'>, repository: string, tag: string, digest: string): Promise<void> {
  const repo = { registry: world.registry.host, repository };
  const m = await world.client.getManifest(repo, digest);
  await world.client.putManifest(repo, tag, m.bytes, m.mediaType);
}
