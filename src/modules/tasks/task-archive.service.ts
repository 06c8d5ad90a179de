import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { PgErrorCode, sqlState } from '../../common/errors/database-errors.js';
import { NotFoundError } from '../../common/errors/domain-errors.js';
import { type Page, type PageQueryDto, pageOf } from '../../common/http/pagination.dto.js';
import { AppConfig } from '../../config/app-config.js';
import { AgentsService } from '../agents/agents.service.js';
import { AuditService } from '../audit/audit.service.js';
import { RolesService } from '../teams/roles.service.js';
import { TeamsService } from '../teams/teams.service.js';
import {
  type ArchivedTaskResponseDto,
  type TaskResponseDto,
  toArchivedTaskResponse,
  toTaskResponse,
} from './dto/task.response.dto.js';
import { TaskArchiveRepository } from './task-archive.repository.js';
import { taskNotFound } from './task-errors.js';
import type { TaskEntity } from './task.entity.js';

const archivedTaskNotFound = (): NotFoundError => new NotFoundError('archived_task', 'No archived task with this id');

/** Manual archive and restore, the archive listing, and the retention job (SPEC section 7). */
@Injectable()
export class TaskArchiveService {
  constructor(
    private readonly archive: TaskArchiveRepository,
    private readonly agents: AgentsService,
    private readonly teams: TeamsService,
    private readonly roles: RolesService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async list(query: PageQueryDto): Promise<Page<ArchivedTaskResponseDto>> {
    const [rows, total] = await this.archive.list(query.limit, query.offset);
    return pageOf(rows.map(toArchivedTaskResponse), total, query);
  }

  async archiveOne(ctx: RequestContext, id: string): Promise<ArchivedTaskResponseDto> {
    if (!(await this.archive.archive(id))) {
      throw taskNotFound();
    }
    await this.audit.record(ctx, { action: 'task.archived', targetType: 'task', targetId: id });
    return toArchivedTaskResponse((await this.archive.getById(id))!);
  }

  /**
   * Moves an archived task back. References that no longer exist (team, agent, role) are cleared, as their
   * owning modules report them; one deleted between that check and the move makes the move fail its foreign
   * key, and it is checked once more.
   */
  async restore(ctx: RequestContext, id: string): Promise<TaskResponseDto> {
    let task: TaskEntity | null;
    try {
      task = await this.restoreWithExistingReferences(id);
    } catch (error) {
      if (sqlState(error) !== PgErrorCode.ForeignKeyViolation) {
        throw error;
      }
      task = await this.restoreWithExistingReferences(id);
    }
    if (!task) {
      throw archivedTaskNotFound();
    }
    await this.audit.record(ctx, { action: 'task.restored', targetType: 'task', targetId: id });
    return toTaskResponse(task);
  }

  private async restoreWithExistingReferences(id: string): Promise<TaskEntity | null> {
    const archived = await this.archive.getById(id);
    if (!archived) {
      return null;
    }
    const [teamExists, agentExists, roleExists] = await Promise.all([
      archived.teamId ? this.teams.exists(archived.teamId) : false,
      archived.assignedAgentId ? this.agents.exists(archived.assignedAgentId) : false,
      archived.assignedRoleId ? this.roles.exists(archived.assignedRoleId) : false,
    ]);
    return this.archive.restore(id, {
      teamId: teamExists ? archived.teamId : null,
      assignedAgentId: agentExists ? archived.assignedAgentId : null,
      assignedRoleId: roleExists ? archived.assignedRoleId : null,
    });
  }

  /** The retention job: archive finished tasks after TASKS_RETENTION_DAYS, purge after ARCHIVED_TASKS_RETENTION_DAYS. */
  async applyRetention(ctx: RequestContext): Promise<{ archived: number; purged: number }> {
    let archived = 0;
    let moved: number;
    do {
      moved = await this.archive.archiveFinishedOlderThan(this.config.tasks.retentionDays);
      archived += moved;
    } while (moved > 0);
    const purged = await this.archive.purgeOlderThan(this.config.tasks.archivedRetentionDays);
    if (archived > 0 || purged > 0) {
      await this.audit.record(ctx, {
        action: 'task.retention_applied',
        targetType: 'task',
        details: { archived, purged },
      });
    }
    return { archived, purged };
  }
}
