import { describe, expect, it } from '@jest/globals';
import { databaseLabel } from './database-label.js';

const label = (url: string | undefined): string =>
  databaseLabel({
    database: { url, poolSize: 10, migrationsRun: true, preparedStatements: true },
    dataDir: '/srv/ananta/data',
  });

describe('databaseLabel', () => {
  it('names host, port and database of DATABASE_URL, never its credentials', () => {
    const text = label('postgresql://hub:s3cr3t-Pa55@db.internal:6543/ananta?sslmode=require');
    expect(text).toBe('PostgreSQL at db.internal:6543/ananta');
    expect(text).not.toMatch(/hub|s3cr3t/);
  });

  it.each([
    ['postgres://hub@db.internal/ananta', 'PostgreSQL at db.internal:5432/ananta'],
    ['postgresql://[::1]:5433/ananta', 'PostgreSQL at [::1]:5433/ananta'],
    ['postgresql://hub:pw@/ananta?host=/run/postgresql', 'PostgreSQL at /run/postgresql:5432/ananta'],
    ['postgresql://hub:pw@db.internal:5432', 'PostgreSQL at db.internal:5432/(default database)'],
    ['postgresql://hub:pw@db.internal/my%20db', 'PostgreSQL at db.internal:5432/my db'],
    ['postgresql://hub:p@ss/w@rd@db.internal/ananta', 'PostgreSQL at db.internal:5432/ananta'],
    ['postgresql://hub:pw@[bad', 'PostgreSQL (DATABASE_URL is not a parseable URL)'],
  ])('%s → %s', (url, expected) => {
    expect(label(url)).toBe(expected);
  });

  it('names the embedded data directory when DATABASE_URL is unset', () => {
    expect(label(undefined)).toBe('the embedded PostgreSQL (PGlite) in /srv/ananta/data');
  });
});
