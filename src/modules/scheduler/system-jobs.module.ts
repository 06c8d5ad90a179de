import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SystemJobRunEntity } from './system-job-run.entity.js';
import { SystemJobRunsRepository } from './system-job-runs.repository.js';
import { SystemJobsService } from './system-jobs.service.js';

/**
 * The claim of system-job ticks in `system_job_runs`, on its own so that extension modules can run their
 * jobs once per slot across instances without importing the whole scheduler.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SystemJobRunEntity])],
  providers: [SystemJobsService, SystemJobRunsRepository],
  exports: [SystemJobsService, SystemJobRunsRepository],
})
export class SystemJobsModule {}
