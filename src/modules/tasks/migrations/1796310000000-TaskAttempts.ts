import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retries and timeouts (attempt, maxAttempts, retryBackoffSeconds, timeoutSeconds, availableAt, startedAt,
 * failureReason) on tasks and their archive. The new columns have constant defaults, so PostgreSQL adds them
 * without rewriting the table, and code of the release before keeps working beside them.
 */
export class TaskAttempts1796310000000 implements MigrationInterface {
  name = 'TaskAttempts1796310000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "archived_tasks" ADD "max_attempts" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" ADD "attempt" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" ADD "retry_backoff_seconds" integer NOT NULL DEFAULT '10'`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" ADD "timeout_seconds" integer`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" ADD "available_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" ADD "started_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" ADD "failure_reason" character varying(32)`);
    await queryRunner.query(`ALTER TABLE "tasks" ADD "max_attempts" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "tasks" ADD "attempt" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "tasks" ADD "retry_backoff_seconds" integer NOT NULL DEFAULT '10'`);
    await queryRunner.query(`ALTER TABLE "tasks" ADD "timeout_seconds" integer`);
    await queryRunner.query(`ALTER TABLE "tasks" ADD "available_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "tasks" ADD "started_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "tasks" ADD "failure_reason" character varying(32)`);
    await queryRunner.query(
      `CREATE INDEX "tasks_timeout_scan_idx" ON "tasks"  ("started_at") WHERE "status" = 'in_progress' AND "timeout_seconds" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."tasks_timeout_scan_idx"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "failure_reason"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "started_at"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "available_at"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "timeout_seconds"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "retry_backoff_seconds"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "attempt"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "max_attempts"`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" DROP COLUMN "failure_reason"`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" DROP COLUMN "started_at"`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" DROP COLUMN "available_at"`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" DROP COLUMN "timeout_seconds"`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" DROP COLUMN "retry_backoff_seconds"`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" DROP COLUMN "attempt"`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" DROP COLUMN "max_attempts"`);
  }
}
