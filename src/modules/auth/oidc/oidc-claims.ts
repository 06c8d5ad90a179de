import type { UserRole } from '../../../common/auth/principal.js';

const USERNAME_CHARACTERS = /[^a-zA-Z0-9._-]+/g;
const USERNAME_MIN = 3;
const USERNAME_MAX = 64;
/** Numbered variants tried before falling back to a random suffix. */
const NUMBERED_CANDIDATES = 20;

/**
 * The groups in the role claim: an array of strings, or one string (some providers send a single group
 * that way). Anything else means no groups.
 */
export function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') {
    return [value];
  }
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Admin when any of the user's groups is an admin group, otherwise user. */
export function roleFor(groups: readonly string[], adminGroups: readonly string[]): UserRole {
  return groups.some((group) => adminGroups.includes(group)) ? 'admin' : 'user';
}

/**
 * Whether the groups let the person in: everyone when no allowed groups are configured; otherwise a member
 * of an allowed group or of an admin group (an administrator missing from the allow-list would be locked
 * out for a configuration slip, not by intent).
 */
export function mayLogIn(
  groups: readonly string[],
  allowedGroups: readonly string[],
  adminGroups: readonly string[],
): boolean {
  return (
    allowedGroups.length === 0 || groups.some((group) => allowedGroups.includes(group) || adminGroups.includes(group))
  );
}

/** A username of the hub's form (3–64 of `[a-zA-Z0-9._-]`) from free text, or undefined when too little is left. */
function sanitize(text: unknown): string | undefined {
  if (typeof text !== 'string') {
    return undefined;
  }
  const cleaned = text
    .replace(USERNAME_CHARACTERS, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, USERNAME_MAX);
  return cleaned.length >= USERNAME_MIN ? cleaned : undefined;
}

const withSuffix = (base: string, suffix: string): string => `${base.slice(0, USERNAME_MAX - suffix.length)}${suffix}`;

/**
 * Usernames to try, in order, for a user created at first sign-in: from `preferred_username` (else the
 * `sub`, else "oidc-user"), then the same with "-2", "-3", …, and last one with a random suffix, so a taken
 * name never blocks the login. Never from the e-mail address: identities are matched by issuer and `sub`.
 */
export function usernameCandidates(preferredUsername: unknown, subject: string, randomSuffix: string): string[] {
  const base = sanitize(preferredUsername) ?? sanitize(subject) ?? 'oidc-user';
  const numbered = Array.from({ length: NUMBERED_CANDIDATES - 1 }, (_, index) => withSuffix(base, `-${index + 2}`));
  return [base, ...numbered, withSuffix(base, `-${randomSuffix}`)];
}
