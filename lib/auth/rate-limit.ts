/**
 * Sign-in throttling: a fixed number of failures per key (username, client address)
 * within a sliding window. Kept in memory, so it holds for ONE server process;
 * several replicas each keep their own counts (a shared store would be needed
 * there). Written by hand because it is a dozen lines and needs no dependency.
 */
export interface LimitRule {
  max: number;
  windowMs: number;
}

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly rule: LimitRule,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 50_000,
  ) {}

  /** 0 when the key may try now, else milliseconds until it may. */
  retryAfterMs(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.rule.max) return 0;
    return Math.max(1, recent[recent.length - this.rule.max]! + this.rule.windowMs - this.now());
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    if (!this.failures.has(key) && this.failures.size >= this.maxKeys) this.prune();
    this.failures.set(key, recent.slice(-this.rule.max));
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.rule.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }

  private prune(): void {
    for (const key of [...this.failures.keys()]) if (this.recent(key).length === 0) this.failures.delete(key);
    // Still full (an attack from many addresses): forget the oldest keys rather than grow without bound.
    const excess = this.failures.size - Math.floor(this.maxKeys * 0.9);
    if (excess > 0) for (const key of [...this.failures.keys()].slice(0, excess)) this.failures.delete(key);
  }
}

/** Per username: 5 failures in 15 minutes. Per client address: 20 in 15 minutes. */
export const SIGN_IN_LIMITS = {
  user: { max: 5, windowMs: 15 * 60_000 },
  ip: { max: 20, windowMs: 15 * 60_000 },
} as const;
