import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { ConfigEntryEntity } from './config/config-entry.entity.js';
import { ConfigController } from './config/config.controller.js';
import { ConfigStoreRepository } from './config/config-store.repository.js';
import { ConfigStoreService } from './config/config-store.service.js';
import { DatabaseStatusRepository } from './database-status.repository.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';
import { HubMetricsService } from './metrics/hub-metrics.service.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { StatsController } from './stats/stats.controller.js';
import { MetricsTokenStrategy } from './metrics/metrics-token.strategy.js';
import { HubCountsReadModel } from './stats/hub-counts.read-model.js';
import { StatsRepository } from './stats/stats.repository.js';
import { StatsService } from './stats/stats.service.js';

/** Health, readiness, the config store, statistics and Prometheus metrics (SPEC section 9). */
@Module({
  imports: [TypeOrmModule.forFeature([ConfigEntryEntity]), AuditModule],
  controllers: [HealthController, ConfigController, StatsController, MetricsController],
  providers: [
    HealthService,
    DatabaseStatusRepository,
    ConfigStoreService,
    ConfigStoreRepository,
    StatsService,
    StatsRepository,
    HubCountsReadModel,
    HubMetricsService,
    MetricsTokenStrategy,
  ],
  exports: [ConfigStoreService, StatsService, HubMetricsService],
})
export class SystemModule {}
