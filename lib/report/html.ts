/**
 * The printable HTML of a report (rendered to PDF by ./pdf.ts): summary, a coverage chart as
 * inline SVG, the table and the findings. Self-contained: inline CSS, system fonts, no script,
 * nothing fetched. Every value is escaped (identities and reasons come from signatures).
 */
import type { ReportFinding, ReportHeader, ReportRow } from './types';

/** Rows beyond this are left to the CSV / JSON formats (the PDF says so). */
export const PDF_MAX_ROWS = 2000;

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const COLORS: Record<string, string> = {
  verified: '#059669',
  'signed-unchecked': '#d97706',
  failed: '#dc2626',
  unsigned: '#64748b',
  error: '#7f1d1d',
};
const LABELS: Record<string, string> = {
  verified: 'Verified',
  'signed-unchecked': 'Signed, signer not checked',
  failed: 'Not verified',
  unsigned: 'Unsigned',
  error: 'Error',
};

/** A horizontal stacked bar of the verdicts, with a legend. */
export function coverageSvg(summary: ReportHeader['summary']): string {
  const parts: Array<[string, number]> = [
    ['verified', summary.verified],
    ['signed-unchecked', summary.signedUnchecked],
    ['failed', summary.failed],
    ['unsigned', summary.unsigned],
    ['error', summary.errors],
  ];
  const width = 720;
  let x = 0;
  const bars = summary.total === 0
    ? `<rect x="0" y="0" width="${width}" height="28" fill="#e2e8f0"/>`
    : parts
        .filter(([, n]) => n > 0)
        .map(([k, n]) => {
          const w = (n / summary.total) * width;
          const rect = `<rect x="${x.toFixed(2)}" y="0" width="${w.toFixed(2)}" height="28" fill="${COLORS[k]}"><title>${escapeHtml(LABELS[k])}: ${n}</title></rect>`;
          x += w;
          return rect;
        })
        .join('');
  let lx = 0;
  const legend = parts
    .map(([k, n]) => {
      const text = `${LABELS[k]} ${n}`;
      const item = `<rect x="${lx}" y="40" width="10" height="10" fill="${COLORS[k]}"/><text x="${lx + 14}" y="49" font-size="10" fill="#334155">${escapeHtml(text)}</text>`;
      // Roughly 6 px per character at 10 px: enough room for the label, then a gap.
      lx += 14 + text.length * 6 + 18;
      return item;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Coverage: ${summary.coveragePercent}% verified" width="${width}" height="56" viewBox="0 0 ${width} 56">${bars}${legend}</svg>`;
}

function signerCell(r: ReportRow): string {
  if (!r.signer) return '<span class="muted">—</span>';
  if (r.signer.identity) return `${escapeHtml(r.signer.identity)}<br><span class="muted">${escapeHtml(r.signer.issuer ?? '')}</span>`;
  return `key ${escapeHtml(r.signer.keyFingerprint?.slice(0, 16) ?? '')}…`;
}

export function reportHtml(header: ReportHeader, rows: ReportRow[], findings: ReportFinding[], totalRows: number): string {
  const s = header.summary;
  const policy = header.policy ? `${escapeHtml(header.policy.name)} v${header.policy.version} <span class="muted mono">${escapeHtml(header.policy.hash.slice(0, 16))}…</span>` : 'Latest run of each image, whatever its policy';
  const roots = header.trustRoots.length ? header.trustRoots.map((r) => `${escapeHtml(r.name)} <span class="muted mono">${escapeHtml(r.hash.slice(0, 12))}…</span>`).join('<br>') : '—';
  const body = rows
    .map(
      (r) => `<tr>
<td><div class="mono">${escapeHtml(r.registry)}/${escapeHtml(r.repository)}</div><div class="mono muted">${escapeHtml(r.digest ?? r.input)}</div>${r.tags.length ? `<div>${r.tags.map(escapeHtml).join(', ')}</div>` : ''}${r.platforms.length ? `<div class="muted">${r.platforms.map(escapeHtml).join(', ')}</div>` : ''}</td>
<td><span class="badge" style="background:${COLORS[r.verdict] ?? '#334155'}">${escapeHtml(LABELS[r.verdict] ?? r.verdict)}</span>${r.reason ? `<div class="muted small">${escapeHtml(r.reasonCode ? `${r.reasonCode}: ` : '')}${escapeHtml(r.reason.slice(0, 300))}</div>` : ''}</td>
<td class="small" style="word-break: break-all">${signerCell(r)}${r.github?.ref ? `<div class="muted">${escapeHtml(r.github.ref)}${r.github.trigger ? ` · ${escapeHtml(r.github.trigger)}` : ''}</div>` : ''}</td>
<td class="small">${r.rekor ? `#${escapeHtml(r.rekor.logIndex)}<div class="muted">${escapeHtml((r.rekor.integratedTime ?? '').replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</div>` : '—'}</td>
<td class="small">${r.attestations.length ? r.attestations.map((a) => escapeHtml(a.replace(/^https?:\/\//, ''))).join('<br>') : '—'}</td>
</tr>`,
    )
    .join('\n');
  const findingRows = findings
    .map(
      (f) => `<tr><td class="small">${escapeHtml(f.severity)}</td><td class="small"><strong>${escapeHtml(f.title)}</strong><div class="muted">${escapeHtml(f.registry)}/${escapeHtml(f.repository)} · ${escapeHtml(f.detectedAt)}</div></td><td class="small">${escapeHtml(f.status)}${f.acknowledgement ? `<div class="muted">${escapeHtml(f.acknowledgement.actor)}: ${escapeHtml(f.acknowledgement.note)}</div>` : ''}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sigscope audit report — ${escapeHtml(header.scope.label)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
@page { size: A4 landscape; margin: 14mm 12mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #0f172a; font-size: 10px; margin: 0; }
h1 { font-size: 18px; margin: 0 0 2px; } h2 { font-size: 13px; margin: 18px 0 6px; }
.muted { color: #64748b; } .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 9px; word-break: break-all; } .small { font-size: 9px; }
.grid { display: grid; grid-template-columns: 150px 1fr; gap: 3px 12px; margin: 10px 0; }
.grid dt { color: #475569; } .grid dd { margin: 0; }
.counts { display: flex; gap: 10px; margin: 8px 0 4px; }
.count { border: 1px solid #e2e8f0; border-radius: 6px; padding: 6px 10px; min-width: 70px; }
.count b { display: block; font-size: 16px; }
table { width: 100%; border-collapse: collapse; } table.fixed { table-layout: fixed; } th, td { text-align: left; vertical-align: top; padding: 4px 6px; border-bottom: 1px solid #e2e8f0; overflow-wrap: anywhere; }
th { font-size: 9px; text-transform: uppercase; letter-spacing: .04em; color: #475569; background: #f8fafc; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
.badge { color: #fff; border-radius: 9px; padding: 1px 7px; font-size: 9px; white-space: nowrap; }
</style></head>
<body>
<h1>Audit report: ${escapeHtml(header.scope.label)}</h1>
<div class="muted">Sigscope ${escapeHtml(header.sigscopeVersion)} · generated ${escapeHtml(header.generatedAt)} · from stored verification runs</div>
<dl class="grid">
<dt>Scope</dt><dd>${escapeHtml(header.scope.kind)}: ${escapeHtml(header.scope.label)}</dd>
<dt>Policy</dt><dd>${policy}</dd>
<dt>Trusted roots</dt><dd>${roots}</dd>
<dt>Coverage</dt><dd><strong>${s.coveragePercent}%</strong> of ${s.total} image${s.total === 1 ? '' : 's'} verified</dd>
</dl>
<div class="counts">
<div class="count"><b>${s.verified}</b>verified</div><div class="count"><b>${s.failed + s.signedUnchecked}</b>failed</div><div class="count"><b>${s.unsigned}</b>unsigned</div><div class="count"><b>${s.errors}</b>errors</div>
</div>
${coverageSvg(s)}
<h2>Images (${totalRows})</h2>
${totalRows > rows.length ? `<p class="muted">The first ${rows.length} of ${totalRows} rows are printed; the CSV and JSON formats hold them all.</p>` : ''}
${rows.length ? `<table class="fixed"><colgroup><col style="width:31%"><col style="width:15%"><col style="width:32%"><col style="width:10%"><col style="width:12%"></colgroup><thead><tr><th>Image</th><th>Verdict</th><th>Signer</th><th>Rekor</th><th>Attestations</th></tr></thead><tbody>
${body}
</tbody></table>` : '<p class="muted">No stored run falls in this scope.</p>'}
<h2>Findings (${findings.length})</h2>
${findings.length ? `<table><thead><tr><th>Severity</th><th>Finding</th><th>Status</th></tr></thead><tbody>${findingRows}</tbody></table>` : '<p class="muted">No drift finding for the repositories in scope.</p>'}
</body></html>`;
}
