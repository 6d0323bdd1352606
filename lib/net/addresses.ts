/**
 * Which IP addresses an outbound request may reach without an administrator's say-so.
 *
 * Built on node:net's BlockList (one per kind, so a refusal can name the kind).
 * IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, NAT64
 * 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4 address inside them, so
 * "[::ffff:127.0.0.1]" or "[::ffff:a9fe:a9fe]" cannot slip past a check written
 * for 127.0.0.1 or 169.254.169.254. The extraction is done here by hand because
 * BlockList only understands the ::ffff: form.
 */
import { BlockList, isIP } from 'node:net';

export type AddressKind =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cloud metadata'
  | 'carrier-grade NAT'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

type Rule = [kind: AddressKind, family: 'ipv4' | 'ipv6', network: string, prefix: number];

// Order matters: the first list that contains an address names it.
const RULES: Rule[] = [
  ['cloud metadata', 'ipv4', '169.254.169.254', 32],
  ['cloud metadata', 'ipv6', 'fd00:ec2::254', 128],
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['unspecified', 'ipv6', '::', 128],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['loopback', 'ipv6', '::1', 128],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['private', 'ipv4', '192.168.0.0', 16],
  ['private', 'ipv6', 'fc00::', 7],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['private', 'ipv6', 'fec0::', 10], // deprecated site-local
  ['carrier-grade NAT', 'ipv4', '100.64.0.0', 10],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['multicast', 'ipv6', 'ff00::', 8],
  ['reserved', 'ipv4', '240.0.0.0', 4], // includes 255.255.255.255
  ['reserved', 'ipv4', '192.0.0.0', 24],
  ['reserved', 'ipv4', '192.0.2.0', 24],
  ['reserved', 'ipv4', '198.18.0.0', 15],
  ['reserved', 'ipv4', '198.51.100.0', 24],
  ['reserved', 'ipv4', '203.0.113.0', 24],
  ['reserved', 'ipv6', '::', 96], // IPv4-compatible (deprecated)
  ['reserved', 'ipv6', '100::', 64], // discard-only
  ['reserved', 'ipv6', '2001:db8::', 32],
];

const LISTS: Array<[AddressKind, BlockList]> = [];
for (const [kind, family, network, prefix] of RULES) {
  let entry = LISTS.find(([k]) => k === kind);
  if (!entry) {
    entry = [kind, new BlockList()];
    LISTS.push(entry);
  }
  entry[1].addSubnet(network, prefix, family);
}

/** The eight 16-bit groups of an IPv6 address (no zone id). */
export function ipv6Groups(ip: string): number[] | undefined {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (isIP(text) !== 6) return undefined;
  // A trailing dotted IPv4 becomes two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  const groups = [...left, ...fill, ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), if any. */
export function embeddedIpv4(ip: string): string | undefined {
  const g = ipv6Groups(ip);
  if (!g) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!); // ::ffff:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6]!, g[7]!); // 64:ff9b::a.b.c.d
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!); // 2002:aabb:ccdd::
  return undefined;
}

/**
 * Why `ip` is not a public unicast address, or undefined when it is one.
 * Throws nothing: a string that is not an IP address is "reserved" (refused).
 */
export function classifyAddress(ip: string): AddressKind | undefined {
  // Every request checks its address; a scan talks to the same few thousands of times.
  if (classified.has(ip)) return classified.get(ip);
  const kind = classifyUncached(ip);
  if (classified.size >= 1024) classified.clear();
  classified.set(ip, kind);
  return kind;
}
const classified = new Map<string, AddressKind | undefined>();

function classifyUncached(ip: string): AddressKind | undefined {
  const bare = ip.replace(/^\[|\]$/g, '');
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 0) return 'reserved';
  if (family === 6) {
    const inner = embeddedIpv4(bare);
    if (inner !== undefined) return classifyAddress(inner);
  }
  const addr = bare.replace(/%.*$/, '');
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, list] of LISTS) if (list.check(addr, type)) return kind;
  return undefined;
}

/** Is `ip` inside `network/prefix` (both the same family; embedded IPv4 taken into account)? */
export function inSubnet(ip: string, network: string, prefix: number): boolean {
  const netFamily = isIP(network);
  if (netFamily === 0) return false;
  const list = new BlockList();
  list.addSubnet(network, prefix, netFamily === 4 ? 'ipv4' : 'ipv6');
  let addr = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(addr);
  if (family === 6 && netFamily === 4) {
    const inner = embeddedIpv4(addr);
    if (inner === undefined) return false;
    addr = inner;
    return list.check(addr, 'ipv4');
  }
  if (family === 0) return false;
  return list.check(addr, family === 4 ? 'ipv4' : 'ipv6');
}
