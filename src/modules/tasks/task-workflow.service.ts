import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-errors.js';
import { AgentsService } from '../agents/agents.service.js';
import { AuditService } from '../audit/audit.service.js';
import { TeamsService } from '../teams/teams.service.js';
import { type FailureCause, failurePlan, planEntry, REQUEUE_FIELDS } from './task-retries.js';
import { ClaimWakeupsService } from './claim-wakeups.service.js';
import type { ChangeStatusDto, ClaimTaskDto } from './dto/task-inputs.dto.js';
import { type TaskResponseDto, toTaskResponse } from './dto/task.response.dto.js';
import { assertMayChange, claimantOf, leaseToRenew } from './task-access.policy.js';
import { historyEntry } from './task-actor.js';
import { invalidTransition, leaseNotHeld, versionConflict } from './task-errors.js';
import { TaskQueueRepository } from './task-queue.repository.js';
import { canTransition, normalizeStatus } from './task-status.js';
import {
  assignmentFields,
  LEASE_EXPIRED_FIELDS,
  LEASED_STATUSES,
  statusChangeFields,
  unassignmentFields,
} from './task-transitions.js';
import type { TaskHistoryEntry } from './task-columns.entity.js';
import type { TaskEntity } from './task.entity.js';
import { type TaskChange, type TaskFields, TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';

/**
 * A timer may fire a millisecond or so before the wall clock reaches its deadline: a wait that ends this
 * close to the deadline has ended, so the end of a wait brings exactly one last look, not a second tiny wait.
 */
const TIMER_SLACK_MS = 10;

export const DEFAULT_LEASE_SECONDS = 120;

/** Status changes, assignment and the work queue (SPEC sections 7 and 12). */
/** How long a claim may wait for work, and the signal that ends the wait early (the client left). */
export interface ClaimWait {
  seconds: number;
  signal: AbortSignal;
}

@Injectable()
export class TaskWorkflowService {
  constructor(
    private readonly tasks: TasksService,
    private readonly repository: TasksRepository,
    private readonly queue: TaskQueueRepository,
    private readonly agents: AgentsService,
    private readonly teams: TeamsService,
    private readonly wakeups: ClaimWakeupsService,
    private readonly audit: AuditService,
  ) {}

  async changeStatus(
    ctx: RequestContext,
    id: string,
    dto: ChangeStatusDto,
    ifMatch?: number,
  ): Promise<TaskResponseDto> {
    const to = normalizeStatus(dto.status);
    if (!to) {
      throw new ValidationFailedError([{ field: 'status', message: `status has an unknown value: ${dto.status}` }]);
    }
    const task = await this.tasks.require(id);
    assertMayChange(ctx, task);
    const expected = dto.version ?? ifMatch;
    if (expected !== undefined && expected !== task.version) {
      throw versionConflict();
    }
    // The table has no "stay" entries: reporting the current status again is not a transition either.
    if (!canTransition(task.status, to)) {
      throw invalidTransition(task.status, to);
    }
    if (to === 'in_progress') {
      const unfinished = await this.repository.unfinishedDependencies(task.dependsOn);
      if (unfinished.length > 0) {
        throw new ConflictError('The task depends on tasks that are not completed', 'dependencies_incomplete', {
          taskIds: unfinished,
        });
      }
    }
    const requeued = task.status === 'failed' && to === 'todo';
    const event = historyEntry(ctx, 'status_changed', { from: task.status, to, exitCode: dto.exitCode });
    const fields = {
      ...statusChangeFields(to, dto.output, dto.exitCode),
      ...(to === 'in_progress' ? { startedAt: new Date() } : {}),
      ...(requeued ? REQUEUE_FIELDS : {}),
    };
    const changed = await this.apply(task, {
      fields,
      event,
      version: expected,
      fromStatuses: [task.status],
      // A reported failure may be retried instead, depending on the attempts the locked task has left.
      decide: to === 'failed' ? (before) => this.failure(before, 'failed', fields, event) : undefined,
    });
    if (requeued && ctx.isAdmin) {
      await this.audit.record(ctx, {
        action: 'task.requeued',
        targetType: 'task',
        targetId: id,
        details: { attempts: task.attempt, reason: task.failureReason },
      });
    }
    return changed;
  }

  async assign(ctx: RequestContext, id: string, agentId: string): Promise<TaskResponseDto> {
    const task = await this.tasks.require(id);
    if (!(await this.agents.exists(agentId))) {
      throw new NotFoundError('agent');
    }
    const fields = assignmentFields(task.status, agentId);
    return this.apply(task, {
      fields,
      event: historyEntry(ctx, 'assigned', { agentId, from: task.status, to: fields.status }),
      fromStatuses: [task.status],
    });
  }

  async unassign(ctx: RequestContext, id: string): Promise<TaskResponseDto> {
    const task = await this.tasks.require(id);
    const fields = unassignmentFields(task.status);
    return this.apply(task, {
      fields,
      event: historyEntry(ctx, 'unassigned', { agentId: task.assignedAgentId, from: task.status, to: fields.status }),
      fromStatuses: [task.status],
    });
  }

  /**
   * Takes the next task the agent may work on, with a lease. With `wait`, a claim that finds nothing waits up
   * to `wait.seconds` for a task to become claimable on any instance and claims again at every wake-up; it
   * holds no database connection while waiting, and stops at once when the client leaves or the hub shuts
   * down (then, like a wait that ran out, it answers with no task).
   */
  async claim(ctx: RequestContext, dto: ClaimTaskDto, wait?: ClaimWait): Promise<TaskResponseDto | null> {
    const { agentId, named } = claimantOf(ctx, dto.agentId);
    if (named && !(await this.agents.exists(agentId))) {
      throw new NotFoundError('agent');
    }
    const leaseSeconds = dto.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    const deadline = Date.now() + (wait?.seconds ?? 0) * 1000;
    for (;;) {
      const mark = this.wakeups.mark;
      const task = await this.queue.claim({
        agentId,
        memberships: await this.teams.membershipsOfAgent(agentId),
        teamId: dto.teamId,
        roleId: dto.roleId,
        leaseSeconds,
        event: historyEntry(ctx, 'claimed', { agentId, leaseSeconds }),
      });
      const remainingMs = deadline - Date.now();
      if (task || !wait || remainingMs <= TIMER_SLACK_MS) {
        return task ? toTaskResponse(task) : null;
      }
      await this.wakeups.waitAfter(mark, remainingMs, wait.signal);
      if (this.wakeups.isClosing || wait.signal.aborted) {
        return null;
      }
    }
  }

  async renewLease(ctx: RequestContext, id: string, leaseSeconds = DEFAULT_LEASE_SECONDS): Promise<TaskResponseDto> {
    const task = await this.tasks.require(id);
    const holder = leaseToRenew(ctx, task);
    const renewed = holder ? await this.queue.renewLease(id, holder, leaseSeconds) : null;
    if (!renewed) {
      throw leaseNotHeld();
    }
    return toTaskResponse(renewed);
  }

  /**
   * The lease-expiry job: tasks whose lease ran out go back to `todo` for someone else to claim, as a retry
   * (attempt + 1, after the backoff) when they have attempts to count, or end failed when those ran out.
   */
  async expireLeases(ctx: RequestContext): Promise<string[]> {
    const returned: string[] = [];
    for (const id of await this.queue.expiredLeaseIds()) {
      const event = historyEntry(ctx, 'lease_expired', {});
      const task = await this.repository.applyChange(id, {
        fields: LEASE_EXPIRED_FIELDS,
        event,
        fromStatuses: LEASED_STATUSES,
        leaseExpired: true,
        decide: (before) => this.failure(before, 'lease_expired', LEASE_EXPIRED_FIELDS, event),
      });
      if (task) {
        returned.push(id);
      }
    }
    return returned;
  }

  /**
   * The timeout job: an attempt `in_progress` longer than its task's `timeoutSeconds` is failed with reason
   * `timed_out`, or retried if attempts remain. Each attempt times out once, whichever instance runs the tick.
   */
  async failTimedOut(ctx: RequestContext): Promise<string[]> {
    const failed: string[] = [];
    for (const id of await this.queue.timedOutIds()) {
      const event = historyEntry(ctx, 'timed_out', {});
      const task = await this.repository.applyChange(id, {
        fields: {},
        event,
        fromStatuses: ['in_progress'],
        timedOut: true,
        decide: (before) => this.failure(before, 'timed_out', {}, event),
      });
      if (task) {
        failed.push(id);
      }
    }
    return failed;
  }

  // Decided on the locked row: the retry plan, merged over what the step itself writes (output, exit code).
  private failure(
    before: TaskEntity,
    cause: FailureCause,
    fields: TaskFields,
    event: TaskHistoryEntry,
  ): Pick<TaskChange, 'fields' | 'event'> | null {
    const plan = failurePlan(before, cause, new Date());
    return plan ? { fields: { ...fields, ...plan.fields }, event: planEntry(plan, event) } : null;
  }

  private async apply(
    task: TaskEntity,
    change: Parameters<TasksRepository['applyChange']>[1],
  ): Promise<TaskResponseDto> {
    const updated = await this.repository.applyChange(task.id, change);
    if (!updated) {
      throw versionConflict();
    }
    return toTaskResponse(updated);
  }
}
