import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import type { DatabaseNotificationsService } from '../../database/database-notifications.service.js';
import type { HubMetricsService } from '../system/metrics/hub-metrics.service.js';
import { EventFanoutService } from './event-fanout.service.js';
import { type EventSink, EventSubscription } from './event-subscription.js';
import { type EventPosition, type HubEvent, START_POSITION } from './hub-event.js';
import type { HubEventsRepository } from './hub-events.repository.js';

const event = (id: bigint): HubEvent => ({
  position: { tx: id, id },
  type: 'task.created',
  occurredAt: new Date(),
  taskId: null,
  teamId: null,
  agentId: null,
  scheduleId: null,
  data: {},
});

/** The fan-out over a log held in memory: what it reads, and when. */
function fanoutOver(log: HubEvent[]) {
  const reads: Array<EventPosition | undefined> = [];
  const events = {
    head: () => Promise.resolve(log.at(-1)?.position),
    after: (after: EventPosition, limit: number, until?: EventPosition) => {
      reads.push(until);
      const isAfter = (a: EventPosition, b: EventPosition) => a.tx > b.tx || (a.tx === b.tx && a.id > b.id);
      return Promise.resolve(
        log.filter((e) => isAfter(e.position, after) && (!until || !isAfter(e.position, until))).slice(0, limit),
      );
    },
    anyBeyondFrontier: () => Promise.resolve(false),
  } as unknown as HubEventsRepository;
  const notifications = { subscribe: () => () => undefined, live: true } as unknown as DatabaseNotificationsService;
  const metrics = { registry: new Registry() } as unknown as HubMetricsService;
  return { fanout: new EventFanoutService(events, notifications, metrics), reads };
}

function stream() {
  const sent: bigint[] = [];
  let ended = false;
  const sink: EventSink = {
    open: () => undefined,
    send: (e) => {
      sent.push(e.position.id);
      return true;
    },
    truncated: () => undefined,
    end: () => (ended = true),
  };
  return {
    subscription: new EventSubscription(START_POSITION, { kind: 'everything' }, {}, sink),
    sent,
    ended: () => ended,
  };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 20));

describe(EventFanoutService.name, () => {
  it('starts a stream without Last-Event-ID at the newest event, and one with it right after that event', async () => {
    const log = [event(1n), event(2n), event(3n)];
    const { fanout } = fanoutOver(log);
    const fresh = stream();
    const resumed = stream();
    await fanout.add(fresh.subscription, undefined);
    await fanout.add(resumed.subscription, { tx: 1n, id: 1n });
    log.push(event(4n));
    fanout['wake']();
    await settled();
    expect(fresh.sent).toEqual([4n]);
    expect(resumed.sent).toEqual([2n, 3n, 4n]);
    fanout.beforeApplicationShutdown();
  });

  it('ends every stream at shutdown, and any stream that arrives after it', async () => {
    const { fanout } = fanoutOver([event(1n)]);
    const open = stream();
    await fanout.add(open.subscription, undefined);
    fanout.beforeApplicationShutdown();
    const late = stream();
    await fanout.add(late.subscription, undefined);
    expect([open.ended(), late.ended(), fanout.subscriberCount]).toEqual([true, true, 0]);
  });
});
