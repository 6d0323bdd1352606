import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { Metadata } from 'next';
import { Digest } from '@/components/digest';
import { EmptyState } from '@/components/empty-state';
import { formatTime } from '@/components/format';
import { IdentityName } from '@/components/identity-name';
import { IdentityStatusBadge } from '@/components/identity-status';
import { WrapAt } from '@/components/wrap-at';
import { StatusBadge } from '@/components/status-badge';
import { getDb, listRepositoryIdentities, listRepositoryImages } from '@/lib/db';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';

type Params = Promise<{ registry: string; repository: string[] }>;

const REGISTRY = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/;
// Docker repositories are lowercase; accept what a registry might store, never '.' or '..' alone.
const SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,255}$/;

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** registry + repository path from the URL, validated as the Docker grammar allows; null otherwise. */
function parse(p: Awaited<Params>): { registry: string; repository: string } | null {
  const registry = safeDecode(p.registry);
  const segments = p.repository.map(safeDecode);
  if (!registry || !REGISTRY.test(registry) || segments.length === 0 || segments.length > 32) return null;
  if (!segments.every((s): s is string => s !== null && SEGMENT.test(s))) return null;
  const repository = segments.join('/');
  return repository.length <= 255 ? { registry, repository } : null;
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const r = parse(await params);
  return { title: r ? `${r.registry}/${r.repository}` : 'Repository' };
}

export default async function RepositoryPage({ params }: { params: Params }) {
  await requirePage('viewer');
  const r = parse(await params);
  if (!r) notFound();
  const db = await getDb();
  const [identities, images] = await Promise.all([listRepositoryIdentities(db, r.registry, r.repository), listRepositoryImages(db, r.registry, r.repository)]);
  if (identities.length === 0 && images.length === 0) notFound();
  const name = `${r.registry}/${r.repository}`;

  return (
    <div className="space-y-8">
      <nav className="text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href="/images">Images</Link> / repository
      </nav>
      <header className="space-y-1">
        <h1 className="text-xl font-semibold break-all">{name}</h1>
        <p className="text-sm text-slate-600">
          {images.length} image{images.length === 1 ? '' : 's'} · {identities.length} signing identit{identities.length === 1 ? 'y' : 'ies'} ·{' '}
          <Link href={`/identities?repository=${encodeURIComponent(name)}`}>filter identities by this repository</Link> · <Link href={`/reports?kind=repository&value=${encodeURIComponent(name)}`}>audit report</Link>
        </p>
      </header>

      <section aria-labelledby="signers" className="space-y-2">
        <h2 id="signers" className="text-lg font-semibold">Who signs it</h2>
        {identities.length === 0 ? (
          <EmptyState title="No signer seen for this repository" />
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Identities signing {name}, in the order they first appeared</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2">Identity</th>
                  <th scope="col" className="px-4 py-2">Issuer</th>
                  <th scope="col" className="px-4 py-2">Since</th>
                  <th scope="col" className="px-4 py-2">Last seen</th>
                  <th scope="col" className="px-4 py-2 text-right">Signatures</th>
                  <th scope="col" className="px-4 py-2 text-right">Verified</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {identities.map((i) => (
                  <tr key={i.key} className="align-top" data-testid="repository-identity">
                    <td className="max-w-md px-4 py-2">
                      <IdentityName identityKey={i.key} ref_={i.ref} />
                      <div className="mt-1 flex flex-wrap items-center gap-2">
                        <IdentityStatusBadge status={i.status} />
                        {i.claims?.ref && <code className="text-xs text-slate-500">{i.claims.ref}</code>}
                        {i.claims?.runnerEnvironment && i.claims.runnerEnvironment !== 'github-hosted' && (
                          <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900">{i.claims.runnerEnvironment}</span>
                        )}
                      </div>
                    </td>
                    <td className="px-4 py-2 text-xs">{i.ref.kind === 'keyless' ? (i.ref.issuer ? <WrapAt text={i.ref.issuer} /> : '—') : 'public key'}</td>
                    <td className="px-4 py-2 text-xs whitespace-nowrap">{formatTime(i.firstSeenAt)}</td>
                    <td className="px-4 py-2 text-xs whitespace-nowrap">{formatTime(i.lastSeenAt)}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{i.counts.signatures}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{i.counts.verified}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="images" className="space-y-2">
        <h2 id="images" className="text-lg font-semibold">Images</h2>
        {images.length === 0 ? (
          <EmptyState title="No image of this repository is stored" />
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Images of {name}</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2">Digest</th>
                  <th scope="col" className="px-4 py-2">Tags seen</th>
                  <th scope="col" className="px-4 py-2">First seen</th>
                  <th scope="col" className="px-4 py-2 text-right">Signatures</th>
                  <th scope="col" className="px-4 py-2">Latest verdict</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {images.map((i) => (
                  <tr key={i.id}>
                    <td className="px-4 py-2"><Link href={`/images/${i.id}`}><Digest value={i.digest} /></Link></td>
                    <td className="px-4 py-2 font-mono text-xs">{i.tags.length ? i.tags.join(', ') : '—'}</td>
                    <td className="px-4 py-2 text-xs whitespace-nowrap">{formatTime(i.firstSeenAt)}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{i.signatureCount}</td>
                    <td className="px-4 py-2">
                      {i.latestRun ? (
                        <Link href={`/runs/${i.latestRun.id}`} className="inline-flex items-center gap-2">
                          <StatusBadge status={i.latestRun.status} />
                          <span className="text-xs text-slate-500">{formatTime(i.latestRun.createdAt)}</span>
                        </Link>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
