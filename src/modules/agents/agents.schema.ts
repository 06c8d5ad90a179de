import type { ModuleSchema } from '../../database/module-schema.js';
import { AgentEntity } from './agent.entity.js';
import { AgentScopes1797000000001 } from './migrations/1797000000001-AgentScopes.js';

/** The agent registry (its table dates from the teams module's first migration, applied by name everywhere). */
export const AGENTS_SCHEMA: ModuleSchema = {
  entities: [AgentEntity],
  migrations: [AgentScopes1797000000001],
};
