import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tasks, their archive and the callback outbox (SPEC section 7). */
export class CreateTasks1795661100000 implements MigrationInterface {
  name = 'CreateTasks1795661100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "archived_tasks" ("title" character varying(200) NOT NULL, "description" text, "status" character varying(16) NOT NULL DEFAULT 'todo', "priority" character varying(8) NOT NULL DEFAULT 'medium', "team_id" uuid, "assigned_agent_id" uuid, "assigned_role_id" uuid, "parent_task_id" uuid, "depends_on" uuid array NOT NULL DEFAULT '{}', "history" jsonb NOT NULL DEFAULT '[]', "last_output" text, "last_exit_code" integer, "callback_url" character varying(2048), "callback_secret_sealed" text, "version" integer NOT NULL DEFAULT '1', "lease_holder_id" uuid, "lease_expires_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL, "archived_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "archived_tasks_priority_check" CHECK ("priority" IN ('low', 'medium', 'high', 'critical')), CONSTRAINT "archived_tasks_status_check" CHECK ("status" IN ('todo', 'assigned', 'in_progress', 'blocked', 'completed', 'failed', 'cancelled')), CONSTRAINT "archived_tasks_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "archived_tasks_archived_at_idx" ON "archived_tasks"  ("archived_at") `);
    await queryRunner.query(
      `CREATE TABLE "callback_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "task_id" uuid NOT NULL, "event" character varying(64) NOT NULL, "url" character varying(2048) NOT NULL, "body" text NOT NULL, "secret_sealed" text NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_status_code" integer, "last_error" text, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_until" TIMESTAMP WITH TIME ZONE, "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "callback_deliveries_status_check" CHECK ("status" IN ('pending', 'delivered', 'failed', 'dead')), CONSTRAINT "callback_deliveries_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "callback_deliveries_due_idx" ON "callback_deliveries"  ("next_attempt_at") WHERE "status" IN ('pending', 'failed')`,
    );
    await queryRunner.query(
      `CREATE INDEX "callback_deliveries_task_id_idx" ON "callback_deliveries"  ("task_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "tasks" ("title" character varying(200) NOT NULL, "description" text, "status" character varying(16) NOT NULL DEFAULT 'todo', "priority" character varying(8) NOT NULL DEFAULT 'medium', "team_id" uuid, "assigned_agent_id" uuid, "assigned_role_id" uuid, "parent_task_id" uuid, "depends_on" uuid array NOT NULL DEFAULT '{}', "history" jsonb NOT NULL DEFAULT '[]', "last_output" text, "last_exit_code" integer, "callback_url" character varying(2048), "callback_secret_sealed" text, "version" integer NOT NULL DEFAULT '1', "lease_holder_id" uuid, "lease_expires_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL, CONSTRAINT "tasks_priority_check" CHECK ("priority" IN ('low', 'medium', 'high', 'critical')), CONSTRAINT "tasks_status_check" CHECK ("status" IN ('todo', 'assigned', 'in_progress', 'blocked', 'completed', 'failed', 'cancelled')), CONSTRAINT "tasks_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "tasks_lease_expires_at_idx" ON "tasks"  ("lease_expires_at") `);
    await queryRunner.query(`CREATE INDEX "tasks_parent_task_id_idx" ON "tasks"  ("parent_task_id") `);
    await queryRunner.query(`CREATE INDEX "tasks_created_at_idx" ON "tasks"  ("created_at") `);
    await queryRunner.query(`CREATE INDEX "tasks_updated_at_idx" ON "tasks"  ("updated_at") `);
    await queryRunner.query(
      `CREATE INDEX "tasks_assigned_agent_id_status_idx" ON "tasks"  ("assigned_agent_id", "status") `,
    );
    await queryRunner.query(`CREATE INDEX "tasks_team_id_status_idx" ON "tasks"  ("team_id", "status") `);
    // The work queue: todo tasks by priority (critical first), then age; the claim query orders by the same expression.
    await queryRunner.query(
      `CREATE INDEX "tasks_queue_idx" ON "tasks" ("status", (CASE "priority" WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) DESC, "created_at")`,
    );
    // Title search (`q`) is a case-insensitive substring match; trigrams keep it fast at a million rows.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE INDEX "tasks_title_trgm_idx" ON "tasks" USING gin ("title" gin_trgm_ops)`);
    await queryRunner.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "tasks_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "tasks_assigned_agent_id_fkey" FOREIGN KEY ("assigned_agent_id") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "tasks_assigned_role_id_fkey" FOREIGN KEY ("assigned_role_id") REFERENCES "roles"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['tasks', 'callback_deliveries', 'archived_tasks']) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
  }
}
