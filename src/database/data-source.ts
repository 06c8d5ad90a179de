import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { configFromProcessEnv } from '../config/load-environment.js';
import { HUB_SCHEMA } from '../hub-schema.js';
import { dataSourceOptions } from './data-source-options.js';

/**
 * The DataSource the TypeORM CLI uses (`ormconfig.ts` re-exports it; `migration:run:prod` loads the compiled
 * copy). The CLI talks to a server, so it needs DATABASE_URL; the embedded database migrates itself at start.
 */
const config = configFromProcessEnv();
if (!config.database.url) {
  throw new Error('DATABASE_URL must be set for the TypeORM CLI (the embedded database migrates itself at start)');
}

export default new DataSource(dataSourceOptions({ url: config.database.url, poolSize: 2 }, HUB_SCHEMA));
