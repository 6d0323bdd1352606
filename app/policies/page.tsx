import Link from 'next/link';
import { EmptyState } from '@/components/empty-state';
import { formatTime } from '@/components/format';
import { PolicyImportForm } from '@/components/policy-import-form';
import { getDb } from '@/lib/db';
import { listPolicies } from '@/lib/db/policies';
import { readDemoExamples } from '@/lib/demo-examples';
import { ModeBadge } from '@/components/policy-badge';
import { requirePage } from '@/lib/auth/page';
import { roleAtLeast } from '@/lib/auth/roles';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Policies' };

/** A starting point for the import form: the demo's registry and signer when the demo runs. */
function exampleYaml(): string {
  const demo = readDemoExamples();
  const registry = demo?.scenarios[0]?.reference.split('/')[0] ?? 'ghcr.io';
  const org = demo ? 'demo' : 'acme';
  const identity = demo?.identity ?? 'https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main';
  const at = identity.lastIndexOf('@');
  const subjectRegExp = `${identity.slice(0, at).replace(/[.]/g, '\\.')}@refs/(heads/main|tags/v.*)`;
  const repo = /^https:\/\/github\.com\/([^/]+\/[^/]+)\//.exec(identity)?.[1] ?? 'acme/widget';
  return `apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: release-signed
spec:
  mode: enforce
  images:
    - glob: "${registry}/${org}/**"
  authorities:
    - name: release-workflow
      keyless:
        identities:
          - issuer: ${demo?.issuer ?? 'https://token.actions.githubusercontent.com'}
            subjectRegExp: ${subjectRegExp}
            github:
              repository: ${repo}
              ref: refs/heads/main
              trigger: push
${
  demo
    ? `    - name: release-key
      key:
        data: |
${demo.publicKeyPem
  .trim()
  .split('\n')
  .map((l) => `          ${l}`)
  .join('\n')}
`
    : ''
}`;
}

export default async function PoliciesPage() {
  const user = await requirePage('viewer');
  const policies = await listPolicies(await getDb());
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Policies</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          A policy names image globs and the authorities allowed to sign them (keyless identities, keys), in YAML close to Sigstore policy-controller&apos;s
          ClusterImagePolicy. An image must satisfy one authority of every policy that matches it; a policy in <em>warn</em> mode reports instead of failing.
          Every version is kept, and each run records the version it used.
        </p>
      </div>

      {policies.length === 0 ? (
        <EmptyState title="No policies yet">Import one below; then choose it on the Verify form, or run <code>bin/sigscope verify IMAGE --policy NAME</code>.</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="policies-table">
            <caption className="sr-only">Stored policies</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">Name</th>
                <th scope="col" className="px-4 py-2">Latest version</th>
                <th scope="col" className="px-4 py-2">Documents and image globs</th>
                <th scope="col" className="px-4 py-2">Runs</th>
                <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 align-top">
              {policies.map((p) => (
                <tr key={p.id} className="hover:bg-slate-50">
                  <td className="px-4 py-3 font-medium"><Link href={`/policies/${p.id}`}>{p.name}</Link></td>
                  <td className="px-4 py-3 whitespace-nowrap">
                    v{p.latest.version} <span className="text-xs text-slate-500">· {formatTime(p.latest.createdAt)}</span>
                    <div className="text-xs text-slate-500">{p.versions.length} version{p.versions.length === 1 ? '' : 's'}</div>
                  </td>
                  <td className="px-4 py-3">
                    <ul className="space-y-1">
                      {p.latest.parsed.policies.map((d) => (
                        <li key={d.name} className="flex flex-wrap items-center gap-1.5">
                          <span className="font-mono text-xs">{d.name}</span>
                          <ModeBadge mode={d.mode} />
                          {d.images.map((i) => (
                            <code key={i.glob} className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">{i.glob}</code>
                          ))}
                          <span className="text-xs text-slate-500">· {d.authorities.length} authorit{d.authorities.length === 1 ? 'y' : 'ies'}</span>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td className="px-4 py-3">{p.runCount}</td>
                  <td className="px-4 py-3 whitespace-nowrap text-xs">
                    <a href={`/api/policies/${p.id}/export`} download>Export YAML</a>
                    <span className="mx-1.5 text-slate-300">|</span>
                    <Link href={`/policies/${p.id}/compare?version=${p.latest.version}`}>Re-evaluate history</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {roleAtLeast(user.role, 'admin') ? (
        <section aria-labelledby="import" className="space-y-3">
          <h2 id="import" className="text-lg font-semibold">Import a policy</h2>
          <PolicyImportForm example={exampleYaml()} />
        </section>
      ) : (
        <p className="text-sm text-slate-500">Only admins import or change policies.</p>
      )}
    </div>
  );
}
