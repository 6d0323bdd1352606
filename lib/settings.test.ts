import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSettings, setKeyName, writeSettings } from './settings';

const FP = 'ab'.repeat(32);
let saved: Record<string, string | undefined>;

beforeEach(() => {
  saved = { dir: process.env.SIGSCOPE_DATA_DIR, http: process.env.SIGSCOPE_ALLOW_HTTP_REGISTRIES };
  process.env.SIGSCOPE_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'sigscope-settings-'));
  process.env.SIGSCOPE_ALLOW_HTTP_REGISTRIES = '127.0.0.1:5000';
});
afterEach(() => {
  for (const [k, v] of [['SIGSCOPE_DATA_DIR', saved.dir], ['SIGSCOPE_ALLOW_HTTP_REGISTRIES', saved.http]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('settings', () => {
  it('names a key, keeps other settings, and does not write environment hosts into the file', () => {
    writeSettings({ allowHttpRegistries: ['registry.local:5000'], trustedRoots: [], keyNames: {} });
    setKeyName(FP, 'release key 2026');
    const s = readSettings();
    expect(s.keyNames[FP]).toBe('release key 2026');
    expect(s.allowHttpRegistries).toEqual(['registry.local:5000', '127.0.0.1:5000']);
    const file = JSON.parse(readFileSync(path.join(process.env.SIGSCOPE_DATA_DIR!, 'settings.json'), 'utf8')) as { allowHttpRegistries: string[] };
    expect(file.allowHttpRegistries).toEqual(['registry.local:5000']);
    setKeyName(FP, '');
    expect(readSettings().keyNames[FP]).toBeUndefined();
  });

  it('refuses a bad fingerprint or a name with control characters', () => {
    expect(() => setKeyName('nothex', 'x')).toThrow(/sha256 key fingerprint/);
    expect(() => setKeyName(FP, 'evil\u001b[2J')).toThrow(/printable/);
  });
});
