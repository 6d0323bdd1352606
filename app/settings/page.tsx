import { SettingsForm } from '@/components/settings-form';
import { readSettings, trustRootChoices } from '@/lib/settings';
import { allowHostsFromEnv } from '@/lib/net/outbound';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Settings' };

export default function SettingsPage() {
  const settings = readSettings();
  const fromEnv = (process.env.SIGSCOPE_ALLOW_HTTP_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const roots = trustRootChoices(settings);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
      <SettingsForm initial={settings} fromEnv={fromEnv} allowedFromEnv={allowHostsFromEnv()} />
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
