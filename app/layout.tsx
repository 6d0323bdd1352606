import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: { default: 'Sigscope', template: '%s · Sigscope' },
  description: 'Audit the container images your organization signs with Sigstore.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <nav className="mx-auto flex max-w-6xl items-center gap-6 px-6 py-3" aria-label="Main">
            <Link href="/" className="font-semibold tracking-tight text-slate-900 hover:no-underline">
              <span aria-hidden className="mr-1.5 inline-block h-2.5 w-2.5 rounded-full bg-emerald-500" />
              Sigscope
            </Link>
            <Link href="/">Verify</Link>
            <Link href="/runs">Runs</Link>
            <Link href="/scans">Scans</Link>
            <Link href="/organizations">Organizations</Link>
            <Link href="/images">Images</Link>
            <Link href="/identities">Identities</Link>
            <Link href="/timeline">Timeline</Link>
            <Link href="/findings">Findings</Link>
            <Link href="/rekor">Rekor</Link>
            <Link href="/policies">Policies</Link>
            <Link href="/reports">Reports</Link>
            <Link href="/settings">Settings</Link>
          </nav>
        </header>
        <Providers>
          <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
