import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../test/utils/test-database.js';
import { sqlState } from '../common/errors/database-errors.js';
import type { DatabaseConnection } from './database-connection.js';
import { dataSourceOptions } from './data-source-options.js';
import { PreparedStatementsService } from './prepared-statements.service.js';
import { HUB_SCHEMA } from '../hub-schema.js';

const STATEMENT = { name: 'int_spec_double', text: 'SELECT $1::int * 2 AS doubled' };

describe(PreparedStatementsService.name, () => {
  let database: TestDatabase;
  let source: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One connection, so the statement and the check of pg_prepared_statements share a session.
    source = await new DataSource(dataSourceOptions({ url: database.url, poolSize: 1 }, HUB_SCHEMA)).initialize();
  });
  afterAll(async () => {
    await source.destroy();
    await database.drop();
  });

  const statements = (preparedStatements: boolean): PreparedStatementsService =>
    new PreparedStatementsService(source, { preparedStatements } as DatabaseConnection);
  const preparedNames = async (): Promise<string[]> =>
    (await source.query<Array<{ name: string }>>('SELECT name FROM pg_prepared_statements')).map((row) => row.name);

  it('runs unnamed when prepared statements are off (embedded database, DB_PREPARED_STATEMENTS=false)', async () => {
    expect(await statements(false).query(STATEMENT, [21])).toEqual([{ doubled: 42 }]);
    expect(await preparedNames()).not.toContain(STATEMENT.name);
  });

  it('prepares the statement once on the connection and answers the same rows every time', async () => {
    const prepared = statements(true);
    expect(await prepared.query(STATEMENT, [21])).toEqual([{ doubled: 42 }]);
    expect(await prepared.query(STATEMENT, [5])).toEqual([{ doubled: 10 }]);
    expect(await preparedNames()).toEqual([STATEMENT.name]);
  });

  it.each([true, false])(
    'keeps the SQLSTATE of a failing statement for the error mapping (prepared: %s)',
    async (on) => {
      const failure = await statements(on)
        .query(STATEMENT, ['not a number'])
        .catch((error: unknown) => error);
      expect(sqlState(failure)).toBe('22P02');
    },
  );
});
