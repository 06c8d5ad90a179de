import { describe, expect, it } from '@jest/globals';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-errors.js';
import {
  allowListOf,
  DEFAULT_TEMPLATE_VARIABLES,
  placeholdersOf,
  render,
  renderOrFail,
  unknownVariableWarnings,
} from './placeholders.js';

/** The refusal renderOrFail throws, as status, code, message and fields. */
function refusal(template: string, variables: Record<string, unknown>) {
  try {
    renderOrFail(template, variables);
  } catch (error) {
    if (error instanceof DomainError) {
      return {
        validation: error instanceof ValidationFailedError,
        status: error.status,
        code: error.code,
        message: error.message,
        details: error.details,
      };
    }
    throw error;
  }
  throw new Error('renderOrFail did not refuse');
}

describe('placeholdersOf', () => {
  it('lists each name once, in order of first appearance, with or without spaces inside the braces', () => {
    expect(
      placeholdersOf('Hi {{agent_name}}, paint it {{colour}} in {{ size }}; {{colour}} again. {{team_goal}}'),
    ).toEqual(['agent_name', 'colour', 'size', 'team_goal']);
  });

  it('takes names of a letter or underscore, then letters, digits or underscores', () => {
    expect(placeholdersOf('{{_x}} {{a1}} {{B_2c}} {{1a}} {{a-b}} {{}} {{ }} {a} {{a b}} {{{c}}}')).toEqual([
      '_x',
      'a1',
      'B_2c',
      'c',
    ]);
  });

  it('finds nothing in text without placeholders', () => {
    expect(placeholdersOf('plain text, { braces } and {{ unclosed')).toEqual([]);
  });
});

describe('render', () => {
  it('fills repeated and spaced placeholders, turns numbers and booleans into text, ignores extra variables', () => {
    expect(
      render('Goal: {{team_goal}}. Again: {{ team_goal }}. Role: {{role_name}}, sprint {{title}}, done {{task}}.', {
        team_goal: 'Ship v2',
        role_name: 'Developer',
        title: 7,
        task: false,
        unused: 'ignored',
      }),
    ).toEqual({ text: 'Goal: Ship v2. Again: Ship v2. Role: Developer, sprint 7, done false.', missing: [] });
  });

  it('leaves text without placeholders as it is', () => {
    expect(render('alone', {})).toEqual({ text: 'alone', missing: [] });
  });

  it('returns the missing names, once each, in order of appearance, and no text', () => {
    expect(render('{{team_goal}} {{role_name}} {{ team_name }} {{team_goal}}', { unrelated: 'x' })).toEqual({
      missing: ['team_goal', 'role_name', 'team_name'],
    });
    expect(render('{{team_goal}} {{role_name}} {{ team_name }}', { team_goal: 'g', team_name: 'n' })).toEqual({
      missing: ['role_name'],
    });
  });

  it('counts only own properties as given, so an inherited name such as toString is missing', () => {
    expect(render('{{toString}}', {})).toEqual({ missing: ['toString'] });
  });

  it('accepts empty strings and zero as values', () => {
    expect(render('[{{a}}][{{b}}]', { a: '', b: 0 })).toEqual({ text: '[][0]', missing: [] });
  });
});

describe('renderOrFail', () => {
  it('returns the text when every placeholder has a value', () => {
    expect(renderOrFail('Role: {{role_name}}', { role_name: 'Developer', extra: true })).toBe('Role: Developer');
  });

  it('answers 400 validation_failed naming each missing variable', () => {
    expect(refusal('{{team_goal}} {{role_name}} {{ team_name }} {{team_goal}}', { unrelated: 'x' })).toEqual({
      validation: true,
      status: 400,
      code: 'validation_failed',
      message: 'Missing template variables: team_goal, role_name, team_name',
      details: [
        { field: 'variables.team_goal', message: 'variables.team_goal is required by the template' },
        { field: 'variables.role_name', message: 'variables.role_name is required by the template' },
        { field: 'variables.team_name', message: 'variables.team_name is required by the template' },
      ],
    });
  });

  it('names only the variables still missing when some are given', () => {
    expect(refusal('{{team_goal}} {{role_name}} {{ team_name }}', { team_goal: 'g', team_name: 'n' }).details).toEqual([
      { field: 'variables.role_name', message: 'variables.role_name is required by the template' },
    ]);
  });

  it('refuses values that are not a string, number or boolean before looking for missing ones', () => {
    expect(
      refusal('{{a}} {{missing}}', { a: 'ok', list: [1], nested: { x: 1 }, nothing: null, absent: undefined }),
    ).toEqual({
      validation: true,
      status: 400,
      code: 'validation_failed',
      message: 'Request validation failed',
      details: ['list', 'nested', 'nothing', 'absent'].map((name) => ({
        field: `variables.${name}`,
        message: `variables.${name} must be a string, number or boolean`,
      })),
    });
  });
});

describe('allowListOf', () => {
  it('uses a configured array of names as it is', () => {
    expect(allowListOf(['colour', 'size'])).toEqual(['colour', 'size']);
    expect(allowListOf([])).toEqual([]);
  });

  it.each([
    ['nothing configured', undefined],
    ['null', null],
    ['a string', 'colour'],
    ['an object', { colour: true }],
    ['an array with a non-string', ['colour', 7]],
  ])('falls back to the original list for %s', (_what, configured) => {
    expect(allowListOf(configured)).toBe(DEFAULT_TEMPLATE_VARIABLES);
  });
});

describe('unknownVariableWarnings', () => {
  it('warns once, listing the unknown variables in order and the whole allow-list', () => {
    expect(unknownVariableWarnings(['agent_name', 'colour', 'size', 'team_goal'], DEFAULT_TEMPLATE_VARIABLES)).toEqual([
      {
        type: 'unknown_variables',
        details: 'Unknown variables: colour, size',
        variables: ['colour', 'size'],
        allowed: [...DEFAULT_TEMPLATE_VARIABLES],
      },
    ]);
  });

  it('does not warn when every variable is allowed, or when there are none', () => {
    expect(unknownVariableWarnings([...DEFAULT_TEMPLATE_VARIABLES], DEFAULT_TEMPLATE_VARIABLES)).toEqual([]);
    expect(unknownVariableWarnings([], [])).toEqual([]);
  });

  it('judges against the given allow-list, not the default one', () => {
    expect(unknownVariableWarnings(['colour', 'team_goal'], ['colour'])).toEqual([
      {
        type: 'unknown_variables',
        details: 'Unknown variables: team_goal',
        variables: ['team_goal'],
        allowed: ['colour'],
      },
    ]);
  });
});
