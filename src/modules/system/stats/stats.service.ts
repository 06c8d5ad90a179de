import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { RequestContext } from '../../../common/auth/request-context.js';
import { type Page, pageOf } from '../../../common/http/pagination.dto.js';
import { AppConfig } from '../../../config/app-config.js';
import { HubCountsReadModel } from './hub-counts.read-model.js';
import { StatsRepository } from './stats.repository.js';
import type { StatsDto, StatsHistoryQueryDto, StatsSnapshotDto } from './stats.dto.js';

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((sum, n) => sum + n, 0);

/** Live statistics, snapshots and their history (SPEC section 9). */
@Injectable()
export class StatsService implements OnModuleDestroy {
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(
    private readonly stats: StatsRepository,
    private readonly counts: HubCountsReadModel,
    private readonly config: AppConfig,
  ) {
    this.loopDelay.enable();
  }

  onModuleDestroy(): void {
    this.loopDelay.disable();
  }

  async live(): Promise<StatsDto> {
    const [agents, tasks, schedules] = await Promise.all([
      this.counts.agentsByStatus(),
      this.counts.tasksByStatus(),
      this.counts.schedules(),
    ]);
    const memory = process.memoryUsage();
    const lagMs = Number.isFinite(this.loopDelay.mean) ? this.loopDelay.mean / 1e6 : 0;
    this.loopDelay.reset();
    return {
      agents: { total: total(agents), byStatus: agents },
      tasks: { total: total(tasks), byStatus: tasks },
      scheduler: {
        enabled: this.config.scheduler.enabled,
        schedules: schedules.total,
        enabledSchedules: schedules.enabled,
      },
      process: {
        uptime: Math.round(process.uptime() * 10) / 10,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        eventLoopLagMs: Math.round(lagMs * 100) / 100,
      },
    };
  }

  async history(query: StatsHistoryQueryDto): Promise<Page<StatsSnapshotDto>> {
    const [rows, total] = await this.stats.history(
      query.from ? new Date(query.from) : undefined,
      query.to ? new Date(query.to) : undefined,
      query.limit,
      query.offset,
    );
    const items = rows.map((row) => ({ takenAt: row.takenAt.toISOString(), stats: row.stats as StatsDto }));
    return pageOf(items, total, query);
  }

  /** The snapshot job: stores the live statistics and drops snapshots older than STATS_RETENTION_DAYS. */
  async snapshot(_ctx: RequestContext): Promise<void> {
    await this.stats.saveSnapshot(await this.live());
    await this.stats.deleteSnapshotsOlderThan(this.config.stats.retentionDays);
  }
}
