/** Plain-text rendering of a run for terminals: verdict first, then each signature and why. */
import type { RunOutcome } from '../lib/audit/run-verification';

const MARK: Record<string, string> = { verified: '✔', 'signed-unchecked': '~', failed: '✘' };
const LABEL: Record<string, string> = {
  verified: 'VERIFIED',
  'signed-unchecked': 'SIGNED, SIGNER NOT CHECKED',
  failed: 'NOT VERIFIED',
  unsigned: 'UNSIGNED',
  error: 'ERROR',
};

export function formatOutcomeText(o: RunOutcome): string {
  const lines: string[] = [];
  lines.push(`${LABEL[o.status] ?? o.status}  ${o.reference ?? o.input}`);
  if (o.digest) lines.push(`  digest      ${o.digest}${o.mediaType?.includes('index') || o.mediaType?.includes('list') ? ' (index)' : ''}`);
  for (const p of o.platforms ?? []) lines.push(`  platform    ${[p.os, p.architecture, p.variant].filter(Boolean).join('/')}  ${p.digest}`);
  lines.push(`  policy      ${o.policy}`);
  for (const p of o.policyEvaluation?.outcomes ?? []) {
    lines.push(`  ${p.mode.padEnd(11)} ${p.policy} (glob ${p.glob}): ${p.verdict}${p.satisfiedBy ? ` by authority ${p.satisfiedBy}` : ''}`);
    for (const a of p.authorities) lines.push(`    ${a.satisfied ? '✔' : '✘'} authority ${a.name} (${a.kind}): ${a.status}`);
  }
  lines.push(`  trust root  ${o.trustRoot.name}`);
  lines.push(`  ${o.status === 'error' ? `error       [${o.errorCode}] ${o.errorMessage}` : `summary     ${o.summary}`}`);
  const FORMAT: Record<string, string> = { 'cosign-sig': '.sig tag', 'cosign-att': '.att tag', 'bundle-referrers-api': 'bundle, referrers API', 'bundle-referrers-tag': 'bundle, referrers tag' };
  const item = (s: RunOutcome['signatures'][number], label: string) => {
    const who = s.signer.identity ? `${s.signer.identity}${s.signer.issuer ? ` (${s.signer.issuer})` : ''}` : s.signer.keyFingerprint ? `key sha256:${s.signer.keyFingerprint.slice(0, 16)}…` : s.signer.kind;
    lines.push(`    ${MARK[s.verdict] ?? '?'} ${s.verdict.padEnd(16)} ${label}${who}  [${FORMAT[s.format] ?? s.format}${s.platform ? `, platform ${s.platform}` : ''}]`);
    if (s.rekor) lines.push(`        rekor log index ${s.rekor.logIndex}, integrated ${s.rekor.integratedTime}`);
    if (s.reason) lines.push(`        ${s.reasonCode ? `[${s.reasonCode}] ` : ''}${s.reason}`);
    const passed = s.checks.filter((c) => c.passed).map((c) => c.name);
    if (passed.length) lines.push(`        checks passed: ${passed.join(', ')}`);
  };
  if (o.signatures.length) {
    lines.push(`  signatures  ${o.signatures.length}`);
    for (const s of o.signatures) item(s, '');
  }
  if (o.attestations.length) {
    lines.push(`  attestations ${o.attestations.length}`);
    for (const a of o.attestations) item(a, `${a.predicateType ?? 'unknown predicate'} by `);
  }
  for (const r of o.requirements) lines.push(`  requires    ${r.met ? '✔' : '✘'} ${r.requirement.predicateType}: ${r.detail}`);
  for (const d of o.documents) lines.push(`  document    ${d.mediaType} (${d.size} bytes, ${d.source}${d.platform ? `, platform ${d.platform}` : ''}, unsigned)`);
  for (const p of o.problems) lines.push(`  warning     ${p}`);
  if (o.runId) lines.push(`  run         ${o.runId}`);
  // Values come from registries and signatures: no terminal control sequences reach the screen.
  return `${lines.join('\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
