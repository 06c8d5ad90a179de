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
