import type { MigrationInterface, QueryRunner } from 'typeorm';

const PRIORITY_RANK = `(CASE "priority" WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)`;

/**
 * Concurrency limits and fair order between keys.
 * - `concurrency_limits`: at most `max_active` tasks of a key, or of a team, assigned or in progress at once.
 * - `agents.max_concurrent_tasks`: the same for one agent (the agents table belongs to the agents module, but
 *   only the queue reads this column, so it arrives with the queue's feature).
 * - `tasks.fair_rank`: the claim orders by priority, then this rank, then age. A trigger gives a keyed task
 *   the next rank of its key, but never less than the lowest rank waiting at its priority, so the n-th waiting
 *   task of every key comes before the (n+1)-th of any key: round robin by key within a priority level. A
 *   task without a key takes that lowest rank itself and so never waits behind a key's backlog.
 */
export class ConcurrencyLimits1796850000000 implements MigrationInterface {
  name = 'ConcurrencyLimits1796850000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tasks" ADD "concurrency_key" character varying(100)`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" ADD "concurrency_key" character varying(100)`);
    await queryRunner.query(`ALTER TABLE "tasks" ADD "fair_rank" bigint NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "agents" ADD "max_concurrent_tasks" integer`);
    await queryRunner.query(
      `ALTER TABLE "agents" ADD CONSTRAINT "agents_max_concurrent_tasks_check" CHECK ("max_concurrent_tasks" >= 1)`,
    );
    await queryRunner.query(
      `CREATE TABLE "concurrency_limits" (
         "id" uuid NOT NULL DEFAULT gen_random_uuid(),
         "concurrency_key" character varying(100),
         "team_id" uuid,
         "max_active" integer NOT NULL,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "concurrency_limits_one_subject_check" CHECK (("concurrency_key" IS NULL) <> ("team_id" IS NULL)),
         CONSTRAINT "concurrency_limits_max_active_check" CHECK ("max_active" >= 0),
         CONSTRAINT "concurrency_limits_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "concurrency_limits_concurrency_key_key" ON "concurrency_limits" ("concurrency_key")`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "concurrency_limits_team_id_key" ON "concurrency_limits" ("team_id")`);
    await queryRunner.query(
      `ALTER TABLE "concurrency_limits" ADD CONSTRAINT "concurrency_limits_team_id_fkey" FOREIGN KEY ("team_id")
       REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE TABLE "concurrency_key_ranks" (
         "concurrency_key" character varying(100) NOT NULL,
         "next_rank" bigint NOT NULL,
         CONSTRAINT "concurrency_key_ranks_pkey" PRIMARY KEY ("concurrency_key"))`,
    );
    // The claim's order: priority, then fair rank, then age.
    await queryRunner.query(`DROP INDEX "tasks_queue_idx"`);
    await queryRunner.query(
      `CREATE INDEX "tasks_queue_idx" ON "tasks" ("status", ${PRIORITY_RANK} DESC, "fair_rank", "created_at")`,
    );
    // What a key's limit counts: its tasks assigned or in progress.
    await queryRunner.query(
      `CREATE INDEX "tasks_active_concurrency_key_idx" ON "tasks" ("concurrency_key")
       WHERE "status" IN ('assigned', 'in_progress') AND "concurrency_key" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE FUNCTION "assign_task_fair_rank"() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         frontier bigint;
       BEGIN
         SELECT t.fair_rank INTO frontier FROM tasks t
         WHERE t.status = 'todo'
           AND ${PRIORITY_RANK.replaceAll('"priority"', 't.priority')} = ${PRIORITY_RANK.replaceAll('"priority"', 'NEW.priority')}
         ORDER BY t.fair_rank LIMIT 1;
         IF frontier IS NULL THEN
           SELECT COALESCE(max(r.next_rank), 0) INTO frontier FROM concurrency_key_ranks r;
         END IF;
         IF NEW.concurrency_key IS NULL THEN
           NEW.fair_rank := frontier;
         ELSE
           INSERT INTO concurrency_key_ranks AS r (concurrency_key, next_rank) VALUES (NEW.concurrency_key, frontier + 1)
           ON CONFLICT (concurrency_key) DO UPDATE SET next_rank = GREATEST(r.next_rank, frontier) + 1
           RETURNING r.next_rank - 1 INTO NEW.fair_rank;
         END IF;
         RETURN NEW;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "tasks_fair_rank" BEFORE INSERT ON "tasks" FOR EACH ROW EXECUTE FUNCTION "assign_task_fair_rank"()`,
    );
    // Capacity freed under a limit (a task leaving `assigned`/`in_progress` other than to `todo` or `completed`,
    // which notify already) wakes waiting claims on every instance, as a newly claimable task does.
    await queryRunner.query(
      `CREATE TRIGGER "tasks_capacity_freed_notify" AFTER UPDATE OF "status" ON "tasks" FOR EACH ROW
       WHEN (OLD."status" IN ('assigned', 'in_progress') AND NEW."status" NOT IN ('assigned', 'in_progress', 'todo', 'completed'))
       EXECUTE FUNCTION "notify_task_claimable"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "tasks_capacity_deleted_notify" AFTER DELETE ON "tasks" FOR EACH ROW
       WHEN (OLD."status" IN ('assigned', 'in_progress')) EXECUTE FUNCTION "notify_task_claimable"()`,
    );
    // So does an agent's own limit raised or removed (the agent may be waiting in a claim right now).
    await queryRunner.query(
      `CREATE TRIGGER "agents_capacity_raised_notify" AFTER UPDATE OF "max_concurrent_tasks" ON "agents" FOR EACH ROW
       WHEN (OLD."max_concurrent_tasks" IS NOT NULL
         AND (NEW."max_concurrent_tasks" IS NULL OR NEW."max_concurrent_tasks" > OLD."max_concurrent_tasks"))
       EXECUTE FUNCTION "notify_task_claimable"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "agents_capacity_raised_notify" ON "agents"`);
    await queryRunner.query(`DROP TRIGGER "tasks_capacity_deleted_notify" ON "tasks"`);
    await queryRunner.query(`DROP TRIGGER "tasks_capacity_freed_notify" ON "tasks"`);
    await queryRunner.query(`DROP TRIGGER "tasks_fair_rank" ON "tasks"`);
    await queryRunner.query(`DROP FUNCTION "assign_task_fair_rank"()`);
    await queryRunner.query(`DROP INDEX "tasks_active_concurrency_key_idx"`);
    await queryRunner.query(`DROP INDEX "tasks_queue_idx"`);
    await queryRunner.query(
      `CREATE INDEX "tasks_queue_idx" ON "tasks" ("status", ${PRIORITY_RANK} DESC, "created_at")`,
    );
    await queryRunner.query(`DROP TABLE "concurrency_key_ranks"`);
    await queryRunner.query(`DROP TABLE "concurrency_limits"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP CONSTRAINT "agents_max_concurrent_tasks_check"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "max_concurrent_tasks"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "fair_rank"`);
    await queryRunner.query(`ALTER TABLE "archived_tasks" DROP COLUMN "concurrency_key"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "concurrency_key"`);
  }
}
