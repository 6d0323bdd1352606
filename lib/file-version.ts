/**
 * A cheap stand-in for a file's content: modification and change times, size and inode.
 * Files read for every verification (settings, trusted roots) are re-read and re-parsed only
 * when this changes, instead of on each of a scan's thousands of images.
 */
import { statSync } from 'node:fs';

/**
 * null when the file does not exist (or cannot be stat'ed: the caller's read reports why), or
 * changed in the last two seconds: a same-size rewrite within one timestamp tick would look
 * unchanged, so a fresh file is not trusted to be (git's "racily clean" rule).
 */
export function fileVersion(file: string): string | null {
  try {
    const s = statSync(file);
    if (Date.now() - Math.max(s.mtimeMs, s.ctimeMs) < 2000) return null;
    return `${s.mtimeMs}:${s.ctimeMs}:${s.size}:${s.ino}`;
  } catch {
    return null;
  }
}
