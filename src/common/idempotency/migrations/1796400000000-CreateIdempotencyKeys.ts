import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The `Idempotency-Key` records of POST /api/tasks, /api/scheduled-tasks and /api/agents/register (issue 12). */
export class CreateIdempotencyKeys1796400000000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("scope" text NOT NULL, "route" text NOT NULL, "key" character varying(255) NOT NULL, "fingerprint" character varying(64) NOT NULL, "attempt" uuid NOT NULL, "status_code" integer, "response_sealed" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("scope", "route", "key"))`,
    );
    await queryRunner.query(`CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" ("created_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
