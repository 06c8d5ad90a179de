import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface WindowCount {
  hits: number;
  secondsLeft: number;
}

/**
 * Fixed-window request counters in PostgreSQL, so a limit holds across every hub instance: one upsert per
 * counted request. (`@nestjs/throttler` would be the usual choice, but it is CommonJS and cannot load the
 * ESM-only Nest 12 under the test runner on Node 20; its storage interface needs the same upsert anyway.)
 */
@Injectable()
export class RateLimitBucketsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async hit(key: string, windowSeconds: number): Promise<WindowCount> {
    const [row] = await this.dataSource.query<Array<{ hits: number; ms_left: number }>>(
      `INSERT INTO rate_limit_buckets (key, hits, expires_at) VALUES ($1, 1, now() + make_interval(secs => $2))
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_limit_buckets.expires_at <= now() THEN 1 ELSE rate_limit_buckets.hits + 1 END,
         expires_at = CASE WHEN rate_limit_buckets.expires_at <= now() THEN EXCLUDED.expires_at
                           ELSE rate_limit_buckets.expires_at END
       RETURNING hits, ceil(extract(epoch FROM expires_at - now()) * 1000)::int AS ms_left`,
      [key, windowSeconds],
    );
    return { hits: row.hits, secondsLeft: Math.max(1, Math.ceil(row.ms_left / 1000)) };
  }

  /** Housekeeping: windows that have ended. */
  async deleteExpired(): Promise<number> {
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      'DELETE FROM rate_limit_buckets WHERE expires_at <= now()',
    );
    return count;
  }
}
