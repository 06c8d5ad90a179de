import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { SecretBoxService } from '../../common/crypto/secret-box.service.js';
import { ConflictError, ValidationFailedError } from '../../common/errors/domain-errors.js';
import { PgErrorCode, sqlState } from '../../common/errors/database-errors.js';
import { AuditService } from '../audit/audit.service.js';
import { RolesService } from '../teams/roles.service.js';
import { TeamsService } from '../teams/teams.service.js';
import { DEFAULT_RETRY_BACKOFF_SECONDS } from './task-retries.js';
import { CallbackUrlPolicy } from './callbacks/callback-url.policy.js';
import type { CreateTaskDto, ListTasksQueryDto, UpdateTaskDto } from './dto/task-inputs.dto.js';
import {
  type TaskHistoryEntryDto,
  type TaskPageDto,
  type TaskResponseDto,
  toTaskListItem,
  toTaskResponse,
} from './dto/task.response.dto.js';
import { decodeCursor, encodeCursor, type TaskSortColumn } from './task-search.js';
import { assertMayChange } from './task-access.policy.js';
import { historyEntry } from './task-actor.js';
import { dependencyCycle, taskNotFound, unknownTasks, versionConflict } from './task-errors.js';
import { FINISHED_STATUSES, normalizeStatus, type TaskStatus } from './task-status.js';
import type { TaskEntity } from './task.entity.js';
import { type TaskFields, TasksRepository } from './tasks.repository.js';

const idTaken = (): ConflictError => new ConflictError('A task with this id already exists', 'conflict');

