/**
 * Local settings shared by the dashboard and the CLI: which registries may be
 * reached over plain HTTP, which hosts on loopback/private networks may be
 * reached at all (the outbound guard, lib/net/outbound.ts), and which trusted
 * roots are offered besides public-good.
 * Stored as a small JSON file in the data directory (validated on every read).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SigscopeError } from './errors';
import { fileVersion } from './file-version';
import { PUBLIC_GOOD } from './verify/trust-root';
import { ALLOW_HOSTS_ENV, allowHostsFromEnv, parseAllowEntry } from './net/outbound';

// The CLI wrapper sets SIGSCOPE_HOME; the dashboard runs from the project directory.
export const PROJECT_ROOT = path.resolve(/*turbopackIgnore: true*/ process.env.SIGSCOPE_HOME ?? process.cwd());

export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.SIGSCOPE_DATA_DIR ?? path.join(PROJECT_ROOT, "data"));
}

const HostSchema = z.string().trim().min(1).max(261).regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/, 'a registry host such as 127.0.0.1:5000');
const AllowedHostSchema = z.string().trim().min(1).max(270).refine((h) => {
  try {
    parseAllowEntry(h);
    return true;
  } catch {
    return false;
  }
}, 'a host, host:port, [IPv6]:port or an address range such as 10.0.0.0/8');
const RootSchema = z.object({ name: z.string().trim().min(1).max(64).regex(/^[\w .-]+$/), path: z.string().trim().min(1).max(4096) });

/** The explorer's logs: a trusted root by name, and optionally only some of its logs (base URLs). */
export const RekorSettingsSchema = z.object({
  trustRoot: z.string().trim().min(1).max(64).regex(/^[\w .-]+$/, 'a trusted root name'),
  logUrls: z.array(z.string().trim().url().max(2048)).max(32).default([]),
});
export type RekorSettings = z.infer<typeof RekorSettingsSchema>;

const KeyNameSchema = z.string().trim().min(1).max(64).regex(/^[^\u0000-\u001f\u007f]+$/, 'printable characters only');

export const SettingsSchema = z.object({
  allowHttpRegistries: z.array(HostSchema).max(64).default([]),
  /** Hosts on loopback, private or link-local addresses that registries and logs may live on (the outbound guard refuses others). */
  allowedHosts: z.array(AllowedHostSchema).max(64).default([]),
  trustedRoots: z.array(RootSchema).max(32).default([]),
  /** Names people give signing keys, by sha256 fingerprint of the public key (hex). */
  keyNames: z.record(z.string().regex(/^[a-f0-9]{64}$/, 'a sha256 key fingerprint'), KeyNameSchema).default({}),
  /** Which transparency logs the Rekor explorer and watches use (absent: the defaults of rekorLogChoice). */
  rekor: RekorSettingsSchema.optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;

function settingsFile(): string {
  return path.join(dataDir(), 'settings.json');
}

/** The last settings file read, by its version (lib/file-version.ts): a scan reads settings per image. */
let lastRead: { file: string; version: string; stored: Settings } | null = null;

export function readSettings(): Settings {
  const file = settingsFile();
  const stored = readStoredSettings(file);
  const fromEnv = (process.env.SIGSCOPE_ALLOW_HTTP_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    ...stored,
    allowHttpRegistries: [...new Set([...stored.allowHttpRegistries, ...fromEnv])],
    allowedHosts: [...new Set([...stored.allowedHosts, ...allowHostsFromEnv()])],
  };
}

function readStoredSettings(file: string): Settings {
  const version = fileVersion(file);
  if (version && lastRead?.file === file && lastRead.version === version) return structuredClone(lastRead.stored);
  let stored: Settings = { allowHttpRegistries: [], allowedHosts: [], trustedRoots: [], keyNames: {} };
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
    if (version) lastRead = { file, version, stored: structuredClone(stored) };
  }
  return stored;
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

/** Names a signing key (or removes its name with an empty string); other settings are kept. */
export function setKeyName(fingerprint: string, name: string): Settings {
  if (!/^[a-f0-9]{64}$/.test(fingerprint)) throw new SigscopeError('INVALID_INPUT', `"${fingerprint.slice(0, 80)}" is not a sha256 key fingerprint (64 lowercase hex)`);
  const current = readSettings();
  const fromEnv = new Set((process.env.SIGSCOPE_ALLOW_HTTP_REGISTRIES ?? '').split(',').map((h) => h.trim()).filter(Boolean));
  const keyNames = { ...current.keyNames };
  if (name.trim() === '') delete keyNames[fingerprint];
  else keyNames[fingerprint] = name;
  // Hosts allowed by the environment are not written into the file.
  return writeSettings({ ...withoutEnvHosts(current, fromEnv), keyNames });
}

/** Settings minus the hosts that come from SIGSCOPE_ALLOW_HTTP_REGISTRIES / SIGSCOPE_ALLOW_HOSTS (never written to the file). */
export function withoutEnvHosts(current: Settings, httpFromEnv = new Set((process.env.SIGSCOPE_ALLOW_HTTP_REGISTRIES ?? '').split(',').map((h) => h.trim()).filter(Boolean))): Settings {
  const allowFromEnv = new Set(allowHostsFromEnv());
  return {
    ...current,
    allowHttpRegistries: current.allowHttpRegistries.filter((h) => !httpFromEnv.has(h)),
    allowedHosts: current.allowedHosts.filter((h) => !allowFromEnv.has(h)),
  };
}

export { ALLOW_HOSTS_ENV };

/**
 * The trusted root (and logs) the explorer and watches use: the one chosen in
 * settings, else the sandbox's when the demo made one (reachable offline), else public-good.
 */
export function rekorLogChoice(settings = readSettings()): { trustRoot: string; logUrls: string[]; fromSettings: boolean } {
  const choices = trustRootChoices(settings);
  if (settings.rekor && choices.some((c) => c.name === settings.rekor!.trustRoot)) return { ...settings.rekor, fromSettings: true };
  return { trustRoot: choices.some((c) => c.name === 'sandbox') ? 'sandbox' : PUBLIC_GOOD, logUrls: [], fromSettings: false };
}

/** Stores the explorer's log choice; other settings are kept. */
export function setRekorSettings(rekor: unknown): Settings {
  const parsed = RekorSettingsSchema.safeParse(rekor);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new SigscopeError('INVALID_INPUT', `${i?.path.join('.') || 'rekor'}: ${i?.message}`);
  }
  if (!trustRootChoices().some((c) => c.name === parsed.data.trustRoot)) throw new SigscopeError('INVALID_INPUT', `no trusted root named ${parsed.data.trustRoot}: add it under "Additional trusted roots" first`);
  const current = readSettings();
  const fromEnv = new Set((process.env.SIGSCOPE_ALLOW_HTTP_REGISTRIES ?? '').split(',').map((h) => h.trim()).filter(Boolean));
  return writeSettings({ ...current, allowHttpRegistries: current.allowHttpRegistries.filter((h) => !fromEnv.has(h)), rekor: parsed.data });
}
