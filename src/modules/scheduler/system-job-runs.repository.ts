import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SystemJobRunEntity } from './system-job-run.entity.js';

@Injectable()
export class SystemJobRunsRepository {
  constructor(@InjectRepository(SystemJobRunEntity) private readonly runs: Repository<SystemJobRunEntity>) {}

  /** Claims a tick; true for exactly one caller per (job, fire time), whatever the number of instances. */
  async claim(job: string, fireAt: Date, instance: string): Promise<boolean> {
    const rows = await this.runs.query<unknown[]>(
      `INSERT INTO system_job_runs (job, fire_at, instance) VALUES ($1, $2, $3)
       ON CONFLICT (job, fire_at) DO NOTHING RETURNING job`,
      [job, fireAt, instance],
    );
    return rows.length === 1;
  }

  async finish(job: string, fireAt: Date, outcome: 'succeeded' | 'failed', error: string | null): Promise<void> {
    await this.runs.update({ job, fireAt }, { outcome, error, finishedAt: new Date() });
  }

  async deleteOlderThan(days: number): Promise<number> {
    const [, count] = await this.runs.query<[unknown[], number]>(
      'DELETE FROM system_job_runs WHERE fire_at < now() - make_interval(days => $1)',
      [days],
    );
    return count;
  }
}