/** Tasks: create, read, list, change, delete (SPEC section 7). Status and queue operations: TaskWorkflowService. */
@Injectable()
export class TasksService {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly teams: TeamsService,
    private readonly roles: RolesService,
    private readonly callbacks: CallbackUrlPolicy,
    private readonly box: SecretBoxService,
    private readonly audit: AuditService,
  ) {}

  async create(ctx: RequestContext, dto: CreateTaskDto): Promise<TaskResponseDto> {
    const id = dto.id ?? randomUUID();
    const dependsOn = [...new Set(dto.dependsOn ?? [])];
    if (dependsOn.includes(id) || dto.parentTaskId === id) {
      throw new ValidationFailedError(
        [{ field: 'dependsOn', message: 'A task cannot depend on itself' }],
        'Dependency cycle',
      );
    }
    // The id of an archived task is taken too: the task could be neither archived again nor restored.
    if (dto.id && (await this.tasks.existingIds([dto.id])).has(dto.id)) {
      throw idTaken();
    }
    await this.checkReferences(dto.teamId, dto.assignedRoleId, dto.parentTaskId, dependsOn);
    const callback = await this.callbackFields(dto.callbackUrl, dto.callbackSecret, false);
    try {
      const task = await this.tasks.insert(
        {
          id,
          title: dto.title,
          description: dto.description ?? null,
          priority: dto.priority ?? 'medium',
          teamId: dto.teamId ?? null,
          assignedRoleId: dto.assignedRoleId ?? null,
          parentTaskId: dto.parentTaskId ?? null,
          dependsOn,
          callbackUrl: callback.callbackUrl ?? null,
          callbackSecretSealed: callback.callbackSecretSealed ?? null,
          maxAttempts: dto.maxAttempts ?? 1,
          retryBackoffSeconds: dto.retryBackoffSeconds ?? DEFAULT_RETRY_BACKOFF_SECONDS,
          timeoutSeconds: dto.timeoutSeconds ?? null,
          concurrencyKey: dto.concurrencyKey ?? null,
        },
        historyEntry(ctx, 'created', { title: dto.title }),
      );
      return toTaskResponse(task);
    } catch (error) {
      if (sqlState(error) === PgErrorCode.UniqueViolation) {
        throw idTaken();
      }
      throw error;
    }
  }

  async get(id: string): Promise<TaskResponseDto> {
    return toTaskResponse(await this.require(id));
  }

  /** Whether the task is still to do or under way; a finished, archived or deleted one is not. */
  async isUnfinished(id: string): Promise<boolean> {
    const task = await this.tasks.getById(id);
    return task !== null && !FINISHED_STATUSES.includes(task.status);
  }

  async history(id: string): Promise<TaskHistoryEntryDto[]> {
    return (await this.require(id)).history;
  }

  async list(query: ListTasksQueryDto): Promise<TaskPageDto> {
    const sort = query.sort ?? '-updatedAt';
    const column = sort.replace('-', '') as TaskSortColumn;
    if (query.cursor && query.offset > 0) {
      throw new ValidationFailedError([{ field: 'offset', message: 'offset and cursor cannot be combined' }]);
    }
    const result = await this.tasks.search({
      status: query.status?.map((value) => this.statusFilter(value)),
      reason: query.reason,
      priority: query.priority,
      teamId: query.teamId,
      agentId: query.agentId,
      parentTaskId: query.parentTaskId,
      q: query.q,
      createdFrom: optionalDate(query.createdFrom),
      createdTo: optionalDate(query.createdTo),
      updatedFrom: optionalDate(query.updatedFrom),
      updatedTo: optionalDate(query.updatedTo),
      sort: { column, direction: sort.startsWith('-') ? 'DESC' : 'ASC' },
      limit: query.limit,
      offset: query.offset,
      after: query.cursor ? decodeCursor(query.cursor, sort, column) : undefined,
      withHistory: query.include?.includes('history') ?? false,
    });
    const last = result.rows.at(-1);
    return {
      items: result.rows.map(toTaskListItem),
      total: result.total,
      totalIsExact: result.totalIsExact,
      limit: query.limit,
      offset: query.offset,
      nextCursor: result.more && last ? encodeCursor({ sort, key: last.sortKey, id: last.id }) : null,
    };
  }

  /** Changes fields (not the status: that is /status); `version` or If-Match makes it conditional. */
  async update(ctx: RequestContext, id: string, dto: UpdateTaskDto, ifMatch?: number): Promise<TaskResponseDto> {
    const task = await this.require(id);
    assertMayChange(ctx, task);
    const expected = dto.version ?? ifMatch;
    if (expected !== undefined && expected !== task.version) {
      throw versionConflict();
    }
    const dependsOn = dto.dependsOn ? [...new Set(dto.dependsOn)] : undefined;
    await this.checkReferences(dto.teamId, dto.assignedRoleId, dto.parentTaskId, dependsOn ?? []);
    const cycleTargets = [...(dependsOn ?? []), ...(dto.parentTaskId ? [dto.parentTaskId] : [])];
    if (cycleTargets.includes(id)) {
      throw dependencyCycle(dependsOn ? 'dependsOn' : 'parentTaskId');
    }
    const callback = await this.callbackFields(dto.callbackUrl, dto.callbackSecret, task.callbackSecretSealed !== null);
    const fields: TaskFields = {
      title: dto.title,
      description: dto.description,
      priority: dto.priority,
      teamId: dto.teamId,
      assignedRoleId: dto.assignedRoleId,
      parentTaskId: dto.parentTaskId,
      dependsOn,
      maxAttempts: dto.maxAttempts,
      retryBackoffSeconds: dto.retryBackoffSeconds,
      timeoutSeconds: dto.timeoutSeconds,
      ...callback,
    };
    const changed = Object.entries({ ...dto, callbackSecret: undefined })
      .filter(([key, value]) => value !== undefined && key !== 'version')
      .map(([key]) => key);
    const updated = await this.tasks.applyChange(id, {
      fields,
      event: historyEntry(ctx, 'updated', { fields: dto.callbackSecret ? [...changed, 'callbackSecret'] : changed }),
      version: expected,
      noCycleThrough: cycleTargets.length > 0 ? cycleTargets : undefined,
    });
    if (!updated) {
      throw versionConflict();
    }
    return toTaskResponse(updated);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    const task = await this.require(id);
    if (!(await this.tasks.delete(id))) {
      throw taskNotFound();
    }
    await this.audit.record(ctx, {
      action: 'task.deleted',
      targetType: 'task',
      targetId: id,
      details: { title: task.title, status: task.status },
    });
  }

  /** The task, or 404 `task_not_found`. */
  async require(id: string): Promise<TaskEntity> {
    const task = await this.tasks.getById(id);
    if (!task) {
      throw taskNotFound();
    }
    return task;
  }

  private statusFilter(value: string): TaskStatus {
    const status = normalizeStatus(value);
    if (!status) {
      throw new ValidationFailedError([{ field: 'status', message: `status has an unknown value: ${value}` }]);
    }
    return status;
  }

  private async checkReferences(
    teamId: string | null | undefined,
    roleId: string | null | undefined,
    parentTaskId: string | null | undefined,
    dependsOn: string[],
  ): Promise<void> {
    if (teamId) {
      await this.teams.get(teamId);
    }
    if (roleId) {
      await this.roles.require(roleId);
    }
    const known = await this.tasks.existingIds([...dependsOn, ...(parentTaskId ? [parentTaskId] : [])]);
    const missingDependencies = dependsOn.filter((dependency) => !known.has(dependency));
    if (missingDependencies.length > 0) {
      throw unknownTasks('dependsOn', missingDependencies);
    }
    if (parentTaskId && !known.has(parentTaskId)) {
      throw unknownTasks('parentTaskId', [parentTaskId]);
    }
  }

  private async callbackFields(
    url: string | null | undefined,
    secret: string | undefined,
    hasSecret: boolean,
  ): Promise<Pick<TaskFields, 'callbackUrl' | 'callbackSecretSealed'>> {
    if (url) {
      const refusal = await this.callbacks.refusal(url);
      if (refusal) {
        throw new ValidationFailedError(
          [{ field: 'callbackUrl', message: `callbackUrl ${refusal}` }],
          'Callback URL refused',
        );
      }
      if (!secret && !hasSecret) {
        throw new ValidationFailedError([
          { field: 'callbackSecret', message: 'callbackSecret is required with callbackUrl' },
        ]);
      }
    }
    return {
      callbackUrl: url,
      callbackSecretSealed: url === null ? null : secret ? this.box.seal(secret) : undefined,
    };
  }
}

const optionalDate = (value: string | undefined): Date | undefined => (value ? new Date(value) : undefined);
