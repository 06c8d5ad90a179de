import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A schedule's overlap policy; existing schedules keep running regardless (`allow`), as they did. */
export class ScheduleOverlapPolicy1796500000000 implements MigrationInterface {
  name = 'ScheduleOverlapPolicy1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "scheduled_tasks" ADD "overlap_policy" character varying(16) NOT NULL DEFAULT 'allow'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "scheduled_tasks" DROP COLUMN "overlap_policy"`);
  }
}
