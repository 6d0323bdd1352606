import clsx from 'clsx';

const STYLES: Record<string, { label: string; title: string; className: string }> = {
  verified: {
    label: 'Verified signer',
    title: 'At least one signature passed every check and matched the signer a policy expected.',
    className: 'bg-emerald-100 text-emerald-800 ring-emerald-600/30',
  },
  valid: {
    label: 'Valid, never matched',
    title: 'Signatures passed the cryptographic checks, but no verification named this signer: who it is was never checked against a policy.',
    className: 'bg-amber-100 text-amber-900 ring-amber-600/30',
  },
  unverified: {
    label: 'Unverified claim',
    title: 'No signature from this identity ever passed verification: the identity is only what the signature claims.',
    className: 'bg-red-100 text-red-800 ring-red-600/30',
  },
};

/** How far an identity is to be believed (see lib/db/identities IdentityStatus). */
export function IdentityStatusBadge({ status }: { status: string }) {
  const s = STYLES[status] ?? { label: status, title: '', className: 'bg-slate-100 text-slate-700 ring-slate-400/30' };
  return (
    <span data-identity-status={status} title={s.title} className={clsx('inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset', s.className)}>
      {s.label}
    </span>
  );
}

export const IDENTITY_STATUS_HELP: Record<string, string> = Object.fromEntries(Object.entries(STYLES).map(([k, v]) => [k, v.title]));
