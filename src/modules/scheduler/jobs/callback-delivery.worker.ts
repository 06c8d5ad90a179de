import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { CallbackDispatcherService } from '../../tasks/callbacks/callback-dispatcher.service.js';

/**
 * Polls the callback outbox every second in every instance: deliveries are claimed row by row (SKIP
 * LOCKED), so the instances share the sending without ever sending one delivery twice at the same time,
 * and the first attempt follows the commit within about a second.
 */
@Injectable()
export class CallbackDeliveryWorker {
  private running = false;

  constructor(private readonly dispatcher: CallbackDispatcherService) {}

  @Interval('tasks.callback-delivery', 1_000)
  async onSchedule(): Promise<void> {
    if (this.running) {
      return;
    }
    this.running = true;
    try {
      while ((await this.dispatcher.dispatchDue()) > 0) {
        // keep draining while full batches come back
      }
    } finally {
      this.running = false;
    }
  }
}
