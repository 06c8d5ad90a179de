import type { MigrationInterface, QueryRunner } from 'typeorm';

/** "Run now" runs are recorded beside the timetable: the occurrence uniqueness applies to scheduled runs only. */
export class ManualScheduledRuns1795661400000 implements MigrationInterface {
  name = 'ManualScheduledRuns1795661400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "scheduled_task_runs" ADD "manual" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`DROP INDEX "public"."scheduled_task_runs_occurrence_key"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "scheduled_task_runs_occurrence_key" ON "scheduled_task_runs" ("scheduled_task_id", "scheduled_at") WHERE NOT "manual"`,
    );
    await queryRunner.query(
      `CREATE INDEX "scheduled_task_runs_scheduled_task_id_idx" ON "scheduled_task_runs"  ("scheduled_task_id", "scheduled_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."scheduled_task_runs_scheduled_task_id_idx"`);
    await queryRunner.query(`DELETE FROM "scheduled_task_runs" WHERE "manual"`);
    await queryRunner.query(`DROP INDEX "public"."scheduled_task_runs_occurrence_key"`);
    await queryRunner.query(`ALTER TABLE "scheduled_task_runs" DROP COLUMN "manual"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "scheduled_task_runs_occurrence_key" ON "scheduled_task_runs" ("scheduled_task_id", "scheduled_at")`,
    );
  }
}
