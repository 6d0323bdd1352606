import { UsersAdmin } from '@/components/users-admin';
import { listUsers } from '@/lib/auth/accounts';
import { requirePage } from '@/lib/auth/page';
import { ROLES, ROLE_DESCRIPTIONS } from '@/lib/auth/roles';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Users' };

export default async function UsersPage() {
  const me = await requirePage('admin');
  const users = await listUsers(await getDb());
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
        <ul className="mt-2 space-y-0.5 text-sm text-slate-600">
          {ROLES.map((r) => (
            <li key={r}><strong>{r}</strong>: {ROLE_DESCRIPTIONS[r]}</li>
          ))}
        </ul>
      </div>
      <UsersAdmin me={me.username} users={users.map((u) => ({ ...u, createdAt: u.createdAt.toISOString(), disabledAt: u.disabledAt?.toISOString() ?? null }))} />
    </div>
  );
}
