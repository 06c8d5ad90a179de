import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { TemplateEntity } from '../../src/modules/templates/template.entity.js';
import { TemplatesRepository } from '../../src/modules/templates/templates.repository.js';

let sequence = 0;

export const templatesRepository = (source: DataSource): TemplatesRepository =>
  new TemplatesRepository(source.getRepository(TemplateEntity));

/** Creates a prompt template through the hub's own repository; the stored template. */
export function createTemplate(
  source: DataSource,
  overrides: { name?: string; promptTemplate?: string } = {},
): Promise<TemplateEntity> {
  sequence += 1;
  return templatesRepository(source).create({
    name: overrides.name ?? `template${sequence}-${randomBytes(3).toString('hex')}`,
    description: null,
    promptTemplate: overrides.promptTemplate ?? 'Goal: {{team_goal}}',
  });
}
