import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { type RequestContext, systemContext } from '../../common/auth/request-context.js';
import { SystemJobRunsRepository } from './system-job-runs.repository.js';

/** Identifies this process in the claim rows, for operators reading `system_job_runs`. */
const INSTANCE = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/** The slot a tick belongs to: the start of its period, so every instance computes the same fire time. */
export function slotOf(now: Date, periodSeconds: number): Date {
  const periodMs = periodSeconds * 1000;
  return new Date(Math.floor(now.getTime() / periodMs) * periodMs);
}

/**
 * Runs a system job's tick on exactly one instance. `@nestjs/schedule` fires in every instance; each tick
 * first claims its (job, slot) row in PostgreSQL and only the instance that inserted it does the work
 * (SPEC section 8; advisory locks through a pool would not give "once per fire time").
 */
@Injectable()
export class SystemJobsService {
  private readonly logger = new Logger('SystemJobsService');

  constructor(private readonly runs: SystemJobRunsRepository) {}

  async runTick(
    job: string,
    periodSeconds: number,
    work: (ctx: RequestContext) => Promise<unknown>,
    now = new Date(),
  ): Promise<boolean> {
    const fireAt = slotOf(now, periodSeconds);
    if (!(await this.runs.claim(job, fireAt, INSTANCE))) {
      return false;
    }
    try {
      await work(systemContext(job));
      await this.runs.finish(job, fireAt, 'succeeded', null);
    } catch (error) {
      // A failed tick is recorded and logged; the next tick runs as usual.
      this.logger.error(`System job ${job} failed: ${(error as Error).message}`, (error as Error).stack);
      await this.runs.finish(job, fireAt, 'failed', (error as Error).message.slice(0, 2000));
    }
    return true;
  }
}
