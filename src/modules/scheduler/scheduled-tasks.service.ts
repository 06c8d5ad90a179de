import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { NotFoundError, type FieldProblem, ValidationFailedError } from '../../common/errors/domain-errors.js';
import { type Page, type PageQueryDto, pageOf } from '../../common/http/pagination.dto.js';
import { AuditService } from '../audit/audit.service.js';
import {
  type BackfillDto,
  type BackfillResultDto,
  type CreateScheduledTaskDto,
  MAX_BACKFILL_OCCURRENCES,
  type ScheduledTaskResponseDto,
  type ScheduledTaskRunDto,
  toRunResponse,
  toScheduleResponse,
  type UpdateScheduledTaskDto,
} from './dto/scheduled-task.dto.js';
import { type RunResult, ScheduleRunnerService } from './schedule-runner.service.js';
import {
  firesAfter,
  isValidCron,
  isValidTimezone,
  nextOccurrence,
  occurrencesBetween,
  type Trigger,
} from './schedule-timing.js';
import type { ScheduledTaskEntity } from './scheduled-task.entity.js';
import { ScheduledTasksRepository } from './scheduled-tasks.repository.js';

function assertTrigger(trigger: Trigger): void {
  const problems: FieldProblem[] = [];
  if ((trigger.cron === null) === (trigger.intervalSeconds === null)) {
    problems.push({ field: 'cron', message: 'Give exactly one of cron and intervalSeconds' });
  }
  if (trigger.cron !== null && !isValidCron(trigger.cron)) {
    problems.push({ field: 'cron', message: `cron is not a valid 5- or 6-field cron expression: ${trigger.cron}` });
  }
  if (!isValidTimezone(trigger.timezone)) {
    problems.push({ field: 'timezone', message: `timezone is not an IANA time zone: ${trigger.timezone}` });
  }
  if (problems.length === 0 && !firesAfter(trigger, new Date())) {
    problems.push({ field: 'cron', message: `cron names no date that exists, so it never fires: ${trigger.cron}` });
  }
  if (problems.length > 0) {
    throw new ValidationFailedError(problems, 'Invalid schedule');
  }
}

// Zone names are matched case-insensitively; store the canonical spelling ("europe/berlin" → "Europe/Berlin").
const canonicalZone = (zone: string): string =>
  isValidTimezone(zone) ? new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone : zone;

const actorName = (ctx: RequestContext): string =>
  ctx.principal.kind === 'user'
    ? ctx.principal.username
    : ctx.principal.kind === 'agent'
      ? ctx.principal.name
      : ctx.principal.kind;

/** Scheduled tasks (SPEC section 8): CRUD, run now, run history. */
@Injectable()
export class ScheduledTasksService {
  constructor(
    private readonly schedules: ScheduledTasksRepository,
    private readonly runner: ScheduleRunnerService,
    private readonly audit: AuditService,
  ) {}

  async list(query: PageQueryDto): Promise<Page<ScheduledTaskResponseDto>> {
    const [rows, total] = await this.schedules.list(query.limit, query.offset);
    return pageOf(rows.map(toScheduleResponse), total, query);
  }

  async get(id: string): Promise<ScheduledTaskResponseDto> {
    return toScheduleResponse(await this.require(id));
  }

  async create(ctx: RequestContext, dto: CreateScheduledTaskDto): Promise<ScheduledTaskResponseDto> {
    const trigger: Trigger = {
      cron: dto.cron ?? null,
      timezone: dto.timezone ?? 'UTC',
      intervalSeconds: dto.intervalSeconds ?? null,
    };
    assertTrigger(trigger);
    const enabled = dto.enabled ?? true;
    const schedule = await this.schedules.create({
      name: dto.name,
      ...trigger,
      task: { ...dto.task },
      enabled,
      overlapPolicy: dto.overlapPolicy ?? 'allow',
      catchupWindowSeconds: dto.catchupWindowSeconds ?? null,
      nextRunAt: enabled ? nextOccurrence(trigger, new Date()) : null,
      createdBy: actorName(ctx),
    });
    await this.audit.record(ctx, {
      action: 'schedule.created',
      targetType: 'scheduled_task',
      targetId: schedule.id,
      details: { name: dto.name, ...trigger },
    });
    return toScheduleResponse(schedule);
  }

