import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/sign-in-form';
import { ensureFirstAdmin } from '@/lib/auth/accounts';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'First start' };

/** Shown only while no account exists (and none is configured by SIGSCOPE_ADMIN_USER/PASSWORD). */
export default async function SetupPage() {
  if (await ensureFirstAdmin(await getDb())) redirect('/sign-in');
  return (
    <div className="mx-auto max-w-sm space-y-6 pt-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Create the first admin</h1>
        <p className="mt-1 text-sm text-slate-600">
          Sigscope has no account yet. The account you create here is an admin; it can add viewers, auditors and other admins. This page disappears once it exists.
        </p>
      </div>
      <SignInForm mode="setup" />
    </div>
  );
}
