/**
 * Scope input as people type it (`--scope KIND=VALUE`, the reports form) → a validated Scope,
 * and the label shown for it. Pure: no database.
 */
import { z } from 'zod';
import { SigscopeError } from '../errors';
import { decodeIdentityKey } from '../db/identity-key';
import { SCOPE_KINDS, ScopeSchema, type Scope, type ScopeKind } from './types';

function invalid(message: string): SigscopeError {
  return new SigscopeError('INVALID_INPUT', message);
}

function validate(value: unknown): Scope {
  const parsed = ScopeSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`scope: ${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** `registry/path…` → registry and the rest (the registry is everything before the first slash). */
function splitRegistry(value: string, what: string, allowBare: boolean): { registry: string; rest: string } {
  const v = value.trim().replace(/\/+$/, '');
  const i = v.indexOf('/');
  if (i < 0) {
    if (allowBare && v) return { registry: v, rest: '' };
    throw invalid(`scope ${what}: expected REGISTRY/${what === 'organization' ? 'PREFIX' : 'REPOSITORY'}, e.g. ghcr.io/acme${what === 'organization' ? '' : '/app'}`);
  }
  return { registry: v.slice(0, i), rest: v.slice(i + 1) };
}

/**
 * One scope from its kind and value:
 * - image: `registry/repo@sha256:…` or `registry/repo:tag`
 * - repository: `registry/repo`; organization: `registry/prefix` (or just `registry`)
 * - scan: the scan id
 * - identity: an identity key from the identities pages (`kl.…`, `key.…`), `sha256:<fingerprint>`,
 *   or a certificate subject (then `issuer` names its OIDC issuer)
 * - window: `FROM..TO` (ISO dates or date-times; TO excluded)
 */
export function parseScope(kind: string, value: string, options: { issuer?: string } = {}): Scope {
  if (!(SCOPE_KINDS as readonly string[]).includes(kind)) throw invalid(`scope kind must be one of ${SCOPE_KINDS.join(', ')} (got ${JSON.stringify(kind.slice(0, 40))})`);
  const v = value.trim();
  if (!v && kind !== 'organization') throw invalid(`scope ${kind}: a value is required`);
  switch (kind as ScopeKind) {
    case 'image':
      return validate({ kind, reference: v });
    case 'repository': {
      const { registry, rest } = splitRegistry(v, 'repository', false);
      return validate({ kind, registry, repository: rest });
    }
    case 'organization': {
      const { registry, rest } = splitRegistry(v, 'organization', true);
      return validate({ kind, registry, prefix: rest });
    }
    case 'scan':
      return validate({ kind, scanId: v });
    case 'identity': {
      const ref = v.startsWith('kl.') || v.startsWith('key.') ? decodeIdentityKey(v) : null;
      if (ref) return validate(ref.kind === 'key' ? { kind, fingerprint: ref.fingerprint } : { kind, subject: ref.subject, issuer: ref.issuer });
      const fp = /^sha256:([a-fA-F0-9]{64})$/.exec(v);
      if (fp) return validate({ kind, fingerprint: fp[1]!.toLowerCase() });
      return validate({ kind, subject: v, ...(options.issuer?.trim() ? { issuer: options.issuer.trim() } : {}) });
    }
    case 'window': {
      const m = /^(.+?)\.\.(.+)$/.exec(v);
      if (!m) throw invalid('scope window: expected FROM..TO, e.g. 2026-01-01..2026-02-01');
      const scope = validate({ kind, from: m[1]!.trim(), to: m[2]!.trim() });
      if (scope.kind === 'window' && !(Date.parse(scope.from) < Date.parse(scope.to))) throw invalid('scope window: FROM must be before TO');
      return scope;
    }
  }
}

/** `KIND=VALUE` (the CLI's --scope). */
export function parseScopeArg(arg: string, options: { issuer?: string } = {}): Scope {
  const i = arg.indexOf('=');
  if (i <= 0) throw invalid(`--scope: expected KIND=VALUE with KIND one of ${SCOPE_KINDS.join(', ')}`);
  return parseScope(arg.slice(0, i).trim(), arg.slice(i + 1), options);
}

export function scopeLabel(scope: Scope): string {
  switch (scope.kind) {
    case 'image':
      return scope.reference;
    case 'repository':
      return `${scope.registry}/${scope.repository}`;
    case 'organization':
      return scope.prefix ? `${scope.registry}/${scope.prefix}/*` : `${scope.registry}/*`;
    case 'scan':
      return `scan ${scope.scanId}`;
    case 'identity':
      return scope.fingerprint ? `key sha256:${scope.fingerprint}` : `${scope.subject}${scope.issuer ? ` (${scope.issuer})` : ''}`;
    case 'window':
      return `${scope.from} – ${scope.to}`;
  }
}

/** Does `registry/repository` belong to an organization scope (prefix at a path-segment boundary)? */
export function inOrganization(scope: { registry: string; prefix: string }, registry: string, repository: string): boolean {
  if (registry !== scope.registry) return false;
  return scope.prefix === '' || repository === scope.prefix || repository.startsWith(`${scope.prefix}/`);
}

/** A report file name: sigscope-report-<label slug>-<yyyymmddThhmmss>.<ext> */
export function reportFileName(scope: Scope, generatedAt: Date, extension: string): string {
  const slug = scopeLabel(scope)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  const stamp = generatedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `sigscope-report-${slug || 'scope'}-${stamp}.${extension}`;
}

export const ScopeFormSchema = z.object({
  kind: z.enum(SCOPE_KINDS),
  value: z.string().max(4096),
  issuer: z.string().max(2048).optional(),
});
