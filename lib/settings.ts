/**
 * Local settings shared by the dashboard and the CLI: which registries may be
 * reached over plain HTTP, and which trusted roots are offered besides public-good.
 * Stored as a small JSON file in the data directory (validated on every read).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SigscopeError } from './errors';
import { PUBLIC_GOOD } from './verify/trust-root';

// The CLI wrapper sets SIGSCOPE_HOME; the dashboard runs from the project directory.
export const PROJECT_ROOT = path.resolve(/*turbopackIgnore: true*/ process.env.SIGSCOPE_HOME ?? process.cwd());

export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.SIGSCOPE_DATA_DIR ?? path.join(PROJECT_ROOT, "data"));
}

const HostSchema = z.string().trim().min(1).max(261).regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/, 'a registry host such as 127.0.0.1:5000');
const RootSchema = z.object({ name: z.string().trim().min(1).max(64).regex(/^[\w .-]+$/), path: z.string().trim().min(1).max(4096) });

export const SettingsSchema = z.object({
  allowHttpRegistries: z.array(HostSchema).max(64).default([]),
  trustedRoots: z.array(RootSchema).max(32).default([]),
});
export type Settings = z.infer<typeof SettingsSchema>;

function settingsFile(): string {
  return path.join(dataDir(), 'settings.json');
}

export function readSettings(): Settings {
  const file = settingsFile();
  let stored: Settings = { allowHttpRegistries: [], trustedRoots: [] };
  if (existsSync(file)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new SigscopeError('INVALID_INPUT', `settings file ${file} is not JSON: ${(e as Error).message}`);
    }
    const parsed = SettingsSchema.safeParse(raw);
    if (!parsed.success) throw new SigscopeError('INVALID_INPUT', `settings file ${file} is invalid: ${parsed.error.issues[0]?.message}`);
    stored = parsed.data;
  }
  const fromEnv = (process.env.SIGSCOPE_ALLOW_HTTP_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return { ...stored, allowHttpRegistries: [...new Set([...stored.allowHttpRegistries, ...fromEnv])] };
}

export function writeSettings(next: unknown): Settings {
  const parsed = SettingsSchema.safeParse(next);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new SigscopeError('INVALID_INPUT', `${i?.path.join('.') || 'settings'}: ${i?.message}`);
  }
  mkdirSync(dataDir(), { recursive: true });
  const tmp = `${settingsFile()}.tmp`;
  writeFileSync(tmp, JSON.stringify(parsed.data, null, 2));
  renameSync(tmp, settingsFile());
  return parsed.data;
}

export interface TrustRootChoice {
  name: string;
  /** undefined for public-good */
  path?: string;
}

/** public-good, the sandbox's root when the demo made one, and those in settings. */
export function trustRootChoices(settings = readSettings()): TrustRootChoice[] {
  const out: TrustRootChoice[] = [{ name: PUBLIC_GOOD }];
  const sandbox = path.join(dataDir(), 'sandbox', 'trusted_root.json');
  if (existsSync(sandbox)) out.push({ name: 'sandbox', path: sandbox });
  for (const r of settings.trustedRoots) if (!out.some((o) => o.name === r.name)) out.push(r);
  return out;
}
