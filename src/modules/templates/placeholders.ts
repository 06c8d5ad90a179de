import { ValidationFailedError } from '../../common/errors/domain-errors.js';
import type { TemplateWarningDto } from './dto/template.dto.js';

/** `{{ name }}` placeholders: a letter or underscore, then letters, digits or underscores. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The built-in allow-list of the original hub (config key `template_variables_allowlist` overrides it). */
export const DEFAULT_TEMPLATE_VARIABLES = [
  'agent_name',
  'task_title',
  'task_description',
  'team_name',
  'role_name',
  'team_goal',
  'anforderungen',
  'funktion',
  'feature_name',
  'title',
  'description',
  'task',
  'endpoint_name',
  'beschreibung',
  'sprache',
  'api_details',
] as const;

/** The distinct variable names a template uses, in order of first appearance. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1]))];
}

export type TemplateValue = string | number | boolean;

/** Fills every placeholder; returns the names that had no value instead when any is missing. */
export function render(
  template: string,
  variables: Record<string, TemplateValue>,
): { text: string; missing: [] } | { missing: string[] } {
  const missing = placeholdersOf(template).filter((name) => !Object.hasOwn(variables, name));
  if (missing.length > 0) {
    return { missing };
  }
  return { text: template.replace(PLACEHOLDER, (_match, name: string) => String(variables[name])), missing: [] };
}

/**
 * The rendered text, or 400 `validation_failed` with one problem per variable that is not a string, number or
 * boolean (checked first) or that the template needs and the caller left out.
 */
export function renderOrFail(template: string, variables: Record<string, unknown>): string {
  const invalid = Object.entries(variables).filter(
    ([, value]) => !['string', 'number', 'boolean'].includes(typeof value),
  );
  if (invalid.length > 0) {
    throw new ValidationFailedError(
      invalid.map(([name]) => ({
        field: `variables.${name}`,
        message: `variables.${name} must be a string, number or boolean`,
      })),
    );
  }
  const result = render(template, variables as Record<string, TemplateValue>);
  if (!('text' in result)) {
    throw new ValidationFailedError(
      result.missing.map((name) => ({
        field: `variables.${name}`,
        message: `variables.${name} is required by the template`,
      })),
      `Missing template variables: ${result.missing.join(', ')}`,
    );
  }
  return result.text;
}

/** The configured allow-list when it is an array of names; anything else falls back to the original's list. */
export function allowListOf(configured: unknown): readonly string[] {
  return Array.isArray(configured) && configured.every((name) => typeof name === 'string')
    ? configured
    : DEFAULT_TEMPLATE_VARIABLES;
}

/** One `unknown_variables` warning naming the used variables outside the allow-list, or none. */
export function unknownVariableWarnings(variables: string[], allowed: readonly string[]): TemplateWarningDto[] {
  const unknown = variables.filter((name) => !allowed.includes(name));
  return unknown.length === 0
    ? []
    : [
        {
          type: 'unknown_variables',
          details: `Unknown variables: ${unknown.join(', ')}`,
          variables: unknown,
          allowed: [...allowed],
        },
      ];
}
