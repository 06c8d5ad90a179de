import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Swagger UI's sign-in through the provider: a login started by the hub's own OAuth2 client (Swagger UI)
 * remembers where to send the browser back, and the one-time codes it exchanges for the hub's tokens.
 */
export class OidcClientBridge1797100200000 implements MigrationInterface {
  name = 'OidcClientBridge1797100200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "oidc_login_requests" ADD "client_redirect_uri" character varying(2048)`);
    await queryRunner.query(`ALTER TABLE "oidc_login_requests" ADD "client_state" character varying(512)`);
    await queryRunner.query(`ALTER TABLE "oidc_login_requests" ADD "client_code_challenge" character varying(128)`);
    await queryRunner.query(
      `CREATE TABLE "oidc_client_codes" (
         "code_hash" character(64) NOT NULL,
         "user_id" uuid NOT NULL,
         "redirect_uri" character varying(2048) NOT NULL,
         "code_challenge" character varying(128) NOT NULL,
         "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
         CONSTRAINT "oidc_client_codes_pkey" PRIMARY KEY ("code_hash"))`,
    );
    await queryRunner.query(`CREATE INDEX "oidc_client_codes_expires_at_idx" ON "oidc_client_codes" ("expires_at")`);
    await queryRunner.query(
      `ALTER TABLE "oidc_client_codes" ADD CONSTRAINT "oidc_client_codes_user_id_fkey"
       FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "oidc_client_codes"`);
    await queryRunner.query(`ALTER TABLE "oidc_login_requests" DROP COLUMN "client_code_challenge"`);
    await queryRunner.query(`ALTER TABLE "oidc_login_requests" DROP COLUMN "client_state"`);
    await queryRunner.query(`ALTER TABLE "oidc_login_requests" DROP COLUMN "client_redirect_uri"`);
  }
}
