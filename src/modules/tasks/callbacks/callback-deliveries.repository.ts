import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CallbackDeliveryEntity } from './callback-delivery.entity.js';

export interface DeliveryOutcome {
  status: 'delivered' | 'failed' | 'dead';
  statusCode: number | null;
  error: string | null;
  nextAttemptAt: Date | null;
}

@Injectable()
export class CallbackDeliveriesRepository {
  constructor(
    @InjectRepository(CallbackDeliveryEntity) private readonly deliveries: Repository<CallbackDeliveryEntity>,
  ) {}

  ofTask(taskId: string): Promise<CallbackDeliveryEntity[]> {
    return this.deliveries.find({ where: { taskId }, order: { createdAt: 'DESC' }, take: 500 });
  }

  /**
   * Claims up to `limit` due deliveries for this worker: rows are locked with SKIP LOCKED, marked with
   * `locked_until` and counted as an attempt in one statement, so two instances never send one delivery at
   * the same time, and a worker that dies mid-send only delays the next attempt until the claim expires.
   */
  async claimDue(limit: number, claimSeconds: number): Promise<CallbackDeliveryEntity[]> {
    const result = await this.deliveries
      .createQueryBuilder()
      .update(CallbackDeliveryEntity)
      .set({ attempts: () => 'attempts + 1', lockedUntil: () => `now() + make_interval(secs => :claimSeconds)` })
      .where(
        `id IN (SELECT id FROM callback_deliveries
                WHERE status IN ('pending', 'failed') AND next_attempt_at <= now()
                  AND (locked_until IS NULL OR locked_until < now())
                ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED)`,
        { limit, claimSeconds },
      )
      .returning('id')
      .execute();
    const ids = (result.raw as Array<{ id: string }>).map((row) => row.id);
    return ids.length === 0 ? [] : this.deliveries.findBy(ids.map((id) => ({ id })));
  }

  async record(id: string, outcome: DeliveryOutcome): Promise<void> {
    await this.deliveries.update(
      { id },
      {
        status: outcome.status,
        lastStatusCode: outcome.statusCode,
        lastError: outcome.error?.slice(0, 2000) ?? null,
        lockedUntil: null,
        ...(outcome.nextAttemptAt ? { nextAttemptAt: outcome.nextAttemptAt } : {}),
        ...(outcome.status === 'delivered' ? { deliveredAt: new Date() } : {}),
      },
    );
  }
}
