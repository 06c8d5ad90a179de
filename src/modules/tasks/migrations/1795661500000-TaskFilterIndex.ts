import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The usual list filter (status and priority, newest first) served by one index: the page is a range scan
 * of it and the capped count an index-only scan, instead of walking (updated_at, id) and filtering rows.
 */
export class TaskFilterIndex1795661500000 implements MigrationInterface {
  name = 'TaskFilterIndex1795661500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "tasks_status_priority_updated_at_id_idx" ON "tasks" ("status", "priority", "updated_at", "id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."tasks_status_priority_updated_at_id_idx"`);
  }
}
