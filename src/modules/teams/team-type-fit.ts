import { InvalidRoleForTeamTypeError } from './invalid-role.error.js';

/**
 * Refuses roles a team type does not admit: a type with linked roles admits only those, a type without
 * links admits any role. Throws 400 `invalid_role_for_team_type` naming each misfit, in the given order.
 */
export function assertRolesFitType(allowedRoleIds: readonly string[], roleIds: readonly string[]): void {
  if (allowedRoleIds.length === 0) {
    return;
  }
  const misfits = roleIds.filter((roleId) => !allowedRoleIds.includes(roleId));
  if (misfits.length > 0) {
    throw new InvalidRoleForTeamTypeError(
      misfits.map((roleId) => ({ field: 'roleId', message: `role ${roleId} is not allowed by the team's type` })),
    );
  }
}
