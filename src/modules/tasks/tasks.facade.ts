import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type Page } from '../../common/http/pagination.dto.js';
import type { TaskResponseDto } from './dto/task.response.dto.js';
import type { TaskPriority, TaskStatus } from './task-status.js';
import { TasksService } from './tasks.service.js';

/** What an extension may filter tasks by; dates are instants, bounds inclusive (as in GET /api/tasks). */
export interface TaskFilter {
  status?: TaskStatus[];
  priority?: TaskPriority[];
  teamId?: string;
  agentId?: string;
  createdFrom?: Date;
  createdTo?: Date;
  updatedFrom?: Date;
  updatedTo?: Date;
  /** Oldest or newest change first; newest by default. */
  order?: 'updatedAt' | '-updatedAt';
  /** Default 50, at most 500 (larger values are lowered to 500). */
  limit?: number;
  offset?: number;
}

/**
 * The task reads extension modules may use: typed filters in, the API's task objects out (never an entity
 * or the callback secret), so extensions keep working while the tasks module changes inside. It grows with
 * what extensions need; today that is listing.
 */
@Injectable()
export class TasksFacade {
  constructor(private readonly tasks: TasksService) {}

  /**
   * Tasks matching `filter`, paged like GET /api/tasks. Every authenticated caller may read every task today;
   * `ctx` is part of the signature so that a later restriction does not change the extension API.
   */
  async list(ctx: RequestContext, filter: TaskFilter = {}): Promise<Page<TaskResponseDto>> {
    const page = await this.tasks.list({
      status: filter.status,
      priority: filter.priority,
      teamId: filter.teamId,
      agentId: filter.agentId,
      createdFrom: filter.createdFrom?.toISOString(),
      createdTo: filter.createdTo?.toISOString(),
      updatedFrom: filter.updatedFrom?.toISOString(),
      updatedTo: filter.updatedTo?.toISOString(),
      sort: filter.order,
      limit: Math.max(1, Math.min(filter.limit ?? DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT)),
      offset: filter.offset ?? 0,
      include: ['history'],
    });
    return { ...page, items: page.items.map((item) => ({ ...item, history: item.history ?? [] })) };
  }
}
