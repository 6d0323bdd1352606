/** The explorer's log choice in the settings file: defaults (sandbox when present), validation, other settings kept. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSettings, rekorLogChoice, setKeyName, setRekorSettings, writeSettings } from '../settings';

let dir: string;
const saved = process.env.SIGSCOPE_DATA_DIR;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-settings-'));
  process.env.SIGSCOPE_DATA_DIR = dir;
});
afterEach(() => {
  if (saved === undefined) delete process.env.SIGSCOPE_DATA_DIR;
  else process.env.SIGSCOPE_DATA_DIR = saved;
});

describe('rekor log settings', () => {
  it('defaults to public-good, and to the sandbox (reachable offline) once the demo made its trusted root', () => {
    expect(rekorLogChoice()).toEqual({ trustRoot: 'public-good', logUrls: [], fromSettings: false });
    mkdirSync(path.join(dir, 'sandbox'), { recursive: true });
    writeFileSync(path.join(dir, 'sandbox', 'trusted_root.json'), '{}');
    expect(rekorLogChoice().trustRoot).toBe('sandbox');
  });

  it('stores a choice of trusted root and logs, keeping the other settings (and they keep it)', () => {
    writeSettings({ allowHttpRegistries: ['127.0.0.1:5000'], trustedRoots: [{ name: 'corp', path: '/etc/corp.json' }], keyNames: {} });
    setRekorSettings({ trustRoot: 'corp', logUrls: ['https://rekor.corp.example'] });
    expect(rekorLogChoice()).toEqual({ trustRoot: 'corp', logUrls: ['https://rekor.corp.example'], fromSettings: true });
    expect(readSettings().allowHttpRegistries).toEqual(['127.0.0.1:5000']);
    setKeyName('a'.repeat(64), 'release key');
    expect(JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')).rekor).toEqual({ trustRoot: 'corp', logUrls: ['https://rekor.corp.example'] });
  });

  it('refuses an unknown trusted root or a malformed log URL, and falls back when the chosen root is gone', () => {
    expect(() => setRekorSettings({ trustRoot: 'nope', logUrls: [] })).toThrow(/no trusted root named nope/);
    expect(() => setRekorSettings({ trustRoot: 'public-good', logUrls: ['not a url'] })).toThrow(/logUrls/);
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ rekor: { trustRoot: 'removed', logUrls: [] } }));
    expect(rekorLogChoice()).toEqual({ trustRoot: 'public-good', logUrls: [], fromSettings: false });
  });
});
