import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { catchError, mergeMap, type Observable, of } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/authenticated-request.js';
import { SecretBoxService } from '../crypto/secret-box.service.js';
import { IdempotencyKeyReusedError, IdempotencyRequestInProgressError } from './idempotency-errors.js';
import { callerScope, parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';
import { type IdempotencyKeyRef, IdempotencyKeysRepository } from './idempotency-keys.repository.js';

export const REPLAYED_HEADER = 'Idempotent-Replayed';

export interface IdempotentOptions {
  /**
   * The header carrying the credential the handler itself checks for anonymous callers (the registration
   * token): its keyed digest joins their scope, so a request without that credential never gets a replay.
   */
  anonymousCredentialHeader?: string;
}

/** Route metadata read by the interceptor; set through `@Idempotent()`. */
export const IdempotentRoute = Reflector.createDecorator<IdempotentOptions>();

/** How long a duplicate waits for the first request with its key to finish before answering 409. */
const WAIT_MS = 5_000;
const FIRST_PAUSE_MS = 25;
const LONGEST_PAUSE_MS = 400;
const RETRY_AFTER_SECONDS = 2;

interface Replay {
  statusCode: number;
  responseSealed: string;
}

/**
 * `Idempotency-Key` on a route: the first request with a key runs the handler and its answer is kept (sealed)
 * for 24 hours; a repetition with the same body gets that answer again, marked `Idempotent-Replayed: true`,
 * and one with another body 409 `idempotency_key_reused`. Requests without the header run as usual. Runs
 * inside the success envelope, so it keeps and replays the handler's result and the envelope wraps both alike.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: IdempotencyKeysRepository,
    private readonly box: SecretBoxService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const key = parseIdempotencyKey(request.headers['idempotency-key']);
    if (key === undefined) {
      return next.handle();
    }
    const reply = http.getResponse<FastifyReply>();
    const options = this.reflector.get(IdempotentRoute, context.getHandler()) ?? {};
    const ref: IdempotencyKeyRef = {
      scope: this.scopeOf(request, options),
      route: `${request.method} ${request.routeOptions.url}`,
      key,
    };
    // Interceptors run before the validation pipe, so this is the body as parsed, not as validated: canonical
    // JSON ignores key order and whitespace, and a value spelled differently (`HIGH` for `high`) counts as
    // another body. That errs on the safe side: a 409 where a replay would have done, never a wrong replay.
    const fingerprint = requestFingerprint(request.body);
    const attempt = randomUUID();
    const replay = await this.claimOrWait(ref, fingerprint, attempt);
    if (replay) {
      void reply.status(replay.statusCode).header(REPLAYED_HEADER, 'true');
      return of(JSON.parse(this.box.open(replay.responseSealed)) as unknown);
    }
    return next.handle().pipe(
      catchError(async (error: unknown) => {
        await this.forget(request, ref, attempt);
        throw error;
      }),
      mergeMap(async (result: unknown) => {
        await this.remember(request, reply.statusCode, ref, attempt, result);
        return result;
      }),
    );
  }

  private scopeOf(request: AuthenticatedRequest, options: IdempotentOptions): string {
    if (!request.ctx) {
      throw new Error('@Idempotent() used where the access guard did not run');
    }
    const header = options.anonymousCredentialHeader;
    const credential = header === undefined ? undefined : request.headers[header.toLowerCase()];
    const digest = typeof credential === 'string' ? this.box.digest(credential) : undefined;
    return callerScope(request.ctx.principal, request.ip, digest);
  }

  /** Undefined when this attempt owns the key and runs the handler; else the first answer to replay. */
  private async claimOrWait(ref: IdempotencyKeyRef, fingerprint: string, attempt: string): Promise<Replay | undefined> {
    const deadline = Date.now() + WAIT_MS;
    let pause = FIRST_PAUSE_MS;
    for (;;) {
      if (await this.keys.claim(ref, fingerprint, attempt)) {
        return undefined;
      }
      const stored = await this.keys.find(ref);
      // No row: the first attempt failed (or the key expired) between the two queries; claim it again.
      if (!stored) {
        continue;
      }
      if (stored.fingerprint !== fingerprint) {
        throw new IdempotencyKeyReusedError();
      }
      if (stored.completed) {
        return stored;
      }
      if (Date.now() >= deadline) {
        throw new IdempotencyRequestInProgressError(RETRY_AFTER_SECONDS);
      }
      await sleep(pause);
      pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
    }
  }

  // The handler's work is done: failing to keep the answer must not turn it into an error. The row then stays
  // "in progress" until it is stale, and a retry after that runs the handler again.
  private async remember(
    request: AuthenticatedRequest,
    statusCode: number,
    ref: IdempotencyKeyRef,
    attempt: string,
    result: unknown,
  ): Promise<void> {
    if (statusCode >= 400) {
      return this.forget(request, ref, attempt);
    }
    try {
      await this.keys.complete(ref, attempt, statusCode, this.box.seal(JSON.stringify(result ?? null)));
    } catch (error) {
      request.log.warn({ err: error }, 'Could not store the answer to an Idempotency-Key');
    }
  }

  // An error answer is not kept, so a corrected retry with the same key runs. If even that fails, the row
  // goes stale and is taken over; the client gets the handler's error either way.
  private async forget(request: AuthenticatedRequest, ref: IdempotencyKeyRef, attempt: string): Promise<void> {
    try {
      await this.keys.release(ref, attempt);
    } catch (error) {
      request.log.warn({ err: error }, 'Could not release an Idempotency-Key after an error');
    }
  }
}
