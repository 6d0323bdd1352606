import type { BuildClaims } from '@/lib/db/identities';

const ROWS: Array<[keyof BuildClaims, string]> = [
  ['repository', 'Source repository'],
  ['ref', 'Ref'],
  ['workflow', 'Workflow (build config)'],
  ['workflowName', 'Workflow name'],
  ['trigger', 'Trigger'],
  ['runnerEnvironment', 'Runner environment'],
  ['commit', 'Commit'],
  ['buildSigner', 'Build signer'],
  ['runInvocation', 'Run'],
  ['visibility', 'Repository visibility'],
];

/** The build claims a certificate carried, as a two-column table. */
export function BuildClaimsTable({ claims, caption }: { claims: BuildClaims; caption: string }) {
  return (
    <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
      <caption className="sr-only">{caption}</caption>
      <tbody className="divide-y divide-slate-100">
        {ROWS.filter(([k]) => claims[k]).map(([k, label]) => (
          <tr key={k}>
            <th scope="row" className="w-56 px-4 py-2 text-left font-normal text-slate-500">{label}</th>
            <td className="px-4 py-2 font-mono text-xs break-all">
              {k === 'runnerEnvironment' && claims[k] !== 'github-hosted' ? <span className="rounded bg-amber-100 px-1.5 py-0.5 text-amber-900">{claims[k]}</span> : claims[k]}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function isGithubIssuer(issuer: string | null | undefined): boolean {
  return issuer === 'https://token.actions.githubusercontent.com' || /^https:\/\/token\.actions\.githubusercontent\.com\//.test(issuer ?? '');
}
