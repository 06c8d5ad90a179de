import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HubServicesModule } from '../../src/public-api.js';
import { DailySummaryDeliveriesRepository } from './daily-summary-deliveries.repository.js';
import { DailySummaryDeliveryEntity } from './daily-summary-delivery.entity.js';
import { DailySummaryController } from './daily-summary.controller.js';
import { DailySummaryJob } from './daily-summary.job.js';
import {
  type DailySummaryModuleOptions,
  DailySummaryOptions,
  validateDailySummaryOptions,
} from './daily-summary.options.js';
import { DailySummaryService } from './daily-summary.service.js';

/**
 * Example extension (docs/extending.md): a daily summary of completed tasks, previewed by users, sent by
 * admins on demand and by the scheduler once a day, each attempt recorded in its own table. Mount it with
 * `createApp(config, { imports: [DailySummaryModule.forRoot({ url, secret })], schemas: [DAILY_SUMMARY_SCHEMA] })`.
 */
@Module({})
export class DailySummaryModule {
  static forRoot(options: DailySummaryModuleOptions): DynamicModule {
    return {
      module: DailySummaryModule,
      imports: [HubServicesModule, TypeOrmModule.forFeature([DailySummaryDeliveryEntity])],
      controllers: [DailySummaryController],
      providers: [
        { provide: DailySummaryOptions, useValue: validateDailySummaryOptions(options) },
        DailySummaryService,
        DailySummaryDeliveriesRepository,
        DailySummaryJob,
      ],
    };
  }
}
