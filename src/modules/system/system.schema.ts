import type { ModuleSchema } from '../../database/module-schema.js';
import { ConfigEntryEntity } from './config/config-entry.entity.js';
import { StatsSnapshotEntity } from './stats/stats-snapshot.entity.js';

/** The config store and stats snapshots (their tables date from the scheduler's first migration, applied by name everywhere). */
export const SYSTEM_SCHEMA: ModuleSchema = {
  entities: [ConfigEntryEntity, StatsSnapshotEntity],
  migrations: [],
};
