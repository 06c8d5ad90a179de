import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, Repository } from 'typeorm';
import { BannedIpEntity } from './banned-ip.entity.js';

@Injectable()
export class BannedIpsRepository {
  constructor(@InjectRepository(BannedIpEntity) private readonly repository: Repository<BannedIpEntity>) {}

  /** Bans (or extends the ban of) an address until `now + seconds`; returns the ban's end. */
  async ban(ip: string, reason: string, seconds: number): Promise<Date> {
    const [row] = await this.repository.query<Array<{ banned_until: Date }>>(
      `INSERT INTO banned_ips (ip, reason, banned_until) VALUES ($1, $2, now() + make_interval(secs => $3))
       ON CONFLICT (ip) DO UPDATE SET reason = EXCLUDED.reason, banned_until = EXCLUDED.banned_until, created_at = now()
       RETURNING banned_until`,
      [ip, reason, seconds],
    );
    return row.banned_until;
  }

  listActive(limit: number, offset: number): Promise<[BannedIpEntity[], number]> {
    return this.repository.findAndCount({
      where: { bannedUntil: MoreThan(new Date()) },
      order: { bannedUntil: 'DESC' },
      take: limit,
      skip: offset,
    });
  }

  async remove(ip: string): Promise<boolean> {
    const { affected } = await this.repository.delete({ ip });
    return (affected ?? 0) > 0;
  }

  /** Housekeeping: bans that have run out. */
  async deleteExpired(): Promise<number> {
    const [, count] = await this.repository.query<[unknown[], number]>(
      'DELETE FROM banned_ips WHERE banned_until <= now()',
    );
    return count;
  }
}
