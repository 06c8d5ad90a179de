import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lists sort by (updated_at | created_at) with the id as tie-breaker; these indexes serve that order. */
export class TaskListIndexes1795661300000 implements MigrationInterface {
  name = 'TaskListIndexes1795661300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."tasks_created_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."tasks_updated_at_idx"`);
    await queryRunner.query(`CREATE INDEX "tasks_created_at_id_idx" ON "tasks"  ("created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "tasks_updated_at_id_idx" ON "tasks"  ("updated_at", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."tasks_updated_at_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."tasks_created_at_id_idx"`);
    await queryRunner.query(`CREATE INDEX "tasks_updated_at_idx" ON "tasks" USING btree ("updated_at") `);
    await queryRunner.query(`CREATE INDEX "tasks_created_at_idx" ON "tasks" USING btree ("created_at") `);
  }
}
