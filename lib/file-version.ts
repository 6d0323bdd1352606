/**
 * A cheap stand-in for a file's content: modification and change times, size and inode.
 * Files read for every verification (settings, trusted roots) are re-read and re-parsed only
 * when this changes, instead of on each of a scan's thousands of images.
 */
import { statSync } from 'node:fs';

/** null when the file does not exist (or cannot be stat'ed: the caller's read reports why). */
export function fileVersion(file: string): string | null {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.ctimeMs}:${s.size}:${s.ino}`;
  } catch {
    return null;
  }
}
