// exitWhenFlushed: a large write followed by exit reaches a parent reading through a socket in full.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function run(script: string): Promise<{ bytes: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    // stdio 'pipe' gives the child a socket: writes to it are asynchronous.
    const p = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.resolve(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    p.stdout.on('data', (d: Buffer) => (bytes += d.length));
    p.on('error', reject);
    p.on('close', (code) => resolve({ bytes, code }));
  });
}

const SIZE = 4 * 1024 * 1024;

describe('exitWhenFlushed', () => {
  it('delivers everything written before exiting with the code', async () => {
    const r = await run(`import('./cli/exit.ts').then((m) => { const { exitWhenFlushed } = m.default ?? m; process.stdout.write('x'.repeat(${SIZE})); return exitWhenFlushed(3); })`);
    expect(r).toEqual({ bytes: SIZE, code: 3 });
  });

  it('is needed: process.exit right after the same write loses output', async () => {
    const r = await run(`process.stdout.write('x'.repeat(${SIZE})); process.exit(3);`);
    expect(r.code).toBe(3);
    expect(r.bytes).toBeLessThan(SIZE);
  });
});
