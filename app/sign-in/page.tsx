import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/sign-in-form';
import { ensureFirstAdmin } from '@/lib/auth/accounts';
import { currentUser } from '@/lib/auth/page';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (!(await ensureFirstAdmin(await getDb()))) redirect('/setup');
  if (await currentUser()) redirect('/');
  const next = (await searchParams).next;
  return (
    <div className="mx-auto max-w-sm space-y-6 pt-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
        <p className="mt-1 text-sm text-slate-600">Sigscope keeps the history of who verified what. Ask an admin for an account.</p>
      </div>
      <SignInForm mode="sign-in" next={typeof next === 'string' ? next : undefined} />
    </div>
  );
}
