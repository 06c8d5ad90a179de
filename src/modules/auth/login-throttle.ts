import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { RateLimitedError } from '../../common/errors/domain-errors.js';
import { AppConfig } from '../../config/app-config.js';
import { AuditService } from '../audit/audit.service.js';
import { BannedIpsRepository } from './banned-ips.repository.js';
import { LoginAttemptsRepository } from './login-attempts.repository.js';

/** Whole seconds (at least 1) until `date`: what Retry-After announces. */
export const secondsUntil = (date: Date): number => Math.max(1, Math.ceil((date.getTime() - Date.now()) / 1000));

/**
 * Per-IP brute-force protection shared by every hub instance (state in PostgreSQL): failures in the short
 * window → 429, failures in the long window → the address is banned. Login, refresh and password
 * re-checks share the counter.
 */
@Injectable()
export class LoginThrottle {
  private readonly limits: AppConfig['auth']['rateLimit'];
  private readonly banSeconds: number;

  constructor(
    private readonly attempts: LoginAttemptsRepository,
    private readonly bans: BannedIpsRepository,
    private readonly audit: AuditService,
    config: AppConfig,
  ) {
    this.limits = config.auth.rateLimit;
    this.banSeconds = config.auth.ipBanSeconds;
  }

  async assertAllowed(ctx: RequestContext): Promise<void> {
    const ip = ipOf(ctx);
    const standing = await this.attempts.standing(ip, this.limits.shortWindowSeconds, this.limits.longWindowSeconds);
    if (standing.bannedUntil) {
      throw new RateLimitedError(secondsUntil(standing.bannedUntil), 'This address is temporarily banned');
    }
    if (standing.longCount >= this.limits.longMax) {
      const reason = `${standing.longCount} failed attempts in ${this.limits.longWindowSeconds} s`;
      const until = await this.bans.ban(ip, reason, this.banSeconds);
      await this.audit.record(ctx, {
        action: 'auth.ip_banned',
        outcome: 'denied',
        targetType: 'ip',
        targetId: ip,
        details: { reason, bannedUntil: until.toISOString() },
      });
      throw new RateLimitedError(secondsUntil(until), 'This address is temporarily banned');
    }
    if (standing.shortCount >= this.limits.shortMax && standing.oldestShort) {
      const freesAt = new Date(standing.oldestShort.getTime() + this.limits.shortWindowSeconds * 1000);
      throw new RateLimitedError(secondsUntil(freesAt), 'Too many failed attempts; try again later');
    }
  }

  recordFailure(ctx: RequestContext, username?: string): Promise<void> {
    return this.attempts.record(ipOf(ctx), username ?? null);
  }

  /** The cleanup job: failures outside every window, and expired bans. */
  async cleanup(): Promise<{ attempts: number; bans: number }> {
    const attempts = await this.attempts.deleteOlderThan(
      Math.max(this.limits.longWindowSeconds, this.limits.shortWindowSeconds),
    );
    return { attempts, bans: await this.bans.deleteExpired() };
  }
}

/** Requests always have an IP; the fallback only guards against a context built outside HTTP. */
const ipOf = (ctx: RequestContext): string => ctx.ip ?? 'unknown';
