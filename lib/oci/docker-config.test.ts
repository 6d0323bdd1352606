import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerConfigPath, readDockerCredentials } from './docker-config';

function config(content: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sigscope-dockercfg-')), 'config.json');
  writeFileSync(file, content);
  return file;
}

describe('readDockerCredentials', () => {
  it('reads auths as docker login writes them, normalising Docker Hub', () => {
    const file = config(JSON.stringify({
      auths: {
        'ghcr.io': { auth: Buffer.from('octo:ghp_secret:with:colons').toString('base64') },
        'https://index.docker.io/v1/': { auth: Buffer.from('me:pw').toString('base64') },
        'registry.example:5000': { username: 'u', password: 'p' },
        'helper-only.example': {},
      },
      credsStore: 'desktop',
    }));
    expect(readDockerCredentials(file)).toEqual({
      'ghcr.io': { username: 'octo', password: 'ghp_secret:with:colons' },
      'docker.io': { username: 'me', password: 'pw' },
      'registry.example:5000': { username: 'u', password: 'p' },
    });
  });

  it('no file means no credentials; a broken file is a clear error', () => {
    expect(readDockerCredentials('/nonexistent/config.json')).toEqual({});
    expect(() => readDockerCredentials(config('{'))).toThrow(/is not JSON/);
    expect(() => readDockerCredentials(config(JSON.stringify({ auths: { 'x.io': { auth: Buffer.from('nocolon').toString('base64') } } })))).toThrow(/not base64 of "user:password"/);
  });

  it('honours DOCKER_CONFIG', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/etc/ci-docker' })).toBe('/etc/ci-docker/config.json');
  });
});
