import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A user's OpenID Connect identity: the provider's issuer and subject, unique together, both or neither. */
export class UserOidcIdentity1797100000000 implements MigrationInterface {
  name = 'UserOidcIdentity1797100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "oidc_issuer" character varying(512)`);
    await queryRunner.query(`ALTER TABLE "users" ADD "oidc_subject" character varying(255)`);
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "users_oidc_identity_check" CHECK (("oidc_issuer" IS NULL) = ("oidc_subject" IS NULL))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "users_oidc_identity_key" ON "users" ("oidc_issuer", "oidc_subject")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "users_oidc_identity_key"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "users_oidc_identity_check"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "oidc_subject"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "oidc_issuer"`);
  }
}
