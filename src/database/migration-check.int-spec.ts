import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/utils/test-database.js';

const run = promisify(execFile);

/** Runs `npm run migration:check` against a database; resolves to its exit code and output. */
async function migrationCheck(url: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'migration:check'], {
      env: { ...process.env, DATABASE_URL: url, NODE_OPTIONS: '' },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('migration:check (drift between entities and migrations)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('passes on a database migrated from the current migrations', async () => {
    const result = await migrationCheck(database.url);
    expect(result.output).toContain('No changes in database schema were found');
    expect(result.code).toBe(0);
  });

  it('fails when the schema differs from the entities', async () => {
    // Drift as a hand-made change would cause it: a column the entities do not know about.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query('ALTER TABLE users ADD COLUMN nickname text');
    await client.end();

    const result = await migrationCheck(database.url);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/nickname/);
  });
});
