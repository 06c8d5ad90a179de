import { type BeforeApplicationShutdown, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DatabaseNotificationsService } from '../../database/database-notifications.service.js';
import { HubMetricsService } from '../system/metrics/hub-metrics.service.js';
import type { EventSubscription } from './event-subscription.js';
import { type EventPosition, isAfter, START_POSITION } from './hub-event.js';
import { HubEventsRepository } from './hub-events.repository.js';

/** Sent by the event triggers (migration `CreateHubEvents`) when a transaction that wrote events commits. */
export const EVENTS_CHANNEL = 'ananta_events';

const BATCH = 500;
// Reads anyway this often, for events held back behind a transaction that wrote none (and so sent no NOTIFY).
const POLL_MS = 1_000;
const POLL_WITHOUT_LISTEN_MS = 250;
// Events already committed but behind a running transaction are looked for again soon, then less often.
const FIRST_RETRY_MS = 10;
const MAX_RETRY_MS = 320;

/**
 * Delivers the event log to every stream of this instance. One reader per instance, whatever the number of
 * streams: woken by NOTIFY from any instance, it reads what became final since its position, once, and offers
 * it to every live subscription in order. A stream resuming from an older position catches up with its own
 * reads until it reaches the shared position, then joins the live ones. All reads run one after another, so
 * positions only move forward.
 */
@Injectable()
export class EventFanoutService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('EventFanout');
  private readonly live = new Set<EventSubscription>();
  private readonly lagging = new Set<EventSubscription>();
  private cursor: EventPosition = START_POSITION;
  private chain: Promise<void> = Promise.resolve();
  private passQueued = false;
  private failing = false;
  private closing = false;
  private pollTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private retryMs = FIRST_RETRY_MS;

  constructor(
    private readonly events: HubEventsRepository,
    private readonly notifications: DatabaseNotificationsService,
    metrics: HubMetricsService,
  ) {
    const streams = { live: this.live, lagging: this.lagging };
    new Gauge({
      name: 'ananta_event_streams',
      help: 'Open GET /api/events streams on this instance, live or still catching up',
      labelNames: ['state'],
      registers: [metrics.registry],
      collect() {
        this.set({ state: 'live' }, streams.live.size);
        this.set({ state: 'catching_up' }, streams.lagging.size);
      },
    });
  }

  onModuleInit(): void {
    this.notifications.subscribe(EVENTS_CHANNEL, () => this.wake());
  }

  /** Streams end before the HTTP server closes, which would otherwise wait for them forever. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    for (const subscription of [...this.live, ...this.lagging]) {
      subscription.end();
    }
  }

  get isClosing(): boolean {
    return this.closing;
  }

  get subscriberCount(): number {
    return this.live.size + this.lagging.size;
  }

  /**
   * Adds a stream: from `resumeFrom` (a `Last-Event-ID`) or, without one, from the newest final event, so it
   * gets what happens from now on.
   */
  async add(subscription: EventSubscription, resumeFrom: EventPosition | undefined): Promise<void> {
    await this.serially(async () => {
      // A stream that arrives while the hub shuts down would keep the HTTP server from closing.
      if (this.closing) {
        subscription.end();
        return;
      }
      if (this.subscriberCount === 0) {
        this.cursor = (await this.events.head()) ?? START_POSITION;
      }
      subscription.position = resumeFrom ?? this.cursor;
      (isAfter(this.cursor, subscription.position) ? this.lagging : this.live).add(subscription);
      subscription.onEnd(() => this.remove(subscription));
    });
    if (!this.pollTimer && !this.closing) {
      const every = this.notifications.live ? POLL_MS : POLL_WITHOUT_LISTEN_MS;
      this.pollTimer = setInterval(() => this.wake(), every);
      this.pollTimer.unref();
    }
    this.wake();
  }

  private remove(subscription: EventSubscription): void {
    this.live.delete(subscription);
    this.lagging.delete(subscription);
    if (this.subscriberCount === 0) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  /** Asks for one more read pass; passes asked for while one is queued fold into it. */
  private wake(): void {
    if (this.passQueued || this.closing || this.subscriberCount === 0) {
      return;
    }
    this.passQueued = true;
    void this.serially(async () => {
      this.passQueued = false;
      await this.pass();
    });
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work);
    this.chain = next.catch((error: unknown) => this.readFailed(error));
    return next;
  }

  private async pass(): Promise<void> {
    let full = true;
    while (full && this.live.size > 0) {
      const batch = await this.events.after(this.cursor, BATCH);
      for (const event of batch) {
        for (const subscription of this.live) {
          subscription.offer(event);
        }
        this.cursor = event.position;
      }
      full = batch.length === BATCH;
    }
    for (const subscription of [...this.lagging]) {
      const batch = await this.events.after(subscription.position, BATCH, this.cursor);
      for (const event of batch) {
        subscription.offer(event);
      }
      if (batch.length < BATCH) {
        subscription.position = this.cursor;
        this.lagging.delete(subscription);
        if (!subscription.isEnded) {
          this.live.add(subscription);
        }
      }
    }
    this.failing = false;
    await this.retryHeldBack();
  }

  /** Events committed behind a still-running transaction become final when it ends: look again soon. */
  private async retryHeldBack(): Promise<void> {
    clearTimeout(this.retryTimer);
    if (this.lagging.size > 0) {
      this.wake();
      return;
    }
    if (this.live.size === 0 || !(await this.events.anyBeyondFrontier(this.cursor))) {
      this.retryMs = FIRST_RETRY_MS;
      return;
    }
    this.retryTimer = setTimeout(() => this.wake(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  private readFailed(error: unknown): void {
    if (!this.failing) {
      this.failing = true;
      this.logger.warn(`Reading events failed (${error instanceof Error ? error.message : 'unknown error'}); retrying`);
    }
  }
}
