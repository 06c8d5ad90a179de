import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { LoginAttemptEntity } from './login-attempt.entity.js';

export interface IpStanding {
  /** End of an active ban, if any. */
  bannedUntil: Date | null;
  shortCount: number;
  longCount: number;
  /** The oldest failure inside the short window: the window frees up one slot when it ages out. */
  oldestShort: Date | null;
}

@Injectable()
export class LoginAttemptsRepository {
  constructor(@InjectRepository(LoginAttemptEntity) private readonly repository: Repository<LoginAttemptEntity>) {}

  /** Ban and both window counts for one IP in one round trip (index login_attempts_ip_attempted_at_idx). */
  async standing(ip: string, shortSeconds: number, longSeconds: number): Promise<IpStanding> {
    const [row] = await this.repository.query<
      Array<{ banned_until: Date | null; short_count: string; long_count: string; oldest_short: Date | null }>
    >(
      `SELECT
         (SELECT banned_until FROM banned_ips WHERE ip = $1 AND banned_until > now()) AS banned_until,
         count(*) FILTER (WHERE attempted_at > now() - make_interval(secs => $2)) AS short_count,
         count(*) AS long_count,
         min(attempted_at) FILTER (WHERE attempted_at > now() - make_interval(secs => $2)) AS oldest_short
       FROM login_attempts
       WHERE ip = $1 AND attempted_at > now() - make_interval(secs => $3)`,
      [ip, shortSeconds, longSeconds],
    );
    return {
      bannedUntil: row.banned_until,
      shortCount: Number(row.short_count),
      longCount: Number(row.long_count),
      oldestShort: row.oldest_short,
    };
  }

  /** Records an attempt as failed; resolves to its id. */
  async record(ip: string, username: string | null): Promise<string> {
    const { identifiers } = await this.repository.insert({ ip, username: username?.slice(0, 64) ?? null });
    return String(identifiers[0].id);
  }

  async delete(id: string): Promise<void> {
    await this.repository.delete({ id });
  }

  /** Housekeeping: attempts older than the long window no longer count for anything. */
  async deleteOlderThan(seconds: number): Promise<number> {
    const [, count] = await this.repository.query<[unknown[], number]>(
      'DELETE FROM login_attempts WHERE attempted_at < now() - make_interval(secs => $1)',
      [seconds],
    );
    return count;
  }
}
