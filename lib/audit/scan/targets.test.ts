import { describe, expect, it } from 'vitest';
import { parseTarget, parseTargets } from './targets';

describe('scan targets', () => {
  it('reads a repository, a prefix, a whole registry and single images', () => {
    expect(parseTarget('ghcr.io/acme/api')).toMatchObject({ kind: 'repository', registry: 'ghcr.io', repository: 'acme/api' });
    expect(parseTarget('ghcr.io/acme/*')).toMatchObject({ kind: 'catalog', registry: 'ghcr.io', prefix: 'acme' });
    expect(parseTarget('127.0.0.1:5000/*')).toMatchObject({ kind: 'catalog', registry: '127.0.0.1:5000', prefix: '' });
    expect(parseTarget('ghcr.io/acme/api:1.2')).toMatchObject({ kind: 'image', tag: '1.2' });
    expect(parseTarget(`ghcr.io/acme/api@sha256:${'a'.repeat(64)}`)).toMatchObject({ kind: 'image', digest: `sha256:${'a'.repeat(64)}` });
    expect(parseTarget('127.0.0.1:5000/acme/api')).toMatchObject({ kind: 'repository', registry: '127.0.0.1:5000' });
  });
  it('refuses a prefix without a registry host and bad names', () => {
    expect(() => parseTarget('acme/*')).toThrow(/registry host first/);
    expect(() => parseTarget('ghcr.io/Acme/*')).toThrow(/lowercase/);
    expect(() => parseTarget('ghcr.io/../*')).toThrow();
  });
  it('reports every bad line of a pasted list', () => {
    expect(() => parseTargets(['ghcr.io/ok/app', 'BAD//', 'x/*'])).toThrow(/target 2: .*target 3:/);
  });
});
