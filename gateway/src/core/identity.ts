/**
 * Who is acting: a local user (browser session or CLI) or a named API token. Roles are ordered; a role can do
 * everything the roles below it can. The changer recorded in planogram history, calibration records, lane
 * events and the audit log is always an Identity resolved by the gateway, never a field of the request.
 */
export const ROLES = ['viewer', 'attendant', 'installer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Identity {
  kind: 'user' | 'token';
  name: string;
  role: Role;
}

/** viewer < attendant < installer < admin. */
export function roleAllows(has: Role, needs: Role): boolean {
  return ROLES.indexOf(has) >= ROLES.indexOf(needs);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** How an identity is written into records (`user:alice`, `token:lane-display-1`). */
export function actorName(identity: Identity): string {
  return `${identity.kind}:${identity.name}`;
}
