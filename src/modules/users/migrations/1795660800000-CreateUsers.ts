import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1795660800000 implements MigrationInterface {
  name = 'CreateUsers1795660800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "users" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "username" character varying(64) NOT NULL,
        "password_hash" text NOT NULL,
        "role" character varying(16) NOT NULL DEFAULT 'user',
        "disabled" boolean NOT NULL DEFAULT false,
        "mfa_secret_encrypted" text,
        "mfa_enabled" boolean NOT NULL DEFAULT false,
        "mfa_backup_code_hashes" text array NOT NULL DEFAULT '{}',
        "mfa_last_used_step" bigint,
        "failed_login_count" integer NOT NULL DEFAULT 0,
        "locked_until" TIMESTAMP WITH TIME ZONE,
        "token_version" integer NOT NULL DEFAULT 0,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "users_role_check" CHECK ("role" IN ('admin', 'user')),
        CONSTRAINT "users_username_check" CHECK ("username" ~ '^[a-zA-Z0-9._-]{3,64}$'),
        CONSTRAINT "users_pkey" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "users_username_lower_key" ON "users" (lower("username"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
