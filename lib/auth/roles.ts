/** Roles, ordered: each one may do everything the ones before it may. */
export const ROLES = ['viewer', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** Does `have` include what `need` may do? An unknown stored role grants nothing. */
export function roleAtLeast(have: string, need: Role): boolean {
  const h = ROLES.indexOf(have as Role);
  return h >= 0 && h >= ROLES.indexOf(need);
}

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: 'reads runs, images, identities, findings, policies and the Rekor explorer',
  auditor: 'also runs verifications and scans, acknowledges findings, generates reports',
  admin: 'also edits policies, trusted roots, settings, registry credentials and users, and reads the audit log',
};
