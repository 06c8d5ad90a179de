import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What an agent's key may do; null (every existing agent) is the default set, which grows with the hub. */
export class AgentScopes1797000000001 implements MigrationInterface {
  name = 'AgentScopes1797000000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" ADD "scopes" text array`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "scopes"`);
  }
}
