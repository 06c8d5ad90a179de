import { describe, expect, it } from '@jest/globals';
import { DEFAULT_TEMPLATE_VARIABLES, placeholdersOf, unknownVariableWarnings } from '../templates/placeholders.js';
import { DEFAULT_TEAM_TYPES } from './default-team-types.js';

const roles = DEFAULT_TEAM_TYPES.flatMap((type) => type.roles.map((role) => ({ type: type.name, ...role })));

describe('DEFAULT_TEAM_TYPES', () => {
  it('are Scrum and Kanban with the roles of the original hub, Developer in both', () => {
    expect(DEFAULT_TEAM_TYPES.map((type) => [type.name, type.roles.map((role) => role.role)])).toEqual([
      ['Scrum', ['Product Owner', 'Scrum Master', 'Developer']],
      ['Kanban', ['Service Delivery Manager', 'Flow Manager', 'Developer']],
    ]);
    expect(DEFAULT_TEAM_TYPES.every((type) => type.description.length > 0)).toBe(true);
  });

  it('give each role a template of its own type, named "<type> - <role>", six distinct ones', () => {
    expect(roles.map(({ type, role, template }) => template === `${type} - ${role}`)).toEqual(roles.map(() => true));
    expect(new Set(roles.map((role) => role.template)).size).toBe(6);
  });

  it('write every prompt around the team goal, using only allowed variables (no warnings when seeded)', () => {
    for (const { template, prompt } of roles) {
      expect({ template, variables: placeholdersOf(prompt) }).toEqual({ template, variables: ['team_goal'] });
      expect(unknownVariableWarnings(placeholdersOf(prompt), DEFAULT_TEMPLATE_VARIABLES)).toEqual([]);
    }
  });
});
