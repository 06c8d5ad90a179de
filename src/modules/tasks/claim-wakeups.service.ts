import { type BeforeApplicationShutdown, Injectable, type OnModuleInit } from '@nestjs/common';
import { DatabaseNotificationsService } from '../../database/database-notifications.service.js';

/** Sent (by a trigger on `tasks`, see the migration) whenever a task may have become claimable. */
export const CLAIMABLE_CHANNEL = 'ananta_tasks_claimable';

// Without a LISTEN connection (embedded database, or while it reconnects) waiting claims look again this often.
const POLL_MS = 500;

/**
 * Wakes long-polling claims (`POST /api/tasks/claim?waitSeconds=N`) when a task may have become claimable on
 * any instance: created, returned to `todo` (release, lease expiry, retry) or a dependency completed. A
 * generation counter closes the gap between a claim that found nothing and the wait that follows it: a wake-up
 * in between is not lost. At shutdown every waiter is released at once.
 */
@Injectable()
export class ClaimWakeupsService implements OnModuleInit, BeforeApplicationShutdown {
  private generation = 0;
  private closing = false;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly notifications: DatabaseNotificationsService) {}

  onModuleInit(): void {
    this.notifications.subscribe(CLAIMABLE_CHANNEL, () => this.wake());
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
    this.wake();
  }

  /** Taken before a claim attempt and handed to `waitAfter`. */
  get mark(): number {
    return this.generation;
  }

  /** Whether waiting should stop for good (the instance is shutting down). */
  get isClosing(): boolean {
    return this.closing;
  }

  /**
   * Resolves once something may have become claimable since `mark` (at once if it already has), after
   * `maxMs`, when `signal` aborts (the client went away) or at shutdown, whichever comes first.
   */
  waitAfter(mark: number, maxMs: number, signal: AbortSignal): Promise<void> {
    if (mark !== this.generation || this.closing || signal.aborted) {
      return Promise.resolve();
    }
    const ms = this.notifications.live ? maxMs : Math.min(maxMs, POLL_MS);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    this.generation += 1;
    for (const done of [...this.waiters]) {
      done();
    }
  }
}
