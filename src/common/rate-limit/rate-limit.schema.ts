import type { ModuleSchema } from '../../database/module-schema.js';
import { RateLimitBucketEntity } from './rate-limit-bucket.entity.js';

/** The rate limiter's counters (an UNLOGGED table from the teams module's first migration). */
export const RATE_LIMIT_SCHEMA: ModuleSchema = {
  entities: [RateLimitBucketEntity],
  migrations: [],
};
