/** One line per authority for people: who may sign, and what else it must have signed. */
import { parsePublicKey } from '../verify/policy';
import { predicateTypeUri } from './evaluate';
import type { PolicyAttestation, PolicyAuthority } from './types';

function attestation(a: PolicyAttestation): string {
  const uri = predicateTypeUri(a.predicateType);
  return `requires attestation ${uri}${uri !== a.predicateType ? ` (${a.predicateType})` : ''}${a.builderId ? ` from builder ${a.builderId}` : ''}${a.sourceRepository ? ` of source ${a.sourceRepository === 'image' ? "the image's repository" : a.sourceRepository}` : ''}`;
}

/** Signer lines of an authority (one per keyless identity, or the key), then its requirements. */
export function describeAuthority(a: PolicyAuthority, specAttestations: PolicyAttestation[] = []): string[] {
  const lines: string[] = [];
  if (a.key) {
    let fp = '(unreadable key)';
    try {
      fp = `sha256:${parsePublicKey(a.key.data).fingerprint.slice(0, 16)}…`;
    } catch {
      // Parsing validated it; a stored version is still shown if this ever fails.
    }
    lines.push(`key ${fp}`);
  }
  for (const id of a.keyless?.identities ?? []) {
    const parts = [
      id.issuer !== undefined ? `issuer = ${id.issuer}` : `issuer ~ /${id.issuerRegExp}/`,
      id.subject !== undefined ? `subject = ${id.subject}` : `subject ~ /${id.subjectRegExp}/`,
    ];
    const gh = id.github ?? {};
    if (gh.repository) parts.push(`repository = ${gh.repository}`);
    if (gh.ref) parts.push(gh.ref.includes('*') ? `ref ~ glob ${gh.ref}` : `ref = ${gh.ref}`);
    if (gh.trigger) parts.push(`trigger = ${gh.trigger}`);
    if (gh.workflow) parts.push(`workflow = ${gh.workflow}`);
    if (gh.sha) parts.push(`sha = ${gh.sha}`);
    lines.push(`keyless: ${parts.join('; ')}`);
  }
  if (a.insecureIgnoreTlog) lines.push('transparency log not required (insecure)');
  for (const r of [...a.attestations, ...specAttestations]) lines.push(attestation(r));
  return lines;
}