  async update(ctx: RequestContext, id: string, dto: UpdateScheduledTaskDto): Promise<ScheduledTaskResponseDto> {
    const current = await this.require(id);
    const trigger: Trigger = {
      cron: dto.cron !== undefined ? dto.cron : dto.intervalSeconds !== undefined ? null : current.cron,
      intervalSeconds:
        dto.intervalSeconds !== undefined
          ? dto.intervalSeconds
          : dto.cron !== undefined
            ? null
            : current.intervalSeconds,
      timezone: dto.timezone !== undefined ? canonicalZone(dto.timezone) : current.timezone,
    };
    assertTrigger(trigger);
    const enabled = dto.enabled ?? current.enabled;
    const timingChanged =
      trigger.cron !== current.cron ||
      trigger.intervalSeconds !== current.intervalSeconds ||
      trigger.timezone !== current.timezone;
    const nextRunAt = !enabled
      ? null
      : timingChanged || !current.nextRunAt
        ? nextOccurrence(trigger, new Date())
        : current.nextRunAt;
    const updated = await this.schedules.update(id, {
      name: dto.name,
      ...trigger,
      enabled,
      overlapPolicy: dto.overlapPolicy,
      catchupWindowSeconds: dto.catchupWindowSeconds,
      nextRunAt,
      task: dto.task ? { ...dto.task } : undefined,
    });
    await this.audit.record(ctx, {
      action: 'schedule.updated',
      targetType: 'scheduled_task',
      targetId: id,
      details: { fields: Object.keys(dto) },
    });
    return toScheduleResponse(updated!);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    if (!(await this.schedules.delete(id))) {
      throw new NotFoundError('scheduled_task');
    }
    await this.audit.record(ctx, { action: 'schedule.deleted', targetType: 'scheduled_task', targetId: id });
  }

  async runNow(ctx: RequestContext, id: string): Promise<ScheduledTaskRunDto> {
    const result: RunResult = await this.runner.runNow(await this.require(id));
    await this.audit.record(ctx, {
      action: 'schedule.run_requested',
      targetType: 'scheduled_task',
      targetId: id,
      details: { ...result },
    });
    return toRunResponse((await this.schedules.getRun(result.runId))!);
  }

  /** Runs the timetable's occurrences of a past range that have not run, each exactly once; audited. */
  async backfill(ctx: RequestContext, id: string, dto: BackfillDto): Promise<BackfillResultDto> {
    const schedule = await this.require(id);
    const from = new Date(dto.from);
    const to = new Date(dto.to);
    if (to.getTime() < from.getTime()) {
      throw new ValidationFailedError([{ field: 'to', message: 'to must not be before from' }]);
    }
    if (to.getTime() > Date.now()) {
      throw new ValidationFailedError([{ field: 'to', message: 'a backfill covers the past only' }]);
    }
    const occurrences = occurrencesBetween(schedule, from, to, MAX_BACKFILL_OCCURRENCES);
    if (occurrences.length > MAX_BACKFILL_OCCURRENCES) {
      throw new ValidationFailedError([
        { field: 'to', message: `the range holds more than ${MAX_BACKFILL_OCCURRENCES} occurrences` },
      ]);
    }
    const { ran, existing } = await this.runner.backfill(schedule, occurrences);
    await this.audit.record(ctx, {
      action: 'schedule.backfilled',
      targetType: 'scheduled_task',
      targetId: id,
      details: { from: from.toISOString(), to: to.toISOString(), occurrences: occurrences.length, ran, existing },
    });
    return { occurrences: occurrences.length, ran, existing };
  }

  async runs(id: string, query: PageQueryDto): Promise<Page<ScheduledTaskRunDto>> {
    await this.require(id);
    const [rows, total] = await this.schedules.runsOf(id, query.limit, query.offset);
    return pageOf(rows.map(toRunResponse), total, query);
  }

  private async require(id: string): Promise<ScheduledTaskEntity> {
    const schedule = await this.schedules.getById(id);
    if (!schedule) {
      throw new NotFoundError('scheduled_task');
    }
    return schedule;
  }
}
