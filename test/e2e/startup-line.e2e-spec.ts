import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildHub, processSecret, startHubProcess } from '../utils/hub-processes.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/**
 * `npm start` names, in one line, the URL it serves and the database it uses, never a password. The embedded
 * variant (the data directory) is checked by scripts/smoke-start.sh, which starts a real process with no
 * environment at all; PGlite's migrations are too slow on a busy machine for this file's start-up deadline.
 */

const PASSWORD = `pw-${processSecret().slice(0, 20)}`;

/** The messages of the JSON log lines that announce the start. */
function startupLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.includes('Ananta Hub listening'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

describe('Start-up line of a real hub process', () => {
  let main: string;
  let database: TestDatabase;

  // Compiling the hub takes about 10 s on a quiet machine, and far longer on a busy one.
  beforeAll(async () => {
    [main, database] = await Promise.all([buildHub(), createTestDatabase()]);
  }, 240_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('names host, port and database of DATABASE_URL and the URL, never the password', async () => {
    // The test server trusts local connections, so any password is accepted and the start goes through.
    const url = new URL(database.url);
    url.username = 'postgres';
    url.password = PASSWORD;
    const hub = await startHubProcess(main, {
      DATABASE_URL: url.toString(),
      SECRET_KEY: processSecret(),
      LOG_LEVEL: 'info',
      SCHEDULER_ENABLED: 'false',
    });
    await hub.stop();

    expect(startupLines(hub.output())).toEqual([
      `Ananta Hub listening on ${hub.base} with PostgreSQL at ${url.hostname}:${url.port}/${database.name}; ` +
        `API docs at ${hub.base}/api/docs`,
    ]);
    expect(hub.output()).not.toContain(PASSWORD);
  }, 90_000);
});
