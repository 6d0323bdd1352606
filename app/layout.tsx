import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';
import { Providers } from './providers';
import { SignOutButton } from '@/components/sign-out-button';
import { currentUser } from '@/lib/auth/page';
import { roleAtLeast } from '@/lib/auth/roles';

export const metadata: Metadata = {
  title: { default: 'Sigscope', template: '%s · Sigscope' },
  description: 'Audit the container images your organization signs with Sigstore.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Pages check the session themselves (requirePage); the layout only decides what the header shows.
  const user = await currentUser();
  return (
    <html lang="en">
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <nav className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-6 py-3 text-sm" aria-label="Main">
            <Link href="/" className="font-semibold tracking-tight text-slate-900 hover:no-underline">
              <span aria-hidden className="mr-1.5 inline-block h-2.5 w-2.5 rounded-full bg-emerald-500" />
              Sigscope
            </Link>
            {user && (
              <>
                <Link href="/">{roleAtLeast(user.role, 'auditor') ? 'Verify' : 'Home'}</Link>
                <Link href="/runs">Runs</Link>
                <Link href="/scans">Scans</Link>
                <Link href="/organizations">Orgs</Link>
                <Link href="/images">Images</Link>
                <Link href="/identities">Identities</Link>
                <Link href="/timeline">Timeline</Link>
                <Link href="/findings">Findings</Link>
                <Link href="/rekor">Rekor</Link>
                <Link href="/policies">Policies</Link>
                <Link href="/reports">Reports</Link>
                {roleAtLeast(user.role, 'admin') && (
                  <>
                    <Link href="/settings">Settings</Link>
                    <Link href="/users">Users</Link>
                    <Link href="/audit-log">Audit log</Link>
                  </>
                )}
                <span className="ml-auto flex items-center gap-3 text-sm">
                  <Link href="/account" title="Your account and API tokens">
                    {user.username}
                  </Link>
                  <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600" data-testid="role">{user.role}</span>
                  <SignOutButton />
                </span>
              </>
            )}
          </nav>
        </header>
        <Providers>
          <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
