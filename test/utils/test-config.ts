import { randomBytes } from 'node:crypto';
import { type AppConfig, loadAppConfig } from '../../src/config/app-config.js';
import { validateEnv } from '../../src/config/env.schema.js';

export const TEST_AGENT_TOKEN = `test-agent-token-${randomBytes(16).toString('hex')}`;
export const TEST_SECRET_KEY = randomBytes(48).toString('base64url');
/** The password of the first admin (`admin`) every test hub creates on its empty database. */
export const TEST_ADMIN_PASSWORD = `Admin-${randomBytes(6).toString('hex')}-Aa1!`;

/** The test credentials and a cheap argon2, as environment variables (SPEC section 11). */
const TEST_ENV = {
  SECRET_KEY: TEST_SECRET_KEY,
  AGENT_TOKEN: TEST_AGENT_TOKEN,
  INITIAL_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
};

/** Config as an operator would set it through the environment, with fast, quiet test defaults. */
export function testConfig(env: Record<string, string | undefined> = {}): AppConfig {
  return loadAppConfig(
    validateEnv({
      NODE_ENV: 'test',
      ...TEST_ENV,
      LOG_LEVEL: 'silent',
      SCHEDULER_ENABLED: 'false',
      DB_POOL_SIZE: '4',
      ...env,
    }),
  );
}

/** The environment of a real hub process on `databaseUrl`, with the test credentials and a cheap argon2. */
export const testProcessEnv = (databaseUrl: string, env: Record<string, string> = {}): Record<string, string> => ({
  DATABASE_URL: databaseUrl,
  ...TEST_ENV,
  ...env,
});
