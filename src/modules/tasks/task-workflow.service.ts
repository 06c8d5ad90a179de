import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
} from '../../common/errors/domain-errors.js';
import { AgentsService } from '../agents/agents.service.js';
import type { ChangeStatusDto, ClaimTaskDto } from './dto/task-inputs.dto.js';
import { type TaskResponseDto, toTaskResponse } from './dto/task.response.dto.js';
import { historyEntry } from './task-actor.js';
import { invalidTransition, versionConflict } from './task-errors.js';
import { TaskQueueRepository } from './task-queue.repository.js';
import { canTransition, FINISHED_STATUSES, normalizeStatus, type TaskStatus } from './task-status.js';
import type { TaskEntity } from './task.entity.js';
import { type TaskFields, TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';

export const DEFAULT_LEASE_SECONDS = 120;

/** Status changes, assignment and the work queue (SPEC sections 7 and 12). */
@Injectable()
export class TaskWorkflowService {
  constructor(
    private readonly tasks: TasksService,
    private readonly repository: TasksRepository,
    private readonly queue: TaskQueueRepository,
    private readonly agents: AgentsService,
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
    this.tasks.assertMayChange(ctx, task);
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
    const fields: TaskFields = {
      status: to,
      lastOutput: dto.output,
      lastExitCode: dto.exitCode,
      // Nobody works on a finished, blocked or returned task, so its lease ends with the change.
      ...(FINISHED_STATUSES.includes(to) || to === 'todo' || to === 'blocked'
        ? { leaseHolderId: null, leaseExpiresAt: null }
        : {}),
      ...(to === 'todo' ? { assignedAgentId: null } : {}),
    };
    return this.apply(task, {
      fields,
      event: historyEntry(ctx, 'status_changed', { from: task.status, to, exitCode: dto.exitCode }),
      version: expected,
      fromStatuses: [task.status],
    });
  }

  async assign(ctx: RequestContext, id: string, agentId: string): Promise<TaskResponseDto> {
    this.assertNotAgent(ctx);
    const task = await this.tasks.require(id);
    if (!(await this.agents.exists(agentId))) {
      throw new NotFoundError('agent');
    }
    const status: TaskStatus = task.status === 'todo' || task.status === 'blocked' ? 'assigned' : task.status;
    if (FINISHED_STATUSES.includes(task.status)) {
      throw invalidTransition(task.status, 'assigned');
    }
    return this.apply(task, {
      fields: { status, assignedAgentId: agentId, leaseHolderId: null, leaseExpiresAt: null },
      event: historyEntry(ctx, 'assigned', { agentId, from: task.status, to: status }),
      fromStatuses: [task.status],
    });
  }

  async unassign(ctx: RequestContext, id: string): Promise<TaskResponseDto> {
    this.assertNotAgent(ctx);
    const task = await this.tasks.require(id);
    const status: TaskStatus = task.status === 'assigned' || task.status === 'in_progress' ? 'todo' : task.status;
    return this.apply(task, {
      fields: { status, assignedAgentId: null, leaseHolderId: null, leaseExpiresAt: null },
      event: historyEntry(ctx, 'unassigned', { agentId: task.assignedAgentId, from: task.status, to: status }),
      fromStatuses: [task.status],
    });
  }

  /** Takes the best task the agent may work on, with a lease; null when the queue has nothing for it (204). */
  async claim(ctx: RequestContext, dto: ClaimTaskDto): Promise<TaskResponseDto | null> {
    const agentId = await this.claimant(ctx, dto.agentId);
    const leaseSeconds = dto.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    const task = await this.queue.claim({
      agentId,
      teamId: dto.teamId,
      roleId: dto.roleId,
      leaseSeconds,
      event: historyEntry(ctx, 'claimed', { agentId, leaseSeconds }),
    });
    return task ? toTaskResponse(task) : null;
  }

  async renewLease(ctx: RequestContext, id: string, leaseSeconds = DEFAULT_LEASE_SECONDS): Promise<TaskResponseDto> {
    const task = await this.tasks.require(id);
    const holder = ctx.principal.kind === 'agent' ? ctx.principal.id : task.leaseHolderId;
    const renewed = holder ? await this.queue.renewLease(id, holder, leaseSeconds) : null;
    if (!renewed) {
      throw new ConflictError('The caller holds no active lease on this task', 'lease_not_held');
    }
    return toTaskResponse(renewed);
  }

  /** The lease-expiry job: tasks whose lease ran out go back to `todo` for someone else to claim. */
  async expireLeases(ctx: RequestContext): Promise<string[]> {
    const returned: string[] = [];
    for (const id of await this.queue.expiredLeaseIds()) {
      const task = await this.repository.applyChange(id, {
        fields: { status: 'todo', assignedAgentId: null, leaseHolderId: null, leaseExpiresAt: null },
        event: historyEntry(ctx, 'lease_expired', {}),
        fromStatuses: ['assigned', 'in_progress'],
        leaseExpired: true,
      });
      if (task) {
        returned.push(id);
      }
    }
    return returned;
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

  private assertNotAgent(ctx: RequestContext): void {
    if (ctx.principal.kind === 'agent') {
      throw new ForbiddenError('Agents claim work through /api/tasks/claim; assignment is for people');
    }
  }

  // An agent claims for itself; the hub token or an admin may claim on an agent's behalf.
  private async claimant(ctx: RequestContext, agentId?: string): Promise<string> {
    if (ctx.principal.kind === 'agent') {
      if (agentId && agentId !== ctx.principal.id) {
        throw new ForbiddenError('An agent may only claim for itself');
      }
      return ctx.principal.id;
    }
    if (!ctx.isAdmin) {
      throw new ForbiddenError('Only agents (or the hub token and admins, naming an agent) claim tasks');
    }
    if (!agentId) {
      throw new ValidationFailedError([
        { field: 'agentId', message: 'agentId is required when an administrator claims' },
      ]);
    }
    if (!(await this.agents.exists(agentId))) {
      throw new NotFoundError('agent');
    }
    return agentId;
  }
}
