import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { NotFoundError } from '../../common/errors/domain-errors.js';
import { type Page, type PageQueryDto, pageOf } from '../../common/http/pagination.dto.js';
import { AppConfig } from '../../config/app-config.js';
import { AuditService } from '../audit/audit.service.js';
import {
  type ArchivedTaskResponseDto,
  type TaskResponseDto,
  toArchivedTaskResponse,
  toTaskResponse,
} from './dto/task.response.dto.js';
import { TaskArchiveRepository } from './task-archive.repository.js';
import { taskNotFound } from './task-errors.js';

/** Manual archive and restore, the archive listing, and the retention job (SPEC section 7). */
@Injectable()
export class TaskArchiveService {
  constructor(
    private readonly archive: TaskArchiveRepository,
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

  async restore(ctx: RequestContext, id: string): Promise<TaskResponseDto> {
    const task = await this.archive.restore(id);
    if (!task) {
      throw new NotFoundError('archived_task', 'No archived task with this id');
    }
    await this.audit.record(ctx, { action: 'task.restored', targetType: 'task', targetId: id });
    return toTaskResponse(task);
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
