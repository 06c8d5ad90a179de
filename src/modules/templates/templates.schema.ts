import type { ModuleSchema } from '../../database/module-schema.js';
import { TemplateEntity } from './template.entity.js';

/** Prompt templates (their table dates from the teams module's first migration, applied by name everywhere). */
export const TEMPLATES_SCHEMA: ModuleSchema = {
  entities: [TemplateEntity],
  migrations: [],
};
