import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A schedule's catch-up window. Null (every existing schedule) keeps SPEC section 8's rule: after downtime the
 * schedule runs once. A number of seconds runs each occurrence missed within that window and records the
 * older ones as `missed`.
 */
export class ScheduleCatchupWindow1796900000000 implements MigrationInterface {
  name = 'ScheduleCatchupWindow1796900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "scheduled_tasks" ADD "catchup_window_seconds" integer`);
    await queryRunner.query(
      `ALTER TABLE "scheduled_tasks" ADD CONSTRAINT "scheduled_tasks_catchup_window_check" CHECK ("catchup_window_seconds" >= 0)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "scheduled_tasks" DROP CONSTRAINT "scheduled_tasks_catchup_window_check"`);
    await queryRunner.query(`ALTER TABLE "scheduled_tasks" DROP COLUMN "catchup_window_seconds"`);
  }
}
