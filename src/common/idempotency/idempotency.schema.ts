import type { ModuleSchema } from '../../database/module-schema.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';
import { CreateIdempotencyKeys1796400000000 } from './migrations/1796400000000-CreateIdempotencyKeys.js';

/** The `Idempotency-Key` records shared by every instance. */
export const IDEMPOTENCY_SCHEMA: ModuleSchema = {
  entities: [IdempotencyKeyEntity],
  migrations: [CreateIdempotencyKeys1796400000000],
};
