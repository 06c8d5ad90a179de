import { type DataSource, MigrationExecutor } from 'typeorm';

// An arbitrary application-wide constant: every hub instance uses it to serialise migrations.
const MIGRATION_LOCK_KEY = 7_316_427_105;

/**
 * Applies pending migrations while holding a session advisory lock, so several instances starting together
 * migrate once and the others wait, then find nothing to do. The lock, the migrations and the unlock all run
 * on one pinned connection: a session lock taken through the pool could be released on another session.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      const applied = await executor.executePendingMigrations();
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

/** True when every migration the code knows about has been applied. */
export async function migrationsApplied(dataSource: DataSource): Promise<boolean> {
  return !(await dataSource.showMigrations());
}
