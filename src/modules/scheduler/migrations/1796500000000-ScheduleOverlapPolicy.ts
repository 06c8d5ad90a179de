import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A schedule's overlap policy; existing schedules keep running regardless (`allow`), as they did. The partial
 * index serves every scheduler pass's look for held-back runs without reading the run history.
 */
export class ScheduleOverlapPolicy1796500000000 implements MigrationInterface {
  name = 'ScheduleOverlapPolicy1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "scheduled_tasks" ADD "overlap_policy" character varying(16) NOT NULL DEFAULT 'allow'`,
    );
    await queryRunner.query(
      `CREATE INDEX "scheduled_task_runs_pending_idx" ON "scheduled_task_runs"  ("scheduled_task_id") WHERE NOT "manual" AND ("outcome" IS NULL OR "outcome" = 'buffered')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."scheduled_task_runs_pending_idx"`);
    await queryRunner.query(`ALTER TABLE "scheduled_tasks" DROP COLUMN "overlap_policy"`);
  }
}
