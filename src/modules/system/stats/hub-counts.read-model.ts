import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export type Counts = Record<string, number>;

/**
 * The one explicit cross-module read model: counts over the agents, tasks, callback and scheduler tables for
 * `/api/stats`, its snapshots and `/api/metrics`. Read-only, aggregate-only. It reads those tables directly
 * because the system module sits below the modules that own them (they use its config store), so asking
 * their repositories would make the module graph circular; a new count belongs here, a write never does.
 */
@Injectable()
export class HubCountsReadModel {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private async countBy(sql: string): Promise<Counts> {
    const rows = await this.dataSource.query<Array<{ key: string; count: string }>>(sql);
    return Object.fromEntries(rows.map((row) => [row.key, Number(row.count)]));
  }

  agentsByStatus(): Promise<Counts> {
    return this.countBy('SELECT status AS key, count(*) AS count FROM agents GROUP BY status');
  }

  tasksByStatus(): Promise<Counts> {
    return this.countBy('SELECT status AS key, count(*) AS count FROM tasks GROUP BY status');
  }

  deliveriesByStatus(): Promise<Counts> {
    return this.countBy('SELECT status AS key, count(*) AS count FROM callback_deliveries GROUP BY status');
  }

  schedulerRunsByOutcome(): Promise<Counts> {
    return this.countBy(
      `SELECT COALESCE(outcome, 'running') AS key, count(*) AS count FROM scheduled_task_runs GROUP BY 1`,
    );
  }

  async schedules(): Promise<{ total: number; enabled: number }> {
    const [row] = await this.dataSource.query<Array<{ total: string; enabled: string }>>(
      'SELECT count(*) AS total, count(*) FILTER (WHERE enabled) AS enabled FROM scheduled_tasks',
    );
    return { total: Number(row.total), enabled: Number(row.enabled) };
  }
}
