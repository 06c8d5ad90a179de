import { type CanActivate, type ExecutionContext, Global, Injectable, Module } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { RateLimitedError } from '../errors/domain-errors.js';
import { RateLimitBucketsRepository } from './rate-limit-buckets.repository.js';

export interface RateLimitOptions {
  /** Names the counter; routes sharing a name share a budget. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/** Limits a route per client address (`request.ip`, which honours TRUST_PROXY), across all instances. */
export const RateLimit = Reflector.createDecorator<RateLimitOptions>();

/** Global guard; a no-op on routes without `@RateLimit`. Runs after the access guard. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly counter: RateLimitBucketsRepository,
  ) {}

  // Synchronous for the routes without a limit (nearly all), so they do not wait a tick for a no-op.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const options = this.reflector.get(RateLimit, context.getHandler());
    return options ? this.hit(context, options) : true;
  }

  private async hit(context: ExecutionContext, options: RateLimitOptions): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const { hits, secondsLeft } = await this.counter.hit(`${options.name}:${request.ip}`, options.windowSeconds);
    if (hits > options.limit) {
      throw new RateLimitedError(secondsLeft, `At most ${options.limit} requests per ${options.windowSeconds} s`);
    }
    return true;
  }
}

@Global()
@Module({
  providers: [RateLimitBucketsRepository, RateLimitGuard],
  exports: [RateLimitGuard, RateLimitBucketsRepository],
})
export class RateLimitModule {}
