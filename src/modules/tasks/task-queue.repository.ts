import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type PreparedStatement, PreparedStatementsService } from '../../database/prepared-statements.service.js';
import type { AgentMembership } from '../teams/teams.service.js';
import type { TaskHistoryEntry } from './task-columns.entity.js';
import { TaskEntity } from './task.entity.js';
import { PRIORITY_RANK_SQL } from './task-search.js';
import { appendHistorySql, callbackOutboxSql, TasksRepository } from './tasks.repository.js';

export interface ClaimRequest {
  agentId: string;
  /** The agent's teams and its role in each, from the teams module. */
  memberships: readonly AgentMembership[];
  teamId?: string;
  roleId?: string;
  leaseSeconds: number;
  event: TaskHistoryEntry;
}

/** The statuses that hold a place under a concurrency limit. */
const ACTIVE_STATUSES = `('assigned', 'in_progress')`;

/** The claim statement's parameters before its optional filters ($1..$6). */
const CLAIM_FIXED_PARAMS = 6;

/**
 * How often a claim looks again after losing a gated candidate (taken by another claimer, or the last place
 * under its limit went first). Each look sees the winners' commits, so this many losses in a row are rare.
 */
const GATED_CLAIM_ROUNDS = 5;

/** A claim statement's row: the claimed task, or (with `gatedBy`) the candidate that needs the locks named. */
type ClaimRow = TaskEntity & { gatedBy: string[] | null };

const withoutGate = ({ gatedBy: _gatedBy, ...task }: ClaimRow): TaskEntity => task;

