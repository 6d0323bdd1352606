import { describe, expect, it } from 'vitest';
import { encodeIdentityKey } from '../db/identity-key';
import { inOrganization, parseScope, parseScopeArg, reportFileName, scopeLabel } from './scope';

describe('parseScope', () => {
  it('reads each kind', () => {
    expect(parseScopeArg('image=ghcr.io/acme/app@sha256:' + 'a'.repeat(64))).toEqual({ kind: 'image', reference: 'ghcr.io/acme/app@sha256:' + 'a'.repeat(64) });
    expect(parseScopeArg('repository=ghcr.io/acme/app')).toEqual({ kind: 'repository', registry: 'ghcr.io', repository: 'acme/app' });
    expect(parseScopeArg('organization=127.0.0.1:5000/demo')).toEqual({ kind: 'organization', registry: '127.0.0.1:5000', prefix: 'demo' });
    expect(parseScopeArg('organization=ghcr.io')).toEqual({ kind: 'organization', registry: 'ghcr.io', prefix: '' });
    expect(parseScopeArg('scan=clx123')).toEqual({ kind: 'scan', scanId: 'clx123' });
    expect(parseScopeArg('identity=https://github.com/a/b/.github/workflows/r.yml@refs/heads/main', { issuer: 'https://token.actions.githubusercontent.com' })).toEqual({
      kind: 'identity',
      subject: 'https://github.com/a/b/.github/workflows/r.yml@refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
    });
    expect(parseScopeArg(`identity=sha256:${'AB'.repeat(32)}`)).toEqual({ kind: 'identity', fingerprint: 'ab'.repeat(32) });
    expect(parseScopeArg('window=2026-01-01..2026-02-01')).toEqual({ kind: 'window', from: '2026-01-01', to: '2026-02-01' });
  });

  it('reads identity keys from the identities pages', () => {
    const key = encodeIdentityKey({ kind: 'keyless', issuer: 'https://issuer.example', subject: 'ci@example.com' });
    expect(parseScope('identity', key)).toEqual({ kind: 'identity', subject: 'ci@example.com', issuer: 'https://issuer.example' });
    expect(parseScope('identity', `key.${'cd'.repeat(32)}`)).toEqual({ kind: 'identity', fingerprint: 'cd'.repeat(32) });
  });

  it('refuses bad input with a reason', () => {
    expect(() => parseScopeArg('nope')).toThrow(/KIND=VALUE/);
    expect(() => parseScopeArg('planet=earth')).toThrow(/scope kind must be one of/);
    expect(() => parseScopeArg('repository=justname')).toThrow(/REGISTRY\/REPOSITORY/);
    expect(() => parseScopeArg('window=2026-02-01..2026-01-01')).toThrow(/FROM must be before TO/);
    expect(() => parseScopeArg('window=yesterday..today')).toThrow(/scope/);
    expect(() => parseScopeArg('scan=../etc')).toThrow(/scan id/);
    expect(() => parseScopeArg('image=')).toThrow(/value is required/);
    expect(() => parseScopeArg('image=a\u0000b')).toThrow(/printable/);
  });

  it('labels scopes and names files', () => {
    expect(scopeLabel(parseScopeArg('organization=ghcr.io/acme'))).toBe('ghcr.io/acme/*');
    expect(reportFileName(parseScopeArg('organization=ghcr.io/acme'), new Date('2026-03-04T05:06:07.890Z'), 'csv')).toBe('sigscope-report-ghcr-io-acme-20260304T050607Z.csv');
  });

  it('matches organization prefixes at segment boundaries', () => {
    const scope = { registry: 'ghcr.io', prefix: 'acme' };
    expect(inOrganization(scope, 'ghcr.io', 'acme/app')).toBe(true);
    expect(inOrganization(scope, 'ghcr.io', 'acme')).toBe(true);
    expect(inOrganization(scope, 'ghcr.io', 'acmeco/app')).toBe(false);
    expect(inOrganization(scope, 'docker.io', 'acme/app')).toBe(false);
  });
});
