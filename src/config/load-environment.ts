import { existsSync } from 'node:fs';
import { AppConfig, loadAppConfig } from './app-config.js';
import { validateEnv } from './env.schema.js';

/**
 * The one place that reads `process.env`. A `.env` file in the working directory is loaded first; variables
 * already set in the environment win over it.
 */
export function configFromProcessEnv(envFile = '.env'): AppConfig {
  if (existsSync(envFile)) {
    process.loadEnvFile(envFile);
  }
  return loadAppConfig(validateEnv(process.env));
}