/** The work queue: atomic claims with leases, renewals, and the return of expired leases. */
@Injectable()
export class TaskQueueRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tasks: TasksRepository,
    private readonly prepared: PreparedStatementsService,
  ) {}

  // One statement per combination of the optional filters, built once: a prepared name stands for one text.
  private readonly claimStatements = new Map<string, PreparedStatement>();

  /**
   * Takes the best `todo` task the agent may work on (highest priority, then fair rank, then oldest) and leases
   * it. `FOR UPDATE SKIP LOCKED` makes concurrent claimers pass over each other's candidates, so no task is
   * ever handed to two agents, however many agents and hub instances claim at once.
   * "May work on": not assigned to another agent, no unfinished dependency, either teamless or in one of the
   * agent's `memberships` (read by the caller from the teams module), in the task's role when it names one, and
   * room left under the limits of its concurrency key, its team and the agent.
   *
   * A task under no limit, for an agent with none, is claimed in one statement. Otherwise counting in that
   * statement's snapshot could let two instances each take the last free place, so the claim is gated: the
   * statement only names the candidate, and a second transaction takes an advisory lock per limit involved
   * (every claim under that limit takes the same lock), counts again in a snapshot taken after the lock, and
   * claims the candidate only if there is still room. A candidate lost meanwhile means looking again.
   */
  async claim(request: ClaimRequest): Promise<TaskEntity | null> {
    for (let round = 0; round < GATED_CLAIM_ROUNDS; round += 1) {
      const [found] = await this.prepared.query<ClaimRow>(this.claimStatement(request), this.claimParams(request));
      if (!found?.gatedBy) {
        return found ? withoutGate(found) : null;
      }
      const claimed = await this.gatedClaim(request, found.id, found.gatedBy);
      if (claimed) {
        return claimed;
      }
    }
    return null;
  }

  private async gatedClaim(request: ClaimRequest, taskId: string, locks: string[]): Promise<TaskEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      // In one order everywhere (by the lock's number), so two gated claims never wait for each other in a cycle.
      await manager.query(
        `SELECT pg_advisory_xact_lock(l.id)
         FROM (SELECT hashtextextended('ananta.claim:' || name, 0) AS id FROM unnest($1::text[]) AS name ORDER BY 1) l`,
        [locks],
      );
      const statement = this.claimStatement({ ...request, taskId });
      const params = [...this.claimParams({ ...request, taskId }).slice(0, -1), true];
      const [claimed] = await manager.query<ClaimRow[]>(statement.text, params);
      return claimed && !claimed.gatedBy ? withoutGate(claimed) : null;
    });
  }

  /** $1..$6 as in the statement, then the optional filters, then whether a gated candidate may be claimed. */
  private claimParams(request: ClaimRequest & { taskId?: string }): unknown[] {
    const params: unknown[] = [
      request.agentId,
      request.leaseSeconds,
      JSON.stringify([request.event]),
      request.event.at,
      request.memberships.map((membership) => membership.teamId),
      request.memberships.map((membership) => membership.roleId),
    ];
    for (const value of [request.teamId, request.roleId, request.taskId]) {
      if (value) {
        params.push(value);
      }
    }
    params.push(false);
    return params;
  }

  /** One statement, so one round trip: pick and lock the candidate, lease it, write its callback's outbox row. */
  private claimStatement(request: ClaimRequest & { taskId?: string }): PreparedStatement {
    const filters: string[] = [];
    for (const [value, column] of [
      [request.teamId, 't.team_id'],
      [request.roleId, 't.assigned_role_id'],
      [request.taskId, 't.id'],
    ] as const) {
      if (value) {
        filters.push(`${column} = $${CLAIM_FIXED_PARAMS + filters.length + 1}`);
      }
    }
    const key = filters.join(' ');
    let statement = this.claimStatements.get(key);
    if (!statement) {
      statement = { name: `task_claim_${this.claimStatements.size}`, text: this.claimSql(filters) };
      this.claimStatements.set(key, statement);
    }
    return statement;
  }

  private claimSql(filters: string[]): string {
    const mayClaimGated = `$${CLAIM_FIXED_PARAMS + filters.length + 1}`;
    return `WITH agent_limit AS MATERIALIZED (
         SELECT (SELECT max_concurrent_tasks FROM agents WHERE id = $1) AS max_active
       ), saturated_keys AS MATERIALIZED (
         SELECT l.concurrency_key FROM concurrency_limits l
         WHERE l.concurrency_key IS NOT NULL AND l.max_active <= (SELECT count(*) FROM tasks a
           WHERE a.concurrency_key = l.concurrency_key AND a.status IN ${ACTIVE_STATUSES})
       ), saturated_teams AS MATERIALIZED (
         SELECT l.team_id FROM concurrency_limits l
         WHERE l.team_id IS NOT NULL AND l.max_active <= (SELECT count(*) FROM tasks a
           WHERE a.team_id = l.team_id AND a.status IN ${ACTIVE_STATUSES})
       ), candidate AS (
         SELECT t.id, NULLIF(array_remove(ARRAY[
             CASE WHEN (SELECT max_active FROM agent_limit) IS NOT NULL THEN 'agent:' || $1 END,
             CASE WHEN EXISTS (SELECT 1 FROM concurrency_limits l WHERE l.concurrency_key = t.concurrency_key)
               THEN 'key:' || t.concurrency_key END,
             CASE WHEN EXISTS (SELECT 1 FROM concurrency_limits l WHERE l.team_id = t.team_id)
               THEN 'team:' || t.team_id END], NULL), '{}') AS gated_by
         FROM tasks t
         WHERE t.status = 'todo'
           AND (t.assigned_agent_id IS NULL OR t.assigned_agent_id = $1)
           AND (t.available_at IS NULL OR t.available_at <= now())
           AND (t.team_id IS NULL OR EXISTS (
             SELECT 1 FROM unnest($5::uuid[], $6::uuid[]) AS m(team_id, role_id)
             WHERE m.team_id = t.team_id AND (t.assigned_role_id IS NULL OR m.role_id = t.assigned_role_id)))
           AND NOT EXISTS (
             SELECT 1 FROM unnest(t.depends_on) AS d(id)
             WHERE NOT EXISTS (SELECT 1 FROM tasks x WHERE x.id = d.id AND x.status = 'completed')
               AND NOT EXISTS (SELECT 1 FROM archived_tasks a WHERE a.id = d.id AND a.status = 'completed'))
           AND NOT EXISTS (SELECT 1 FROM saturated_keys s WHERE s.concurrency_key = t.concurrency_key)
           AND NOT EXISTS (SELECT 1 FROM saturated_teams s WHERE s.team_id = t.team_id)
           AND CASE WHEN (SELECT max_active FROM agent_limit) IS NULL THEN true
             ELSE (SELECT count(*) FROM tasks a WHERE a.assigned_agent_id = $1 AND a.status IN ${ACTIVE_STATUSES})
               < (SELECT max_active FROM agent_limit) END
           ${filters.map((filter) => `AND ${filter}`).join(' ')}
         ORDER BY t.status, ${PRIORITY_RANK_SQL} DESC, t.fair_rank ASC, t.created_at ASC
         LIMIT 1
         FOR UPDATE OF t SKIP LOCKED
       ), claimed AS (
         UPDATE tasks SET status = 'assigned', assigned_agent_id = $1, lease_holder_id = $1,
           lease_expires_at = now() + make_interval(secs => $2), history = ${appendHistorySql('$3')},
           version = version + 1, updated_at = now()
         FROM candidate WHERE tasks.id = candidate.id AND (candidate.gated_by IS NULL OR ${mayClaimGated})
         RETURNING tasks.*
       ), outbox AS (${callbackOutboxSql('claimed', '$4')})
       SELECT ${this.tasks.selectColumns()}, NULL::text[] AS "gatedBy" FROM claimed t
       UNION ALL
       SELECT ${this.tasks.selectColumns()}, c.gated_by FROM tasks t JOIN candidate c ON c.id = t.id
       WHERE NOT EXISTS (SELECT 1 FROM claimed)`;
  }

  /** Extends the lease the agent holds; null when it holds none on this task any more. */
  async renewLease(taskId: string, agentId: string, leaseSeconds: number): Promise<TaskEntity | null> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(TaskEntity)
      .set({ leaseExpiresAt: () => `now() + make_interval(secs => :leaseSeconds)`, version: () => 'version + 1' })
      .where('id = :taskId AND lease_holder_id = :agentId AND lease_expires_at > now()', {
        taskId,
        agentId,
        leaseSeconds,
      })
      .andWhere(`status IN ('assigned', 'in_progress')`)
      .execute();
    return result.affected === 1 ? this.tasks.getById(taskId) : null;
  }

  /** Attempts in progress longer than their task's timeout (the partial index tasks_timeout_scan_idx). */
  async timedOutIds(limit = 500): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM tasks
       WHERE status = 'in_progress' AND timeout_seconds IS NOT NULL
         AND started_at < now() - make_interval(secs => timeout_seconds)
       LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  /** Ids of tasks whose lease ran out while assigned or in progress. */
  async expiredLeaseIds(limit = 500): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM tasks WHERE lease_expires_at < now() AND status IN ('assigned', 'in_progress') LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }
}
