import { Module } from '@nestjs/common';
import { DatabaseProbe } from './database.probe.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

/** Health and readiness; config store, stats and metrics join it with the scheduler work (issue 6). */
@Module({
  controllers: [HealthController],
  providers: [HealthService, DatabaseProbe],
})
export class SystemModule {}
