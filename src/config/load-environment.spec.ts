import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { InvalidEnvironmentError } from './env.schema.js';
import { configFromProcessEnv } from './load-environment.js';

describe(configFromProcessEnv.name, () => {
  const touched = ['PORT', 'LOG_LEVEL', 'SECRET_KEY', 'CORS_ORIGINS', 'DB_POOL_SIZE'];
  let saved: Record<string, string | undefined>;
  let dir: string;

  beforeEach(() => {
    saved = Object.fromEntries(touched.map((key) => [key, process.env[key]]));
    touched.forEach((key) => delete process.env[key]);
    dir = mkdtempSync(join(tmpdir(), 'ananta-env-'));
  });
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[key];
      } else {
        process.env[key] = value;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const envFile = (text: string): string => {
    const path = join(dir, '.env');
    writeFileSync(path, text);
    return path;
  };

  it('reads variables from a .env file', () => {
    const config = configFromProcessEnv(
      envFile(`SECRET_KEY=${'k'.repeat(40)}\nPORT=4321\nCORS_ORIGINS=https://a.test,https://b.test\n`),
    );
    expect(config.http.port).toBe(4321);
    expect(config.http.corsOrigins).toEqual(['https://a.test', 'https://b.test']);
  });

  it('lets the real environment win over the .env file', () => {
    process.env.PORT = '5555';
    const config = configFromProcessEnv(envFile(`SECRET_KEY=${'k'.repeat(40)}\nPORT=4321\n`));
    expect(config.http.port).toBe(5555);
  });

  it('validates what comes from the file like anything else, naming the variable', () => {
    expect(() => configFromProcessEnv(envFile(`SECRET_KEY=${'k'.repeat(40)}\nDB_POOL_SIZE=lots\n`))).toThrow(
      InvalidEnvironmentError,
    );
    expect(() => configFromProcessEnv(envFile(`SECRET_KEY=${'k'.repeat(40)}\nDB_POOL_SIZE=lots\n`))).toThrow(
      /DB_POOL_SIZE/,
    );
  });

  it('works without a .env file', () => {
    process.env.SECRET_KEY = 'k'.repeat(40);
    process.env.LOG_LEVEL = 'warn';
    expect(configFromProcessEnv(join(dir, 'missing.env')).logLevel).toBe('warn');
  });
});
