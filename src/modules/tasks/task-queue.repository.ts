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
   * Takes the best `todo` task the agent may work on (highest priority, then oldest) and leases it, in one
   * transaction. `FOR UPDATE SKIP LOCKED` makes concurrent claimers pass over each other's candidates, so no
   * task is ever handed to two agents, however many agents and hub instances claim at once.
   * "May work on": not assigned to another agent, no unfinished dependency, and either teamless or in one of
   * the agent's `memberships` (read by the caller from the teams module), in the task's role when it names one.
   */
  async claim(request: ClaimRequest): Promise<TaskEntity | null> {
    const params: unknown[] = [
      request.agentId,
      request.leaseSeconds,
      JSON.stringify([request.event]),
      request.event.at,
      request.memberships.map((membership) => membership.teamId),
      request.memberships.map((membership) => membership.roleId),
    ];
    const filters: string[] = [];
    if (request.teamId) {
      params.push(request.teamId);
      filters.push(`t.team_id = $${params.length}`);
    }
    if (request.roleId) {
      params.push(request.roleId);
      filters.push(`t.assigned_role_id = $${params.length}`);
    }
    const [task] = await this.prepared.query<TaskEntity>(this.claimStatement(filters), params);
    return task ?? null;
  }

  /** One statement, so one round trip: pick and lock the candidate, lease it, write its callback's outbox row. */
  private claimStatement(filters: string[]): PreparedStatement {
    const key = filters.join(' ');
    let statement = this.claimStatements.get(key);
    if (!statement) {
      statement = { name: `task_claim_${this.claimStatements.size}`, text: this.claimSql(filters) };
      this.claimStatements.set(key, statement);
    }
    return statement;
  }

  private claimSql(filters: string[]): string {
    return `WITH candidate AS (
         SELECT t.id FROM tasks t
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
           ${filters.map((filter) => `AND ${filter}`).join(' ')}
         ORDER BY t.status, ${PRIORITY_RANK_SQL} DESC, t.created_at ASC
         LIMIT 1
         FOR UPDATE OF t SKIP LOCKED
       ), claimed AS (
         UPDATE tasks SET status = 'assigned', assigned_agent_id = $1, lease_holder_id = $1,
           lease_expires_at = now() + make_interval(secs => $2), history = ${appendHistorySql('$3')},
           version = version + 1, updated_at = now()
         FROM candidate WHERE tasks.id = candidate.id
         RETURNING tasks.*
       ), outbox AS (${callbackOutboxSql('claimed', '$4')})
       SELECT ${this.tasks.selectColumns()} FROM claimed t`;
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

  /** Ids of tasks whose lease ran out while assigned or in progress. */
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

  async expiredLeaseIds(limit = 500): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM tasks WHERE lease_expires_at < now() AND status IN ('assigned', 'in_progress') LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }
}
