import { Injectable, Logger } from '@nestjs/common';
import { SecretBoxService } from '../../../common/crypto/secret-box.service.js';
import { AppConfig } from '../../../config/app-config.js';
import { CallbackDeliveriesRepository, type DeliveryOutcome } from './callback-deliveries.repository.js';
import type { CallbackDeliveryEntity } from './callback-delivery.entity.js';
import { CallbackSenderService, type SendResult } from './callback-sender.service.js';

const BATCH = 20;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 5 * 60_000;

/** Retry delay after the n-th failed attempt: 1 s, doubling, capped at 5 minutes (SPEC section 12). */
export const retryDelayMs = (attempts: number): number => Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS);

/**
 * Sends due callback deliveries. Every instance may run it: each batch is claimed with SKIP LOCKED, so a
 * delivery is in one worker's hands at a time. Delivered on any 2xx; otherwise retried with backoff until
 * CALLBACK_MAX_ATTEMPTS, then dead.
 */
@Injectable()
export class CallbackDispatcherService {
  private readonly logger = new Logger('Callbacks');
  private readonly maxAttempts: number;
  private readonly claimSeconds: number;

  constructor(
    private readonly deliveries: CallbackDeliveriesRepository,
    private readonly sender: CallbackSenderService,
    private readonly box: SecretBoxService,
    config: AppConfig,
  ) {
    this.maxAttempts = config.callbacks.maxAttempts;
    this.claimSeconds = config.callbacks.timeoutSeconds + 30;
  }

  /** Sends one batch; resolves to the number of deliveries attempted. */
  async dispatchDue(): Promise<number> {
    const due = await this.deliveries.claimDue(BATCH, this.claimSeconds);
    await Promise.all(due.map((delivery) => this.attempt(delivery)));
    return due.length;
  }

  private async attempt(delivery: CallbackDeliveryEntity): Promise<void> {
    const result = await this.send(delivery);
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const outcome: DeliveryOutcome = ok
      ? { status: 'delivered', statusCode: result.statusCode, error: null, nextAttemptAt: null }
      : {
          status: delivery.attempts >= this.maxAttempts ? 'dead' : 'failed',
          statusCode: result.statusCode,
          error: result.error ?? `HTTP ${result.statusCode}`,
          nextAttemptAt: new Date(Date.now() + retryDelayMs(delivery.attempts)),
        };
    if (outcome.status === 'dead') {
      this.logger.warn(
        `Callback delivery ${delivery.id} for task ${delivery.taskId} is dead after ${delivery.attempts} attempts`,
      );
    }
    await this.deliveries.record(delivery.id, outcome);
  }

  // Anything that goes wrong before a response (a secret that no longer decrypts, a bad URL) is a failed
  // attempt like any other, so the delivery still backs off and eventually dies instead of staying claimed.
  private async send(delivery: CallbackDeliveryEntity): Promise<SendResult> {
    try {
      return await this.sender.send(delivery.url, delivery.body, this.box.open(delivery.secretSealed));
    } catch (error) {
      return { statusCode: null, error: error instanceof Error ? error.message : String(error) };
    }
  }
}
