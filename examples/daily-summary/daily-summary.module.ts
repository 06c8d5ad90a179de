import { type DynamicModule, Module } from '@nestjs/common';
import { HubServicesModule } from '../../src/public-api.js';
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
 * admins on demand and by the scheduler once a day. Mount it with
 * `createApp(config, { imports: [DailySummaryModule.forRoot({ url, secret })] })`.
 */
@Module({})
export class DailySummaryModule {
  static forRoot(options: DailySummaryModuleOptions): DynamicModule {
    return {
      module: DailySummaryModule,
      imports: [HubServicesModule],
      controllers: [DailySummaryController],
      providers: [
        { provide: DailySummaryOptions, useValue: validateDailySummaryOptions(options) },
        DailySummaryService,
        DailySummaryJob,
      ],
    };
  }
}
