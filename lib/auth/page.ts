/**
 * Session checks for server components (pages and the layout).
 *
 *   export default async function Page() { const user = await requirePage('viewer'); ... }
 *
 * No session → redirect to /sign-in; role too low → /forbidden. Every page.tsx under app/
 * except /sign-in, /setup and /forbidden calls it (tests/integration/route-guards.test.ts checks).
 */
import 'server-only';
import { cache } from 'react';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { getDb } from '../db';
import { lookupSession, type AuthUser } from './accounts';
import { SESSION_COOKIE } from './cookies';
import { roleAtLeast, type Role } from './roles';

/** The signed-in user for this request, or null (one lookup per request). */
export const currentUser = cache(async (): Promise<AuthUser | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const session = await lookupSession(await getDb(), token);
  return session?.user ?? null;
});

export async function requirePage(role: Role = 'viewer'): Promise<AuthUser> {
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  if (!roleAtLeast(user.role, role)) redirect(`/forbidden?need=${role}`);
  return user;
}
