import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Wakes long-polling claims on every instance: a task that may have become claimable (inserted or moved to
 * `todo`, or completed, which can free its dependents) sends a NOTIFY when its transaction commits. The
 * payload is empty, so PostgreSQL folds a transaction's many notifications into one.
 */
export class NotifyClaimableTasks1796300000000 implements MigrationInterface {
  name = 'NotifyClaimableTasks1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE FUNCTION "notify_task_claimable"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify('ananta_tasks_claimable', '');
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "tasks_claimable_notify" AFTER INSERT OR UPDATE OF "status" ON "tasks"
       FOR EACH ROW WHEN (NEW."status" IN ('todo', 'completed')) EXECUTE FUNCTION "notify_task_claimable"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "tasks_claimable_notify" ON "tasks"`);
    await queryRunner.query(`DROP FUNCTION "notify_task_claimable"()`);
  }
}
