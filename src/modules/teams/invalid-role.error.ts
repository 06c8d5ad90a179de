import { DomainError, type FieldProblem } from '../../common/errors/domain-errors.js';

/** 400 `invalid_role_for_team_type`: the team's type links roles, and this one is not among them. */
export class InvalidRoleForTeamTypeError extends DomainError {
  readonly status = 400;
  readonly code = 'invalid_role_for_team_type';

  constructor(override readonly details: FieldProblem[]) {
    super("The role is not allowed by the team's type");
  }
}
