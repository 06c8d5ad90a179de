import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { IdempotencyKeysRepository } from '../../../common/idempotency/idempotency-keys.repository.js';
import { RateLimitBucketsRepository } from '../../../common/rate-limit/rate-limit-buckets.repository.js';
import { AppConfig } from '../../../config/app-config.js';
import { AuditService } from '../../audit/audit.service.js';
import { EventsService } from '../../events/events.service.js';
import { LoginThrottleService } from '../../auth/login-throttle.service.js';
import { SystemJobRunsRepository } from '../system-job-runs.repository.js';
import { SystemJobsService } from '../system-jobs.service.js';

export const HOUSEKEEPING = 'system.housekeeping';
const PERIOD_SECONDS = 600;
const JOB_RUN_RETENTION_DAYS = 7;

/**
 * Every 10 minutes, once cluster-wide: login attempts outside every window, expired bans, ended rate-limit
 * windows, Idempotency-Keys past their 24 hours, audit entries past AUDIT_RETENTION_DAYS, events past
 * EVENTS_RETENTION_HOURS, and old job claims.
 */
@Injectable()
export class HousekeepingJob {
  constructor(
    private readonly jobs: SystemJobsService,
    private readonly throttle: LoginThrottleService,
    private readonly rateLimits: RateLimitBucketsRepository,
    private readonly idempotencyKeys: IdempotencyKeysRepository,
    private readonly audit: AuditService,
    private readonly events: EventsService,
    private readonly jobRuns: SystemJobRunsRepository,
    private readonly config: AppConfig,
  ) {}

  @Cron('30 */10 * * * *', { name: HOUSEKEEPING, waitForCompletion: true })
  onSchedule(): Promise<boolean> {
    return this.tick(new Date());
  }

  tick(now: Date): Promise<boolean> {
    return this.jobs.runTick(
      HOUSEKEEPING,
      PERIOD_SECONDS,
      async () => {
        await this.throttle.cleanup();
        await this.rateLimits.deleteExpired();
        await this.idempotencyKeys.deleteExpired();
        await this.audit.applyRetention(this.config.audit.retentionDays);
        await this.events.applyRetention(this.config.events.retentionHours);
        await this.jobRuns.deleteOlderThan(JOB_RUN_RETENTION_DAYS);
      },
      now,
    );
  }
}
