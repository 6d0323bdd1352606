import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from './password';

const FAST = { ln: 10, r: 8, p: 1 };

describe('scrypt password hashes', () => {
  it('stores parameters and a per-hash random salt, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a.split('$')[2]).not.toBe(b.split('$')[2]);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('verifies with the parameters stored in the hash, not the current defaults', async () => {
    const h = await hashPassword('an older weaker hash', FAST);
    expect(h.startsWith('scrypt$ln=10,r=8,p=1$')).toBe(true);
    expect(await verifyPassword('an older weaker hash', h)).toBe(true);
  });

  it('never verifies against a malformed or tampered hash', async () => {
    const h = await hashPassword('tamper with me', FAST);
    const parts = h.split('$');
    expect(await verifyPassword('tamper with me', '')).toBe(false);
    expect(await verifyPassword('tamper with me', 'plain-text-password')).toBe(false);
    expect(await verifyPassword('tamper with me', h.replace('ln=10', 'ln=11'))).toBe(false);
    // Absurd parameters are refused before any work is done.
    expect(await verifyPassword('tamper with me', h.replace('ln=10', 'ln=30'))).toBe(false);
    const flipped = Buffer.from(parts[3]!, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(await verifyPassword('tamper with me', [...parts.slice(0, 3), flipped.toString('base64')].join('$'))).toBe(false);
    expect(await verifyPassword('tamper with me', [...parts.slice(0, 3), parts[3]!.slice(0, 20)].join('$'))).toBe(false);
  });

  it('treats canonically equivalent Unicode passwords as the same', async () => {
    const h = await hashPassword('caf\u00e9-password', FAST);
    expect(await verifyPassword('cafe\u0301-password', h)).toBe(true);
  });

  it('explains weak passwords', () => {
    expect(passwordProblem('short')).toMatch(/at least 10/);
    expect(passwordProblem('alice-admin', 'alice-admin')).toMatch(/differ/);
    expect(passwordProblem('x'.repeat(2000))).toMatch(/at most/);
    expect(passwordProblem('long enough password')).toBeUndefined();
  });
});
