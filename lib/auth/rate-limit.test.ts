import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './rate-limit';

describe('FailureLimiter', () => {
  it('blocks a key after max failures within the window and frees it as failures age out', () => {
    let now = 1_000_000;
    const lim = new FailureLimiter({ max: 3, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(lim.retryAfterMs('alice')).toBe(0);
      lim.fail('alice');
      now += 1_000;
    }
    // The first failure was at 1_000_000; it leaves the window at 1_060_000.
    expect(lim.retryAfterMs('alice')).toBe(1_060_000 - now);
    expect(lim.retryAfterMs('bob')).toBe(0);
    now = 1_060_001;
    expect(lim.retryAfterMs('alice')).toBe(0);
  });

  it('reset clears a key (a successful sign-in)', () => {
    const lim = new FailureLimiter({ max: 2, windowMs: 60_000 });
    lim.fail('k');
    lim.fail('k');
    expect(lim.retryAfterMs('k')).toBeGreaterThan(0);
    lim.reset('k');
    expect(lim.retryAfterMs('k')).toBe(0);
  });

  it('stays bounded in memory under failures from many keys', () => {
    const lim = new FailureLimiter({ max: 5, windowMs: 60_000 }, Date.now, 1000);
    for (let i = 0; i < 5000; i++) lim.fail(`ip-${i}`);
    expect((lim as unknown as { failures: Map<string, number[]> }).failures.size).toBeLessThanOrEqual(1000);
    // The most recent keys are still counted.
    expect((lim as unknown as { failures: Map<string, number[]> }).failures.has('ip-4999')).toBe(true);
  });
});
