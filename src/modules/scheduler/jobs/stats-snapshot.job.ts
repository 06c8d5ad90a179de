import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { AppConfig } from '../../../config/app-config.js';
import { StatsService } from '../../system/stats/stats.service.js';
import { SystemJobsService } from '../system-jobs.service.js';

export const STATS_SNAPSHOT = 'stats.snapshot';

/**
 * Stores a statistics snapshot every STATS_SNAPSHOT_INTERVAL_SECONDS. The timer checks every 5 seconds;
 * the slot is the configured interval, so each interval gets exactly one snapshot cluster-wide.
 */
@Injectable()
export class StatsSnapshotJob {
  private readonly periodSeconds: number;

  constructor(
    private readonly jobs: SystemJobsService,
    private readonly stats: StatsService,
    config: AppConfig,
  ) {
    this.periodSeconds = config.stats.snapshotIntervalSeconds;
  }

  @Cron('*/5 * * * * *', { name: STATS_SNAPSHOT, waitForCompletion: true })
  onSchedule(): Promise<boolean> {
    return this.tick(new Date());
  }

  tick(now: Date): Promise<boolean> {
    return this.jobs.runTick(STATS_SNAPSHOT, this.periodSeconds, (ctx) => this.stats.snapshot(ctx), now);
  }
}
