import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { type AppConfig, loadAppConfig } from './app-config.js';
import { validateEnv } from './env.schema.js';

/**
 * The one place that reads `process.env`. A `.env` file in the working directory is read too (Node's own
 * parser); variables already set in the environment win over it. Nothing is written back into
 * `process.env`.
 */
export function configFromProcessEnv(envFile = '.env'): AppConfig {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return loadAppConfig(validateEnv({ ...fromFile, ...process.env }));
}
