import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/auth/page';
import { isRole } from '@/lib/auth/roles';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Not allowed' };

export default async function ForbiddenPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  const need = (await searchParams).need;
  return (
    <div className="mx-auto max-w-lg space-y-3 pt-8">
      <h1 className="text-2xl font-semibold tracking-tight">Not allowed for your role</h1>
      <p className="text-sm text-slate-600">
        {isRole(need) ? <>This page needs the <strong>{need}</strong> role; </> : null}you are signed in as <strong>{user.username}</strong> ({user.role}). Ask an admin if you need more.
      </p>
      <Link href="/" className="text-sm">Back to the dashboard</Link>
    </div>
  );
}
