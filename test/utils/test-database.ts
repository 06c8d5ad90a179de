import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { runMigrationsLocked } from '../../src/database/migrate.js';
import { HUB_SCHEMA } from '../../src/hub-schema.js';

/** A PostgreSQL role allowed to create databases; the machines here have trust auth for `postgres`. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const TEMPLATE_LOCK_KEY = 7_316_427_106;

export function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

// The template's name carries a hash of the migrations' code, so a changed migration builds a new template.
function templateName(): string {
  const hash = createHash('sha256');
  for (const migration of HUB_SCHEMA.migrations) {
    hash.update(migration.name).update(String(migration)); // the class's source text
  }
  return `ananta_tpl_${hash.digest('hex').slice(0, 16)}`;
}

// Templates of earlier migration sets are dead weight; one in use by a concurrent clone is left for later.
async function dropStaleTemplates(client: pg.Client, current: string): Promise<void> {
  const stale = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'ananta\\_tpl\\_%' AND datname <> $1`,
    [current],
  );
  for (const { datname } of stale.rows) {
    await client.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
  }
}

async function ensureTemplate(): Promise<string> {
  const template = templateName();
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      // Built under another name and renamed when complete, so a crash never leaves a half-migrated template.
      const building = `${template}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}"`);
      await client.query(`CREATE DATABASE "${building}"`);
      const dataSource = await new DataSource(
        dataSourceOptions({ url: urlFor(building), poolSize: 1 }, HUB_SCHEMA),
      ).initialize();
      await runMigrationsLocked(dataSource);
      await dataSource.destroy();
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
      await dropStaleTemplates(client, template);
    }
    return template;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function createDatabase(template?: string): Promise<TestDatabase> {
  const name = `ananta_test_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  return {
    name,
    url: urlFor(name),
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

// 3D000 invalid_catalog_name: the template was dropped between ensureTemplate and the clone, by a test run of
// another checkout with other migrations (each run drops the templates of migration sets not its own).
const TEMPLATE_GONE = '3D000';

/** A fresh database for one test file, cloned from the migrated template (about 0.3 s). */
export async function createTestDatabase(): Promise<TestDatabase> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await createDatabase(await ensureTemplate());
    } catch (error) {
      if ((error as { code?: unknown }).code !== TEMPLATE_GONE || attempt === 3) {
        throw error;
      }
    }
  }
}

/** An empty database, for tests of the migrations themselves. */
export function createEmptyDatabase(): Promise<TestDatabase> {
  return createDatabase();
}

/** DataSources standing in for hub instances: each a pool of its own, all on one fresh database. */
export interface TestInstances {
  database: TestDatabase;
  sources: DataSource[];
  /** Closes every pool, then drops the database. */
  close(): Promise<void>;
}

export async function openTestInstances(count = 1, poolSize = 4): Promise<TestInstances> {
  const database = await createTestDatabase();
  const sources = await Promise.all(
    Array.from({ length: count }, () =>
      new DataSource(dataSourceOptions({ url: database.url, poolSize }, HUB_SCHEMA)).initialize(),
    ),
  );
  return {
    database,
    sources,
    close: async () => {
      await Promise.all(sources.map((source) => source.destroy()));
      await database.drop();
    },
  };
}
