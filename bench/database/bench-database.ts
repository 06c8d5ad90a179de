import { createHash } from 'node:crypto';
import pg from 'pg';
import { HUB_SCHEMA } from '../../src/hub-schema.js';
import { adminQuery, createTestDatabase, urlFor } from '../../test/utils/test-database.js';
import { type SeedSize, seedStatements } from './seed-sql.js';

const TEMPLATE_PREFIX = 'ananta_bench_tpl_';

// Keyed by the migrations' code, the seed's SQL, the size and the argon2 parameters of the users' hash.
function templateName(size: SeedSize, passwordHash: string): string {
  const hash = createHash('sha256').update(passwordHash.split('$').slice(0, 4).join('$'));
  for (const migration of HUB_SCHEMA.migrations) {
    hash.update(migration.name).update(String(migration)); // the class's source text
  }
  for (const statement of seedStatements(size, '')) {
    hash.update(statement.sql);
  }
  return `${TEMPLATE_PREFIX}${hash.digest('hex').slice(0, 16)}`;
}

async function exists(database: string): Promise<boolean> {
  return (await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [database])).length > 0;
}

/**
 * The seeded template for this size, built when missing (migrated test database + seed + VACUUM ANALYZE,
 * then renamed, so an interrupted build never leaves a half-seeded template). Templates of other seeds or
 * sizes are dropped: each is gigabytes at full size.
 */
export async function ensureSeededTemplate(
  size: SeedSize,
  passwordHash: string,
  log: (line: string) => void,
): Promise<string> {
  const template = templateName(size, passwordHash);
  if (await exists(template)) {
    log(`seeded template ${template} reused`);
    return template;
  }
  const stale = await adminQuery<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'ananta\\_bench\\_tpl\\_%' AND datname <> $1`,
    [template],
  );
  for (const { datname } of stale) {
    await adminQuery(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  const started = Date.now();
  const database = await createTestDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    for (const statement of seedStatements(size, passwordHash)) {
      await client.query(statement.sql, statement.params);
    }
  } catch (error) {
    await client.end();
    await database.drop();
    throw error;
  }
  await client.end();
  await adminQuery(`ALTER DATABASE "${database.name}" RENAME TO "${template}"`);
  log(`seeded template ${template} built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return template;
}

export interface RunDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A copy of the template for one run (file copy: fast for a large database, at the price of a checkpoint). */
export async function cloneTemplate(template: string, name: string): Promise<RunDatabase> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}" STRATEGY FILE_COPY`);
  return {
    name,
    url: urlFor(name),
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
