import { PasswordForm } from '@/components/password-form';
import { TokensPanel } from '@/components/tokens-panel';
import { listApiTokens } from '@/lib/auth/accounts';
import { requirePage } from '@/lib/auth/page';
import { ROLE_DESCRIPTIONS } from '@/lib/auth/roles';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Account' };

export default async function AccountPage() {
  const user = await requirePage('viewer');
  const tokens = await listApiTokens(await getDb(), user.id);
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{user.username}</h1>
        <p className="mt-1 text-sm text-slate-600">
          Role <strong>{user.role}</strong>: {ROLE_DESCRIPTIONS[user.role]}.
        </p>
      </div>
      <section aria-labelledby="tokens" className="space-y-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h2 id="tokens" className="text-lg font-semibold">API tokens</h2>
        <p className="max-w-3xl text-sm text-slate-600">
          For the CLI and automation: send <code>Authorization: Bearer sgs_…</code>. A token acts with your role, is shown once, stored only as a hash, and stops
          working as soon as you revoke it (or an admin disables your account).
        </p>
        <TokensPanel initial={tokens.map((t) => ({ ...t, createdAt: t.createdAt.toISOString(), lastUsedAt: t.lastUsedAt?.toISOString() ?? null, revokedAt: t.revokedAt?.toISOString() ?? null }))} />
      </section>
      <section aria-labelledby="password" className="space-y-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h2 id="password" className="text-lg font-semibold">Password</h2>
        <PasswordForm />
      </section>
    </div>
  );
}
