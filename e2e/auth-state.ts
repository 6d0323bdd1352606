/**
 * Signed-in state shared by global setup and the Playwright config: the admin's
 * cookies (storageState for the default project) and, for the `request` fixture
 * (which sends cookies but cannot read them into a header), the session's CSRF token.
 * The demo accounts below exist only in the throwaway e2e database.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const AUTH_DIR = path.resolve('.e2e-auth');
export const ADMIN_STATE = path.join(AUTH_DIR, 'admin.json');
const ADMIN_CSRF = path.join(AUTH_DIR, 'admin-csrf.txt');

export const E2E_USERS = {
  admin: { username: 'e2e-admin', password: 'e2e-admin-password' },
  auditor: { username: 'e2e-auditor', password: 'e2e-auditor-password' },
  viewer: { username: 'e2e-viewer', password: 'e2e-viewer-password' },
} as const;

export function adminCsrfFile(): string {
  return ADMIN_CSRF;
}

/** Read in each worker (global setup has run by then); empty in the main process before setup. */
export function adminApiHeaders(): Record<string, string> {
  return existsSync(ADMIN_CSRF) ? { 'x-csrf-token': readFileSync(ADMIN_CSRF, 'utf8').trim() } : {};
}
