import pg from 'pg';
import { buildHub, type HubProcess, startHubProcess } from './hub-processes.js';
import { testProcessEnv } from './test-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** Real hub processes on one fresh database, and a plain client on it for checking by SQL. */
export interface HubCluster {
  /** The compiled hub the processes run (to start more, with `env`). */
  main: string;
  env: Record<string, string>;
  database: TestDatabase;
  hubs: HubProcess[];
  db: pg.Client;
  /** Stops every process (SIGTERM), closes the client and drops the database. */
  close(): Promise<void>;
}

export async function startHubCluster(count: number, settings: Record<string, string> = {}): Promise<HubCluster> {
  const [main, database] = await Promise.all([buildHub(), createTestDatabase()]);
  const env = testProcessEnv(database.url, settings);
  const hubs = await Promise.all(Array.from({ length: count }, () => startHubProcess(main, env)));
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  return {
    main,
    env,
    database,
    hubs,
    db,
    close: async () => {
      await db.end();
      await Promise.all(hubs.map((hub) => hub.stop()));
      await database.drop();
    },
  };
}
