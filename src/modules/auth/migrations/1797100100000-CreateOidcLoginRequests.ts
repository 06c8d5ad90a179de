import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OIDC logins under way (state, nonce, PKCE verifier) in the database, so the callback may reach any hub
 * instance. The key is the SHA-256 of the browser cookie's random id.
 */
export class CreateOidcLoginRequests1797100100000 implements MigrationInterface {
  name = 'CreateOidcLoginRequests1797100100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "oidc_login_requests" ("id" character(64) NOT NULL, "state" character varying(128) NOT NULL, "nonce" character varying(128) NOT NULL, "code_verifier" character varying(128) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "oidc_login_requests_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "oidc_login_requests_expires_at_idx" ON "oidc_login_requests" ("expires_at")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "oidc_login_requests"`);
  }
}
