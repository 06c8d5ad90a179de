import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The durable event log of `GET /api/events`. Triggers write it in the transaction of the change itself,
 * whichever code path (or SQL statement) made the change, and send `NOTIFY ananta_events` (empty payload, so
 * a transaction's notifications fold into one) for every instance to read what is new. `tx` is the
 * transaction id, the first half of an event's position.
 */
export class CreateHubEvents1796800000000 implements MigrationInterface {
  name = 'CreateHubEvents1796800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "hub_events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "tx" bigint NOT NULL, "type" character varying(40) NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "task_id" uuid, "team_id" uuid, "agent_id" uuid, "schedule_id" uuid, "data" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "hub_events_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "hub_events_occurred_at_idx" ON "hub_events"  ("occurred_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "hub_events_position_idx" ON "hub_events"  ("tx", "id") `);
    await queryRunner.query(
      `CREATE TABLE "hub_event_horizon" ("slot" smallint NOT NULL DEFAULT '1', "tx" bigint NOT NULL, "event_id" bigint NOT NULL, CONSTRAINT "hub_event_horizon_one_row" CHECK ("slot" = 1), CONSTRAINT "hub_event_horizon_pkey" PRIMARY KEY ("slot"))`,
    );
    await queryRunner.query(
      `CREATE FUNCTION "record_hub_event"(event_type text, task uuid, team uuid, agent uuid, schedule uuid, details jsonb)
       RETURNS void LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO "hub_events" ("tx", "type", "task_id", "team_id", "agent_id", "schedule_id", "data")
         VALUES (pg_current_xact_id()::text::bigint, event_type, task, team, agent, schedule, details);
         PERFORM pg_notify('ananta_events', '');
       END $$`,
    );
    // The newest history entry says why a task changed: a claim, an expired lease (retried or not), or else.
    await queryRunner.query(
      `CREATE FUNCTION "hub_events_from_tasks"() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         cause jsonb;
         event_type text;
         row_ tasks%ROWTYPE;
       BEGIN
         IF TG_OP = 'DELETE' THEN row_ := OLD; ELSE row_ := NEW; END IF;
         cause := row_."history" -> -1;
         IF TG_OP = 'INSERT' THEN
           event_type := 'task.created';
         ELSIF TG_OP = 'DELETE' THEN
           event_type := 'task.removed';
         ELSIF cause ->> 'type' = 'claimed' THEN
           event_type := 'task.claimed';
         ELSIF cause ->> 'type' = 'lease_expired' OR cause -> 'details' ->> 'cause' = 'lease_expired' THEN
           event_type := 'task.lease_expired';
         ELSE
           event_type := 'task.status_changed';
         END IF;
         -- The agent a change concerns: the one now assigned, or the one it was taken from (expired lease).
         PERFORM "record_hub_event"(event_type, row_."id", row_."team_id",
           CASE WHEN TG_OP = 'UPDATE' THEN COALESCE(NEW."assigned_agent_id", OLD."assigned_agent_id")
             ELSE row_."assigned_agent_id" END,
           NULL,
           jsonb_build_object(
             'title', row_."title", 'status', row_."status", 'assignedAgentId', row_."assigned_agent_id",
             'previousStatus', CASE WHEN TG_OP = 'UPDATE' THEN OLD."status" END,
             'priority', row_."priority", 'attempt', row_."attempt", 'failureReason', row_."failure_reason",
             'cause', cause ->> 'type'));
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "tasks_hub_events_added_removed" AFTER INSERT OR DELETE ON "tasks"
       FOR EACH ROW EXECUTE FUNCTION "hub_events_from_tasks"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "tasks_hub_events_status" AFTER UPDATE OF "status" ON "tasks"
       FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "hub_events_from_tasks"()`,
    );
    await queryRunner.query(
      `CREATE FUNCTION "hub_events_from_agents"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM "record_hub_event"(
           CASE NEW."status" WHEN 'online' THEN 'agent.online' WHEN 'offline' THEN 'agent.offline'
             ELSE 'agent.status_changed' END,
           NULL, NULL, NEW."id", NULL,
           jsonb_build_object('name', NEW."name", 'status', NEW."status",
             'previousStatus', CASE WHEN TG_OP = 'UPDATE' THEN OLD."status" END));
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "agents_hub_events_insert" AFTER INSERT ON "agents"
       FOR EACH ROW EXECUTE FUNCTION "hub_events_from_agents"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "agents_hub_events_status" AFTER UPDATE OF "status" ON "agents"
       FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "hub_events_from_agents"()`,
    );
    // An occurrence that ran (its task created, or its creation failed) fired; one held back did not.
    await queryRunner.query(
      `CREATE FUNCTION "hub_events_from_schedule_runs"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM "record_hub_event"(
           CASE WHEN NEW."outcome" IN ('succeeded', 'failed') THEN 'schedule.fired' ELSE 'schedule.held_back' END,
           NEW."task_id", (SELECT t."team_id" FROM "tasks" t WHERE t."id" = NEW."task_id"), NULL,
           NEW."scheduled_task_id",
           jsonb_build_object('runId', NEW."id", 'scheduledAt', NEW."scheduled_at", 'outcome', NEW."outcome",
             'manual', NEW."manual"));
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "scheduled_task_runs_hub_events_insert" AFTER INSERT ON "scheduled_task_runs"
       FOR EACH ROW WHEN (NEW."outcome" IS NOT NULL) EXECUTE FUNCTION "hub_events_from_schedule_runs"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "scheduled_task_runs_hub_events_outcome" AFTER UPDATE OF "outcome" ON "scheduled_task_runs"
       FOR EACH ROW WHEN (NEW."outcome" IS NOT NULL AND OLD."outcome" IS DISTINCT FROM NEW."outcome")
       EXECUTE FUNCTION "hub_events_from_schedule_runs"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "scheduled_task_runs_hub_events_outcome" ON "scheduled_task_runs"`);
    await queryRunner.query(`DROP TRIGGER "scheduled_task_runs_hub_events_insert" ON "scheduled_task_runs"`);
    await queryRunner.query(`DROP FUNCTION "hub_events_from_schedule_runs"()`);
    await queryRunner.query(`DROP TRIGGER "agents_hub_events_status" ON "agents"`);
    await queryRunner.query(`DROP TRIGGER "agents_hub_events_insert" ON "agents"`);
    await queryRunner.query(`DROP FUNCTION "hub_events_from_agents"()`);
    await queryRunner.query(`DROP TRIGGER "tasks_hub_events_status" ON "tasks"`);
    await queryRunner.query(`DROP TRIGGER "tasks_hub_events_added_removed" ON "tasks"`);
    await queryRunner.query(`DROP FUNCTION "hub_events_from_tasks"()`);
    await queryRunner.query(`DROP FUNCTION "record_hub_event"(text, uuid, uuid, uuid, uuid, jsonb)`);
    await queryRunner.query(`DROP TABLE "hub_event_horizon"`);
    await queryRunner.query(`DROP INDEX "public"."hub_events_position_idx"`);
    await queryRunner.query(`DROP INDEX "public"."hub_events_occurred_at_idx"`);
    await queryRunner.query(`DROP TABLE "hub_events"`);
  }
}
