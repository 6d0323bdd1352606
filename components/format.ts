/** Small display helpers shared by pages (safe in server and client components). */
export function shortDigest(digest: string, n = 12): string {
  const [alg, hex] = digest.split(':');
  return hex ? `${alg}:${hex.slice(0, n)}` : digest;
}

export function formatTime(d: Date | string | null | undefined): string {
  if (!d) return '—';
  const date = typeof d === 'string' ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return '—';
  return date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

export function imageName(i: { registry: string; repository: string }): string {
  return `${i.registry}/${i.repository}`;
}
