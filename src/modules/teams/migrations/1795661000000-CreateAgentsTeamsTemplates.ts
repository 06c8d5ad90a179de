import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The agent registry, prompt templates, teams with types, roles and members, and system job claims. */
export class CreateAgentsTeamsTemplates1795661000000 implements MigrationInterface {
  name = 'CreateAgentsTeamsTemplates1795661000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "agents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "url" character varying(2048) NOT NULL, "name" character varying(128) NOT NULL, "role" character varying(32) NOT NULL DEFAULT 'worker', "status" character varying(16) NOT NULL DEFAULT 'online', "capabilities" jsonb NOT NULL DEFAULT '[]', "version" character varying(64), "load" jsonb, "last_seen_at" TIMESTAMP WITH TIME ZONE, "key_hash" character(64), "outbound_token_sealed" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "agents_status_check" CHECK ("status" IN ('online', 'offline', 'busy', 'disabled')), CONSTRAINT "agents_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "agents_status_last_seen_at_idx" ON "agents"  ("status", "last_seen_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "agents_key_hash_key" ON "agents"  ("key_hash") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "agents_url_key" ON "agents"  ("url") `);
    // Request counters are throwaway state: UNLOGGED skips the WAL, and a crash merely resets the windows.
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "rate_limit_buckets" ("key" character varying(256) NOT NULL, "hits" integer NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "rate_limit_buckets_pkey" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "system_job_runs" ("job" character varying(64) NOT NULL, "fire_at" TIMESTAMP WITH TIME ZONE NOT NULL, "instance" character varying(128) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, "outcome" character varying(16), "error" text, CONSTRAINT "system_job_runs_pkey" PRIMARY KEY ("job", "fire_at"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "templates" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(128) NOT NULL, "description" text, "prompt_template" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "templates_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "templates_name_key" ON "templates"  ("name") `);
    await queryRunner.query(
      `CREATE TABLE "roles" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(128) NOT NULL, "description" text, "default_template_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "roles_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "roles_name_key" ON "roles"  ("name") `);
    await queryRunner.query(
      `CREATE TABLE "team_types" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(128) NOT NULL, "description" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "team_types_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "team_types_name_key" ON "team_types"  ("name") `);
    await queryRunner.query(
      `CREATE TABLE "teams" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(128) NOT NULL, "description" text, "team_type_id" uuid, "is_active" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "teams_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "teams_team_type_id_idx" ON "teams"  ("team_type_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "teams_name_key" ON "teams"  ("name") `);
    // At most one active team, as the original enforced in code; here the database guarantees it.
    await queryRunner.query(`CREATE UNIQUE INDEX "teams_single_active_key" ON "teams" ((true)) WHERE "is_active"`);
    await queryRunner.query(
      `CREATE TABLE "team_members" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "agent_id" uuid NOT NULL, "role_id" uuid NOT NULL, "custom_template_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "team_members_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "team_members_role_id_idx" ON "team_members"  ("role_id") `);
    await queryRunner.query(`CREATE INDEX "team_members_agent_id_idx" ON "team_members"  ("agent_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "team_members_team_id_agent_id_key" ON "team_members"  ("team_id", "agent_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "team_type_role_links" ("team_type_id" uuid NOT NULL, "role_id" uuid NOT NULL, "template_id" uuid, CONSTRAINT "team_type_role_links_pkey" PRIMARY KEY ("team_type_id", "role_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "team_type_role_links_role_id_idx" ON "team_type_role_links"  ("role_id") `);
    await queryRunner.query(
      `ALTER TABLE "roles" ADD CONSTRAINT "roles_default_template_id_fkey" FOREIGN KEY ("default_template_id") REFERENCES "templates"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "teams" ADD CONSTRAINT "teams_team_type_id_fkey" FOREIGN KEY ("team_type_id") REFERENCES "team_types"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_members" ADD CONSTRAINT "team_members_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_members" ADD CONSTRAINT "team_members_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_members" ADD CONSTRAINT "team_members_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_members" ADD CONSTRAINT "team_members_custom_template_id_fkey" FOREIGN KEY ("custom_template_id") REFERENCES "templates"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_type_role_links" ADD CONSTRAINT "team_type_role_links_team_type_id_fkey" FOREIGN KEY ("team_type_id") REFERENCES "team_types"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_type_role_links" ADD CONSTRAINT "team_type_role_links_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_type_role_links" ADD CONSTRAINT "team_type_role_links_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "templates"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'team_members',
      'team_type_role_links',
      'teams',
      'team_types',
      'roles',
      'templates',
      'system_job_runs',
      'rate_limit_buckets',
      'agents',
    ]) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
  }
}
