import { afterEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createEmptyDatabase, type TestDatabase } from '../../test/utils/test-database.js';
import { dataSourceOptions, MIGRATIONS_TABLE } from './data-source-options.js';
import { migrationsApplied, runMigrationsLocked } from './migrate.js';
import { HUB_SCHEMA } from '../hub-schema.js';

describe('Migrations', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  const open = async (): Promise<DataSource> => {
    const source = await new DataSource(dataSourceOptions({ url: database.url, poolSize: 2 }, HUB_SCHEMA)).initialize();
    sources.push(source);
    return source;
  };

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.destroy()));
    await database.drop();
  });

  it('apply once when several instances start together', async () => {
    database = await createEmptyDatabase();
    const instances = await Promise.all([open(), open(), open()]);
    const applied = await Promise.all(instances.map((source) => runMigrationsLocked(source)));

    expect(applied.flat()).toEqual(HUB_SCHEMA.migrations.map((migration) => new migration().name));
    expect(applied.filter((names) => names.length > 0)).toHaveLength(1);
    const rows = await instances[0].query<unknown[]>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
    expect(rows).toHaveLength(HUB_SCHEMA.migrations.length);
    expect(await migrationsApplied(instances[1])).toBe(true);
  });

  it('go down and up again cleanly', async () => {
    database = await createEmptyDatabase();
    const source = await open();
    await runMigrationsLocked(source);
    for (let step = 0; step < HUB_SCHEMA.migrations.length; step += 1) {
      await source.undoLastMigration();
    }
    const tables = await source.query<Array<{ table_name: string }>>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> $1`,
      [MIGRATIONS_TABLE],
    );
    expect(tables).toEqual([]);
    expect(await migrationsApplied(source)).toBe(false);
    await runMigrationsLocked(source);
    expect(await migrationsApplied(source)).toBe(true);
  });
});
