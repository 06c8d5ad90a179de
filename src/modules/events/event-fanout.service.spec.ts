import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import type { DatabaseNotificationsService } from '../../database/database-notifications.service.js';
import type { HubMetricsService } from '../system/metrics/hub-metrics.service.js';
import { EventFanoutService } from './event-fanout.service.js';
import { type EventSink, EventSubscription } from './event-subscription.js';
import { hubEvent } from '../../../test/factories/hub-event.factory.js';
import { type EventPosition, type HubEvent, isAfter, START_POSITION } from './hub-event.js';
import type { HubEventsRepository } from './hub-events.repository.js';

/** The fan-out over a log held in memory: what it reads, and when. */
function fanoutOver(log: HubEvent[]) {
  const reads: Array<EventPosition | undefined> = [];
  const events = {
    head: () => Promise.resolve(log.at(-1)?.position),
    after: (after: EventPosition, limit: number, until?: EventPosition) => {
      reads.push(until);
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
  const sent: EventPosition[] = [];
  let ended = false;
  const sink: EventSink = {
    open: () => undefined,
    send: (e) => {
      sent.push(e.position);
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
    const log = [hubEvent(), hubEvent(), hubEvent()];
    const { fanout } = fanoutOver(log);
    const fresh = stream();
    const resumed = stream();
    await fanout.add(fresh.subscription, undefined);
    await fanout.add(resumed.subscription, log[0].position);
    log.push(hubEvent());
    fanout['wake']();
    await settled();
    const positions = log.map((e) => e.position);
    expect(fresh.sent).toEqual(positions.slice(3));
    expect(resumed.sent).toEqual(positions.slice(1));
    fanout.beforeApplicationShutdown();
  });

  it('ends every stream at shutdown, and any stream that arrives after it', async () => {
    const { fanout } = fanoutOver([hubEvent()]);
    const open = stream();
    await fanout.add(open.subscription, undefined);
    fanout.beforeApplicationShutdown();
    const late = stream();
    await fanout.add(late.subscription, undefined);
    expect([open.ended(), late.ended(), fanout.subscriberCount]).toEqual([true, true, 0]);
  });
});
