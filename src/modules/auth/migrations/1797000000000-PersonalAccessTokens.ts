import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Personal access tokens: stored only as their SHA-256 hash, each with its scopes and an expiry. */
export class PersonalAccessTokens1797000000000 implements MigrationInterface {
  name = 'PersonalAccessTokens1797000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "personal_access_tokens" (
         "id" uuid NOT NULL DEFAULT gen_random_uuid(),
         "user_id" uuid NOT NULL,
         "name" character varying(100) NOT NULL,
         "token_hash" character(64) NOT NULL,
         "scopes" text array NOT NULL,
         "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
         "last_used_at" TIMESTAMP WITH TIME ZONE,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "personal_access_tokens_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "personal_access_tokens_token_hash_key" ON "personal_access_tokens" ("token_hash")`,
    );
    await queryRunner.query(
      `CREATE INDEX "personal_access_tokens_user_id_idx" ON "personal_access_tokens" ("user_id")`,
    );
    await queryRunner.query(
      `ALTER TABLE "personal_access_tokens" ADD CONSTRAINT "personal_access_tokens_user_id_fkey"
       FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "personal_access_tokens"`);
  }
}
