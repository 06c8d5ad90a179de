import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The daily summary extension's own table; it runs with the hub's migrations when the extension is mounted. */
export class CreateDailySummaryDeliveries1796256000000 implements MigrationInterface {
  name = 'CreateDailySummaryDeliveries1796256000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "daily_summary_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "day" date NOT NULL, "trigger" character varying(16) NOT NULL, "delivered" boolean NOT NULL, "status_code" integer, "completed" integer NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "daily_summary_deliveries_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "daily_summary_deliveries_sent_at_idx" ON "daily_summary_deliveries" ("sent_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."daily_summary_deliveries_sent_at_idx"`);
    await queryRunner.query(`DROP TABLE "daily_summary_deliveries"`);
  }
}
