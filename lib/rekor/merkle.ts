/**
 * Building RFC 6962 proofs (the other side of ./proofs.ts): tree heads,
 * inclusion audit paths (RFC 6962 §2.1.1 PATH) and consistency proofs
 * (§2.1.2 PROOF/SUBPROOF), computed from any source of complete-subtree hashes.
 *
 * A source answers "the hash of the complete subtree of 2^level leaves starting at
 * leaf index·2^level": an in-memory tree (MemoryMerkleTree, for tests and a local
 * log) or the tiles of a Rekor v2 log (./v2-tiles.ts). Nothing built here is
 * trusted by itself: callers check the result with verifyInclusion /
 * verifyConsistency against a root taken from a verified checkpoint.
 */
import { emptyRoot, hashChildren, hashLeaf } from './proofs';

export type SubtreeHashSource = (level: number, index: bigint) => Promise<Buffer> | Buffer;

function largestPowerOfTwoBelow(n: bigint): bigint {
  // n ≥ 2: the largest k = 2^i with k < n.
  let k = 1n;
  while (k << 1n < n) k <<= 1n;
  return k;
}

function log2Exact(n: bigint): number | undefined {
  if (n <= 0n || (n & (n - 1n)) !== 0n) return undefined;
  return n.toString(2).length - 1;
}

/** MTH(D[start:end]) for the ranges RFC 6962's recursion produces. */
export async function rangeHash(start: bigint, end: bigint, source: SubtreeHashSource): Promise<Buffer> {
  const n = end - start;
  if (n <= 0n) throw new RangeError(`empty range ${start}..${end}`);
  const level = log2Exact(n);
  if (level !== undefined && start % n === 0n) return Buffer.from(await source(level, start / n));
  const k = largestPowerOfTwoBelow(n);
  return hashChildren(await rangeHash(start, start + k, source), await rangeHash(start + k, end, source));
}

/** The root hash of the first `size` leaves. */
export async function treeRoot(size: bigint, source: SubtreeHashSource): Promise<Buffer> {
  return size === 0n ? emptyRoot() : rangeHash(0n, size, source);
}

/** The audit path (leaf to root) for leaf `index` in the tree of the first `size` leaves. */
export async function buildInclusionProof(index: bigint, size: bigint, source: SubtreeHashSource): Promise<Buffer[]> {
  if (index < 0n || index >= size) throw new RangeError(`leaf ${index} is not in a tree of size ${size}`);
  const out: Buffer[] = [];
  // Iterative PATH(m, D[a:b]): siblings are collected root-down, then reversed.
  let m = index;
  let a = 0n;
  let b = size;
  while (b - a > 1n) {
    const k = largestPowerOfTwoBelow(b - a);
    if (m < k) {
      out.push(await rangeHash(a + k, b, source));
      b = a + k;
    } else {
      out.push(await rangeHash(a, a + k, source));
      m -= k;
      a += k;
    }
  }
  return out.reverse();
}

/** The consistency proof from the tree of `oldSize` leaves to the tree of `newSize` leaves. */
export async function buildConsistencyProof(oldSize: bigint, newSize: bigint, source: SubtreeHashSource): Promise<Buffer[]> {
  if (oldSize < 0n || oldSize > newSize) throw new RangeError(`no consistency proof from size ${oldSize} to ${newSize}`);
  if (oldSize === 0n || oldSize === newSize) return [];
  const out: Buffer[] = [];
  // Iterative SUBPROOF(m, D[a:b], flag), siblings collected root-down then reversed.
  let m = oldSize;
  let a = 0n;
  let b = newSize;
  let complete = true;
  for (;;) {
    const n = b - a;
    if (m === n) {
      if (!complete) out.push(await rangeHash(a, b, source));
      break;
    }
    const k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      out.push(await rangeHash(a + k, b, source));
      b = a + k;
    } else {
      out.push(await rangeHash(a, a + k, source));
      m -= k;
      a += k;
      complete = false;
    }
  }
  return out.reverse();
}

/**
 * An append-only Merkle tree kept in memory: every complete subtree hash is
 * stored, so proofs for any earlier size cost O(log n) lookups.
 */
export class MemoryMerkleTree {
  /** levels[l][i]: hash of the complete subtree of 2^l leaves starting at i·2^l. */
  private readonly levels: Buffer[][] = [[]];

  constructor(leaves: Iterable<Uint8Array> = []) {
    for (const leaf of leaves) this.append(leaf);
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  /** Appends a leaf (its data, hashed here); returns its index. */
  append(leafData: Uint8Array): number {
    return this.appendLeafHash(hashLeaf(leafData));
  }

  appendLeafHash(leafHash: Buffer): number {
    const index = this.size;
    this.levels[0]!.push(leafHash);
    let level = 0;
    let i = index;
    while (i % 2 === 1) {
      const row = this.levels[level]!;
      const parent = hashChildren(row[i - 1]!, row[i]!);
      level++;
      if (!this.levels[level]) this.levels[level] = [];
      this.levels[level]!.push(parent);
      i = (i - 1) / 2;
    }
    return index;
  }

  leafHash(index: number): Buffer | undefined {
    return this.levels[0]![index];
  }

  readonly source: SubtreeHashSource = (level, index) => {
    const h = this.levels[level]?.[Number(index)];
    if (!h) throw new RangeError(`no complete subtree at level ${level}, index ${index}`);
    return h;
  };

  root(size: number = this.size): Promise<Buffer> {
    this.checkSize(size);
    return treeRoot(BigInt(size), this.source);
  }

  inclusionProof(index: number, size: number = this.size): Promise<Buffer[]> {
    this.checkSize(size);
    return buildInclusionProof(BigInt(index), BigInt(size), this.source);
  }

  consistencyProof(oldSize: number, newSize: number = this.size): Promise<Buffer[]> {
    this.checkSize(newSize);
    return buildConsistencyProof(BigInt(oldSize), BigInt(newSize), this.source);
  }

  private checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size) throw new RangeError(`tree size ${size} is not between 0 and ${this.size}`);
  }
}
