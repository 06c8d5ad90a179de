import { describe, expect, it } from '@jest/globals';
import { InvalidRoleForTeamTypeError } from './invalid-role.error.js';
import { assertRolesFitType } from './team-type-fit.js';

/** What the rule answers: 'fits', or the status, code and the roles it names. */
function outcome(allowed: string[], roleIds: string[]) {
  try {
    assertRolesFitType(allowed, roleIds);
    return 'fits';
  } catch (error) {
    if (error instanceof InvalidRoleForTeamTypeError) {
      return { status: error.status, code: error.code, message: error.message, details: error.details };
    }
    throw error;
  }
}

const problem = (roleId: string) => ({ field: 'roleId', message: `role ${roleId} is not allowed by the team's type` });

describe(assertRolesFitType.name, () => {
  it.each([
    ['a linked role', ['developer', 'owner'], ['owner']],
    ['several linked roles', ['developer', 'owner'], ['developer', 'owner', 'developer']],
    ['any role when the type links none', [], ['anything', 'else']],
    ['no roles at all (a team without members)', ['developer'], []],
  ])('admits %s', (_what, allowed, roleIds) => {
    expect(outcome(allowed, roleIds)).toBe('fits');
  });

  it('refuses a role the type does not link (400 invalid_role_for_team_type)', () => {
    expect(outcome(['developer'], ['flow-manager'])).toEqual({
      status: 400,
      code: 'invalid_role_for_team_type',
      message: "The role is not allowed by the team's type",
      details: [problem('flow-manager')],
    });
  });

  it('names every misfit, in the given order, and none of the roles that fit', () => {
    expect(outcome(['developer'], ['lead', 'developer', 'scribe'])).toMatchObject({
      details: [problem('lead'), problem('scribe')],
    });
  });
});
