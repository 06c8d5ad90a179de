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
 *
 * An attempt is admitted by recording it as a failure first and then counting, so attempts racing on several
 * instances each see the others and no more than the limit get through; a successful attempt is then
 * forgiven (its record removed), and a refused one leaves no record.
 */
@Injectable()
export class LoginThrottleService {
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

  /** Admits one attempt (recorded as a failure until `forgive`), or throws 429; resolves to the attempt's id. */
  async admit(ctx: RequestContext, username?: string): Promise<string> {
    const ip = ipOf(ctx);
    const attempt = await this.attempts.record(ip, username ?? null);
    try {
      await this.assertWithinLimits(ctx, ip);
      return attempt;
    } catch (error) {
      await this.attempts.delete(attempt);
      throw error;
    }
  }

  /** The admitted attempt succeeded: it no longer counts. */
  forgive(attempt: string): Promise<void> {
    return this.attempts.delete(attempt);
  }

  /** A failure found after an attempt was forgiven (a wrong second factor). */
  async recordFailure(ctx: RequestContext, username?: string): Promise<void> {
    await this.attempts.record(ipOf(ctx), username ?? null);
  }

  // The counts include the attempt being admitted.
  private async assertWithinLimits(ctx: RequestContext, ip: string): Promise<void> {
    const standing = await this.attempts.standing(ip, this.limits.shortWindowSeconds, this.limits.longWindowSeconds);
    if (standing.bannedUntil) {
      throw new RateLimitedError(secondsUntil(standing.bannedUntil), 'This address is temporarily banned');
    }
    if (standing.longCount > this.limits.longMax) {
      const reason = `${standing.longCount - 1} failed attempts in ${this.limits.longWindowSeconds} s`;
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
    if (standing.shortCount > this.limits.shortMax && standing.oldestShort) {
      const freesAt = new Date(standing.oldestShort.getTime() + this.limits.shortWindowSeconds * 1000);
      throw new RateLimitedError(secondsUntil(freesAt), 'Too many failed attempts; try again later');
    }
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
