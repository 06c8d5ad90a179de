import type { DataSourceOptions } from 'typeorm';
import type { ModuleSchema } from './module-schema.js';

export interface DatabaseTarget {
  url: string;
  poolSize: number;
}

export const MIGRATIONS_TABLE = 'typeorm_migrations';

/**
 * The single data source definition shared by the app, the TypeORM CLI (`ormconfig.ts`) and the tests, for
 * the composed schema (the hub's own, `HUB_SCHEMA`, plus an application's extensions).
 */
export function dataSourceOptions({ url, poolSize }: DatabaseTarget, schema: ModuleSchema): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [...schema.entities],
    migrations: [...schema.migrations],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false, // the app migrates itself under a lock (migrate.ts)
    // gen_random_uuid() is core since PostgreSQL 13 and exists in PGlite; never CREATE EXTENSION at runtime.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    applicationName: 'ananta-hub',
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 5_000,
      // A query stuck behind a lost connection fails instead of hanging the request forever.
      query_timeout: 30_000,
      keepAlive: true,
    },
  };
}
