import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { ScheduleRunnerService } from '../schedule-runner.service.js';

/**
 * Checks for due schedules every 5 seconds in every instance; each occurrence is claimed individually
 * (ScheduleRunnerService), so instances share the work and never duplicate it.
 */
@Injectable()
export class ScheduledTasksJob {
  private running = false;

  constructor(private readonly runner: ScheduleRunnerService) {}

  @Cron('*/5 * * * * *', { name: 'scheduler.scheduled-tasks' })
  async onSchedule(): Promise<void> {
    if (this.running) {
      return;
    }
    this.running = true;
    try {
      await this.runner.runDue();
    } finally {
      this.running = false;
    }
  }
}
