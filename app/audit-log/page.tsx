import Link from 'next/link';
import { EmptyState } from '@/components/empty-state';
import { requirePage } from '@/lib/auth/page';
import { getDb } from '@/lib/db';
import { AUDIT_ACTIONS, AuditQuerySchema, auditActors, listAuditEvents } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Audit log' };

const field = 'rounded-md border border-slate-300 bg-white px-3 py-2 text-sm';

function pick(raw: Record<string, string | string[] | undefined>, k: string): string | undefined {
  const v = raw[k];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('admin');
  const raw = await searchParams;
  const wanted = { actor: pick(raw, 'actor'), action: pick(raw, 'action'), target: pick(raw, 'target'), from: pick(raw, 'from'), to: pick(raw, 'to'), cursor: pick(raw, 'cursor'), limit: 100 };
  const parsed = AuditQuerySchema.safeParse(wanted);
  const db = await getDb();
  const [result, actors] = await Promise.all([parsed.success ? listAuditEvents(db, parsed.data) : Promise.resolve({ events: [], nextCursor: null }), auditActors(db)]);
  const filtered = Boolean(wanted.actor || wanted.action || wanted.target || wanted.from || wanted.to);
  const nextHref = result.nextCursor
    ? `/audit-log?${new URLSearchParams(Object.entries({ ...wanted, cursor: result.nextCursor, limit: undefined }).filter((e): e is [string, string] => typeof e[1] === 'string')).toString()}`
    : null;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Audit log</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">Who did what: sign-ins (and failed ones), verifications, policy and settings changes, acknowledgements, users and tokens. Append-only; newest first.</p>
      </div>
      <form method="get" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-label="Filter the audit log">
        <div>
          <label htmlFor="actor" className="mb-1 block text-xs font-medium">Actor</label>
          <select id="actor" name="actor" defaultValue={wanted.actor ?? ''} className={field}>
            <option value="">anyone</option>
            {actors.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="action" className="mb-1 block text-xs font-medium">Action</label>
          <select id="action" name="action" defaultValue={wanted.action ?? ''} className={field}>
            <option value="">any</option>
            {AUDIT_ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="target" className="mb-1 block text-xs font-medium">Target contains</label>
          <input id="target" name="target" defaultValue={wanted.target ?? ''} maxLength={512} className={field} />
        </div>
        <div>
          <label htmlFor="from" className="mb-1 block text-xs font-medium">From</label>
          <input id="from" name="from" type="date" defaultValue={wanted.from ?? ''} className={field} />
        </div>
        <div>
          <label htmlFor="to" className="mb-1 block text-xs font-medium">To</label>
          <input id="to" name="to" type="date" defaultValue={wanted.to ?? ''} className={field} />
        </div>
        <button type="submit" className="rounded-md bg-slate-900 px-4 py-2 text-sm font-semibold text-white hover:bg-slate-700">Filter</button>
        {filtered && <Link href="/audit-log" className="text-sm">Clear</Link>}
      </form>
      {!parsed.success && <p role="alert" className="text-sm text-red-700">Filter not applied: {parsed.error.issues[0]?.path.join('.')}: {parsed.error.issues[0]?.message}</p>}
      {result.events.length === 0 ? (
        <EmptyState title={filtered ? 'No event matches these filters' : 'No events yet'}>{filtered ? 'Widen the dates or clear a filter.' : 'Sign-ins and changes appear here as they happen.'}</EmptyState>
      ) : (
        <table className="w-full text-left text-sm" aria-label="Audit events">
          <thead className="text-xs uppercase text-slate-500">
            <tr><th className="py-2">When (UTC)</th><th>Actor</th><th>Action</th><th>Target</th><th>Details</th><th>Address</th></tr>
          </thead>
          <tbody>
            {result.events.map((e) => (
              <tr key={e.id} className="border-t border-slate-100 align-top">
                <td className="py-2 whitespace-nowrap font-mono text-xs">{e.at.toISOString().replace('T', ' ').slice(0, 19)}</td>
                <td>{e.actor}</td>
                <td><span className={e.action === 'sign-in-failed' ? 'rounded bg-red-50 px-1.5 py-0.5 text-red-800' : 'rounded bg-slate-100 px-1.5 py-0.5'}>{e.action}</span></td>
                <td className="max-w-xs font-mono text-xs break-all">{e.target ?? '—'}</td>
                <td className="max-w-sm font-mono text-xs break-all text-slate-600">{Object.entries(e.detail).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}</td>
                <td className="font-mono text-xs text-slate-500">{e.ip ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextHref && <Link href={nextHref} className="text-sm">Older events →</Link>}
    </div>
  );
}
