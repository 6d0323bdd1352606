/**
 * The planted drift of the sandbox's demo/drifting repository, end to end: real registry,
 * real local Sigstore, the verification pipeline recording runs in order (sandbox/seed-runs.ts),
 * then the findings and the timeline read back from the database.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database';
import { openDb, type Db } from '../../lib/db/client';
import { getFinding, listFindings } from '../../lib/db/findings';
import { loadTimeline } from '../../lib/db/timeline';
import { seedRuns } from '../../sandbox/seed-runs';
import { DRIFT_BRANCH_WORKFLOW, DRIFT_PUBLISH_WORKFLOW, DRIFTING, ORG_REPO } from '../../sandbox/world';
import { githubWorkflowIdentity } from '../../sandbox/cosign-sign';
import { startTestWorld, type TestWorld } from '../support/world';

let t: TestWorld;
let db: Db;

beforeAll(async () => {
  t = await startTestWorld();
  db = await openDb(await testDatabaseUrl(path.join(t.dir, 'drift.db')));
  const drifting = t.scenarios.filter((s) => s.name === DRIFTING);
  const outcomes = await seedRuns(t.world, drifting, { trustRoot: t.world.trustedRootPath, db, source: 'cli' });
  // The closing "offline registry" run of seedRuns is an error; the history runs are not.
  expect(outcomes.slice(0, -1).map((o) => o.status)).toEqual(['verified', 'verified', 'verified', 'verified', 'verified', 'failed', 'verified', 'failed', 'unsigned']);
});
afterAll(async () => {
  await db?.$disconnect();
  await t?.world.stop();
});

describe('demo/drifting', () => {
  it('raises each planted finding, and nothing for the usual releases', async () => {
    const repo = `${t.world.registry.host}/demo/${DRIFTING}`;
    const { findings } = await listFindings(db);
    expect(findings.every((f) => `${f.registry}/${f.repository}` === repo)).toBe(true);
    // Most severe first; within a severity, newest first (the sandbox signs within a second or two, so no order is asserted there).
    expect(findings.map((f) => f.severity)).toEqual(['high', 'high', 'medium', 'medium', 'low']);
    expect(findings.map((f) => `${f.kind} ${f.severity}`).sort()).toEqual([
      'new-identity medium',
      'self-hosted-runner medium',
      'stopped-signing low',
      'tag-moved high',
      'unusual-ref high',
    ]);
    const byKind = Object.fromEntries(findings.map((f) => [f.kind, f]));
    expect(byKind['tag-moved']!.key).toBe(`tag-moved:${repo}:stable:${t.digest(DRIFTING)}`);
    expect(byKind['unusual-ref']!.title).toBe(`Branch build signed release tag 1.5 of ${repo}`);
    expect(byKind['unusual-ref']!.evidence.signatures[0]!.identity).toBe(githubWorkflowIdentity(ORG_REPO, DRIFT_BRANCH_WORKFLOW));
    expect(byKind['new-identity']!.key).toBe(`new-identity:${repo}:https://token.actions.githubusercontent.com:${githubWorkflowIdentity(ORG_REPO, DRIFT_PUBLISH_WORKFLOW).replace(/@refs\/.*$/, '')}`);
    expect(byKind['self-hosted-runner']!.evidence.signatures[0]!.runnerEnvironment).toBe('self-hosted');
    expect(byKind['stopped-signing']!.evidence.signatures[0]!.keyFingerprint).toMatch(/^[0-9a-f]{64}$/);
    const detail = await getFinding(db, byKind['tag-moved']!.key);
    expect(detail?.finding.evidence.runs.length).toBeGreaterThan(0);
  });

  it('has a timeline with signatures, certificates, tag moves and runs', async () => {
    const tl = await loadTimeline(db, { kind: 'repository', registry: t.world.registry.host, repository: `demo/${DRIFTING}` });
    expect(tl.counts).toMatchObject({ signed: 8, 'certificate-issued': 6, 'tag-observed': 7, 'tag-moved': 2, verified: 6, failed: 2, unsigned: 1 });
  });
});
