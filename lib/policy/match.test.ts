import { describe, expect, it } from 'vitest';
import { globMatches, normalizeGlob, policiesFor, stripTarget } from './match';

describe('image globs', () => {
  it('* stays within one segment, ** crosses segments', () => {
    expect(globMatches('registry.example/org/*', 'registry.example/org/app')).toBe(true);
    expect(globMatches('registry.example/org/*', 'registry.example/org/team/app')).toBe(false);
    expect(globMatches('registry.example/org/*', 'registry.example/org')).toBe(false);
    expect(globMatches('registry.example/org/**', 'registry.example/org/team/app')).toBe(true);
    expect(globMatches('registry.example/org/**', 'registry.example/org/app')).toBe(true);
    expect(globMatches('registry.example/org/**', 'registry.example/orgx/app')).toBe(false);
    expect(globMatches('registry.example/**/app', 'registry.example/a/b/app')).toBe(true);
    expect(globMatches('**', '127.0.0.1:5000/demo/keyless-ok')).toBe(true);
    expect(globMatches('**', 'docker.io/library/nginx')).toBe(true);
  });

  it('matches the whole name, with ports in the registry segment, ignoring tags and digests', () => {
    expect(globMatches('127.0.0.1:5000/demo/*', '127.0.0.1:5000/demo/keyless-ok')).toBe(true);
    expect(globMatches('127.0.0.1:5000/demo/*', '127.0.0.1:5001/demo/keyless-ok')).toBe(false);
    expect(globMatches('*/demo/*', '127.0.0.1:5000/demo/x')).toBe(true);
    expect(globMatches('ghcr.io/acme/app', 'ghcr.io/acme/app:1.0')).toBe(true);
    expect(globMatches('ghcr.io/acme/app', `ghcr.io/acme/app@sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(globMatches('ghcr.io/acme/app', 'ghcr.io/acme/app-evil')).toBe(false);
    expect(globMatches('ghcr.io/acme/app', 'evil.io/ghcr.io/acme/app')).toBe(false);
    expect(globMatches('ghcr.io/acme/app*', 'ghcr.io/acme/app.v2')).toBe(true);
    expect(stripTarget('127.0.0.1:5000/demo/x:1.0')).toBe('127.0.0.1:5000/demo/x');
  });

  it('reads Docker Hub globs as references are read', () => {
    expect(normalizeGlob('nginx')).toBe('docker.io/library/nginx');
    expect(normalizeGlob('acme/*')).toBe('docker.io/acme/*');
    expect(normalizeGlob('index.docker.io/acme/*')).toBe('docker.io/acme/*');
    expect(normalizeGlob('GHCR.IO/acme/*')).toBe('ghcr.io/acme/*');
    expect(globMatches('acme/*', 'docker.io/acme/app')).toBe(true);
    expect(globMatches('nginx', 'docker.io/library/nginx')).toBe(true);
    expect(globMatches('index.docker.io/library/*', 'index.docker.io/library/nginx')).toBe(true);
  });
});

describe('policiesFor', () => {
  const policies = [
    { name: 'demo', images: [{ glob: 'registry.example/other/*' }, { glob: 'registry.example/demo/*' }] },
    { name: 'all', images: [{ glob: '**' }] },
    { name: 'none', images: [{ glob: 'ghcr.io/**' }] },
  ];
  it('returns every matching policy in file order with the glob that matched', () => {
    expect(policiesFor('registry.example/demo/app', policies).map((m) => [m.policy.name, m.glob])).toEqual([
      ['demo', 'registry.example/demo/*'],
      ['all', '**'],
    ]);
    expect(policiesFor('registry.example/elsewhere/app', policies).map((m) => m.policy.name)).toEqual(['all']);
    expect(policiesFor('x.io/a', [policies[0]!])).toEqual([]);
  });
});
