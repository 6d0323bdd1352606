/**
 * Organizations: a registry plus a repository prefix (ghcr.io/acme). Coverage comes from
 * scans: each repository's latest scan says how many of its tags verified; each finished
 * scan of the whole organization (HOST/PREFIX/*) is one point of the coverage-over-time chart.
 */
import 'server-only';
import type { Db } from './client';

export interface OrganizationRef {
  registry: string;
  prefix: string;
  repositories: number;
}

/** Known organizations (first path component of every stored repository). */
export async function listOrganizations(db: Db): Promise<OrganizationRef[]> {
  const [images, items] = await Promise.all([
    db.image.groupBy({ by: ['registry', 'repository'] }),
    db.scanItem.groupBy({ by: ['registry', 'repository'], where: { kind: 'image' } }),
  ]);
  const orgs = new Map<string, { registry: string; prefix: string; repos: Set<string> }>();
  for (const r of [...images, ...items]) {
    const prefix = r.repository.includes('/') ? r.repository.slice(0, r.repository.indexOf('/')) : r.repository;
    const key = `${r.registry}/${prefix}`;
    let o = orgs.get(key);
    if (!o) orgs.set(key, (o = { registry: r.registry, prefix, repos: new Set() }));
    o.repos.add(r.repository);
  }
  return [...orgs.values()].map((o) => ({ registry: o.registry, prefix: o.prefix, repositories: o.repos.size })).sort((a, b) => `${a.registry}/${a.prefix}`.localeCompare(`${b.registry}/${b.prefix}`));
}

export interface RepositoryCoverage {
  repository: string;
  /** The scan the counts come from (the latest that covered this repository); null when never scanned. */
  scanId: string | null;
  scannedAt: Date | null;
  images: number;
  verified: number;
  failed: number;
  unsigned: number;
  other: number;
}

export interface CoveragePoint {
  scanId: string;
  at: Date;
  images: number;
  verified: number;
  coverage: number;
}

export interface OrganizationOverview {
  registry: string;
  prefix: string;
  repositories: RepositoryCoverage[];
  history: CoveragePoint[];
}

export async function organizationOverview(db: Db, registry: string, prefix: string): Promise<OrganizationOverview> {
  const inOrg = { registry, OR: [{ repository: prefix }, { repository: { startsWith: `${prefix}/` } }] };
  const [groups, images] = await Promise.all([
    db.scanItem.groupBy({ by: ['scanId', 'repository', 'outcome'], where: { ...inOrg, kind: 'image', state: { in: ['done', 'error'] } }, _count: { _all: true } }),
    db.image.groupBy({ by: ['repository'], where: inOrg }),
  ]);
  const scanIds = [...new Set(groups.map((g) => g.scanId))];
  const scans = await db.scanJob.findMany({ where: { id: { in: scanIds } }, select: { id: true, createdAt: true, status: true } });
  const scanAt = new Map(scans.map((s) => [s.id, s]));

  // Latest scan per repository.
  const latest = new Map<string, { scanId: string; at: Date }>();
  for (const g of groups) {
    const s = scanAt.get(g.scanId);
    if (!s) continue;
    const cur = latest.get(g.repository);
    if (!cur || s.createdAt > cur.at) latest.set(g.repository, { scanId: g.scanId, at: s.createdAt });
  }
  const repos = new Map<string, RepositoryCoverage>();
  for (const r of images) repos.set(r.repository, { repository: r.repository, scanId: null, scannedAt: null, images: 0, verified: 0, failed: 0, unsigned: 0, other: 0 });
  for (const g of groups) {
    const l = latest.get(g.repository);
    if (!l || l.scanId !== g.scanId) continue;
    let r = repos.get(g.repository);
    if (!r) repos.set(g.repository, (r = { repository: g.repository, scanId: null, scannedAt: null, images: 0, verified: 0, failed: 0, unsigned: 0, other: 0 }));
    r.scanId = l.scanId;
    r.scannedAt = l.at;
    const n = g._count._all;
    r.images += n;
    if (g.outcome === 'verified') r.verified += n;
    else if (g.outcome === 'failed') r.failed += n;
    else if (g.outcome === 'unsigned') r.unsigned += n;
    else r.other += n;
  }

  // One point per finished scan of the whole organization (a catalog target at or above the
  // prefix); a scan of a few repositories would make coverage jump for no reason.
  const wholeOrg = new Set(
    (await db.scanItem.findMany({ where: { scanId: { in: scanIds }, kind: 'catalog', registry }, select: { scanId: true, repository: true } }))
      .filter((c) => c.repository === '' || prefix === c.repository || prefix.startsWith(`${c.repository}/`))
      .map((c) => c.scanId),
  );
  const perScan = new Map<string, { images: number; verified: number }>();
  for (const g of groups) {
    if (scanAt.get(g.scanId)?.status !== 'finished' || !wholeOrg.has(g.scanId)) continue;
    const p = perScan.get(g.scanId) ?? { images: 0, verified: 0 };
    p.images += g._count._all;
    if (g.outcome === 'verified') p.verified += g._count._all;
    perScan.set(g.scanId, p);
  }
  const history = [...perScan.entries()]
    .map(([scanId, p]) => ({ scanId, at: scanAt.get(scanId)!.createdAt, images: p.images, verified: p.verified, coverage: p.images ? p.verified / p.images : 0 }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  return { registry, prefix, repositories: [...repos.values()].sort((a, b) => a.repository.localeCompare(b.repository)), history };
}
