import { RegistryCredentialsForm } from '@/components/registry-credentials-form';
import { SettingsForm } from '@/components/settings-form';
import { getDb } from '@/lib/db';
import { listRegistryCredentials } from '@/lib/secrets/registry-credentials';
import { readSettings, trustRootChoices } from '@/lib/settings';
import { allowHostsFromEnv } from '@/lib/net/outbound';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Settings' };

export default async function SettingsPage() {
  await requirePage('admin');
  const settings = readSettings();
  const fromEnv = (process.env.SIGSCOPE_ALLOW_HTTP_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const roots = trustRootChoices(settings);
  const credentials = await listRegistryCredentials(await getDb());
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
      <SettingsForm initial={settings} fromEnv={fromEnv} allowedFromEnv={allowHostsFromEnv()} />
      <section aria-labelledby="credentials" className="space-y-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h2 id="credentials" className="font-semibold">Registry credentials</h2>
        <RegistryCredentialsForm credentials={credentials.map((c) => ({ ...c, updatedAt: c.updatedAt.toISOString() }))} />
      </section>
      <section aria-labelledby="roots" className="text-sm">
        <h2 id="roots" className="mb-2 font-semibold">Trusted roots offered</h2>
        <ul className="list-disc pl-5">
          {roots.map((r) => (
            <li key={r.name}><span className="font-medium">{r.name}</span> <span className="font-mono text-xs text-slate-500">{r.path ?? 'bundled with @sigstore/tuf (offline)'}</span></li>
          ))}
        </ul>
      </section>
    </div>
  );
}
