import { Injectable } from '@nestjs/common';
import {
  AuditService,
  type Page,
  type PageQueryDto,
  pageOf,
  type RequestContext,
  type TaskResponseDto,
  TasksFacade,
  WebhookSenderService,
} from '../../src/public-api.js';
import { DailySummaryDeliveriesRepository } from './daily-summary-deliveries.repository.js';
import { DailySummaryOptions } from './daily-summary.options.js';
import {
  type CompletedTaskDto,
  type DailySummaryDto,
  type DeliveryRecordDto,
  MAX_LISTED_TASKS,
  type SummaryDeliveryDto,
} from './dto/daily-summary.dto.js';
import type { SendTrigger } from './send-trigger.js';
import { SummaryNotDeliveredError } from './summary-not-delivered.error.js';
import { type UtcDay, utcDay, utcDayOf } from './summary-day.js';

const PAGE = 500;

/** When the task became completed: its last status change to `completed` in the history. */
function completedAt(task: TaskResponseDto): Date {
  const entry = task.history.findLast((event) => event.details.to === 'completed');
  // The history keeps the newest 200 entries; after that many edits of a finished task, its last update
  // is the best estimate left.
  return new Date(entry?.at ?? task.updatedAt);
}

/** Counts and lists the tasks completed during one UTC day, and delivers that summary to the configured URL. */
@Injectable()
export class DailySummaryService {
  constructor(
    private readonly tasks: TasksFacade,
    private readonly webhooks: WebhookSenderService,
    private readonly audit: AuditService,
    private readonly deliveries: DailySummaryDeliveriesRepository,
    private readonly options: DailySummaryOptions,
  ) {}

  /** The summary of `date` (a UTC day, `YYYY-MM-DD`), today when omitted. */
  async summarize(ctx: RequestContext, date?: string): Promise<DailySummaryDto> {
    const day = date ? utcDay(date) : utcDayOf(new Date());
    const completed = (await this.completedDuring(ctx, day)).sort((a, b) => b.completedAt.localeCompare(a.completedAt));
    const byPriority = { low: 0, medium: 0, high: 0, critical: 0 };
    for (const task of completed) {
      byPriority[task.priority] += 1;
    }
    return {
      date: day.date,
      from: day.start.toISOString(),
      to: day.end.toISOString(),
      completed: completed.length,
      byPriority,
      tasks: completed.slice(0, MAX_LISTED_TASKS),
    };
  }

  /**
   * POSTs the summary of `date` to the configured URL through the hub's SSRF-guarded sender, records and
   * audits the attempt either way; throws SummaryNotDeliveredError unless the receiver answered 2xx.
   */
  async send(ctx: RequestContext, date: string | undefined, trigger: SendTrigger): Promise<SummaryDeliveryDto> {
    const summary = await this.summarize(ctx, date);
    const { statusCode, error } = await this.webhooks.postJson(
      this.options.url,
      { event: 'daily_summary', summary },
      this.options.secret,
    );
    const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300;
    await this.deliveries.record({ day: summary.date, trigger, delivered, statusCode, completed: summary.completed });
    await this.audit.record(ctx, {
      action: 'daily_summary.sent',
      outcome: delivered ? 'success' : 'failure',
      targetType: 'daily_summary',
      targetId: summary.date,
      details: {
        trigger,
        completed: summary.completed,
        host: new URL(this.options.url).host,
        statusCode,
        error,
      },
    });
    if (statusCode === null || !delivered) {
      throw new SummaryNotDeliveredError(error ?? `the receiver answered HTTP ${statusCode}`);
    }
    return { date: summary.date, completed: summary.completed, statusCode };
  }

  /** Every send attempt, newest first. */
  async listDeliveries(query: PageQueryDto): Promise<Page<DeliveryRecordDto>> {
    const [rows, total] = await this.deliveries.list(query.limit, query.offset);
    const items = rows.map(({ day, trigger, delivered, statusCode, completed, sentAt }) => ({
      date: day,
      trigger,
      delivered,
      statusCode,
      completed,
      sentAt: sentAt.toISOString(),
    }));
    return pageOf(items, total, query);
  }

  // A task completed during the day was last updated at or after its completion, so the tasks updated since
  // the day began are the candidates; the history says when each was really completed.
  private async completedDuring(ctx: RequestContext, day: UtcDay): Promise<CompletedTaskDto[]> {
    const found: CompletedTaskDto[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.tasks.list(ctx, {
        status: ['completed'],
        updatedFrom: day.start,
        order: 'updatedAt',
        limit: PAGE,
        offset,
      });
      for (const task of page.items) {
        const at = completedAt(task);
        if (at >= day.start && at < day.end) {
          found.push({
            id: task.id,
            title: task.title,
            priority: task.priority,
            assignedAgentId: task.assignedAgentId,
            completedAt: at.toISOString(),
          });
        }
      }
      if (page.items.length < PAGE) {
        return found;
      }
    }
  }
}
