import { RegistryCredentialsForm } from '@/components/registry-credentials-form';
import { SettingsForm } from '@/components/settings-form';
import { getDb } from '@/lib/db';
import { listRegistryCredentials } from '@/lib/secrets/registry-credentials';
import { allowHostsFromEnv } from '@/lib/net/outbound';
import { requirePage } from '@/lib/auth/page';
import { readSettings, rekorLogChoice, trustRootChoices } from '@/lib/settings';
import { exploreContext, loadTrustRootChoice } from '@/lib/rekor/explore';
import { RekorLogsForm, type RootLogs } from './_components/rekor-logs-form';

function logsOf(name: string): RootLogs {
  try {
    return { name, logs: exploreContext(loadTrustRootChoice(name)).logs.map((l) => ({ url: l.baseUrl, version: l.version })) };
  } catch (e) {
    return { name, logs: [], error: (e as Error).message };
  }
}

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Settings' };

export default async function SettingsPage() {
  await requirePage('admin');
  const settings = readSettings();
  const fromEnv = (process.env.SIGSCOPE_ALLOW_HTTP_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const roots = trustRootChoices(settings);
  const credentials = await listRegistryCredentials(await getDb());
  const rekor = rekorLogChoice(settings);
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
      <section aria-labelledby="rekor-logs-title" id="rekor-logs" className="space-y-2">
        <h2 id="rekor-logs-title" className="text-lg font-semibold">Rekor logs</h2>
        <p className="text-sm text-slate-600">
          The transparency logs the Rekor explorer and identity watches use{rekor.fromSettings ? '' : ` (not chosen yet: using ${rekor.trustRoot}, ${rekor.trustRoot === 'sandbox' ? 'the sandbox, reachable offline' : 'the default'})`}.
        </p>
        <RekorLogsForm roots={roots.map((r) => logsOf(r.name))} initial={{ trustRoot: rekor.trustRoot, logUrls: rekor.logUrls }} />
      </section>
    </div>
  );
}
