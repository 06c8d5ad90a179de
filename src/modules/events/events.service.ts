import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ValidationFailedError } from '../../common/errors/domain-errors.js';
import { TeamsService } from '../teams/teams.service.js';
import { EVENT_TYPE_SELECTORS, type EventStreamQueryDto, type HubEventMessageDto } from './dto/event-stream.dto.js';
import { EventFanoutService } from './event-fanout.service.js';
import { type EventSink, EventSubscription } from './event-subscription.js';
import type { EventAudience, EventFilter } from './event-visibility.policy.js';
import {
  type EventPosition,
  formatPosition,
  HUB_EVENT_TYPES,
  type HubEvent,
  isAfter,
  parsePosition,
  START_POSITION,
} from './hub-event.js';
import { HubEventsRepository } from './hub-events.repository.js';

/** How often a stream re-checks its credential and an agent's teams: SPEC's 5 s for revocation. */
export const RECHECK_MS = 5_000;

/** Whether the stream's credential still authenticates its caller. */
export type CredentialCheck = () => Promise<boolean>;

/**
 * Live events for one caller: what it may see (its visibility), what it asked for, from where. A stream
 * resumed with `Last-Event-ID` continues right after that event; one resumed from before the retention
 * horizon is told first (`events.truncated`) that some events are gone.
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly fanout: EventFanoutService,
    private readonly events: HubEventsRepository,
    private readonly teams: TeamsService,
  ) {}

  async open(
    ctx: RequestContext,
    query: EventStreamQueryDto,
    lastEventId: string | undefined,
    sink: EventSink,
    stillAuthenticated: CredentialCheck,
  ): Promise<EventSubscription> {
    let resumeFrom = lastEventId === undefined ? undefined : requirePosition(lastEventId);
    const audience = await this.audienceOf(ctx);
    const subscription = new EventSubscription(START_POSITION, audience, filterOf(query), sink);
    const horizon = resumeFrom && (await this.events.horizon());
    sink.open();
    if (resumeFrom && horizon && isAfter(horizon, resumeFrom)) {
      sink.truncated(horizon);
      resumeFrom = horizon;
    }
    await this.fanout.add(subscription, resumeFrom);
    this.watch(ctx, subscription, stillAuthenticated);
    return subscription;
  }

  /** Deletes events older than `hours`; resolves to how many. */
  applyRetention(hours: number): Promise<number> {
    return this.events.deleteOlderThan(hours);
  }

  /** Ends the stream when its credential stops working; keeps an agent's teams current. */
  private watch(ctx: RequestContext, subscription: EventSubscription, stillAuthenticated: CredentialCheck): void {
    const timer = setInterval(() => {
      void (async () => {
        if (!(await stillAuthenticated())) {
          subscription.end();
        } else if (!subscription.isEnded) {
          subscription.audience = await this.audienceOf(ctx);
        }
      })().catch(() => undefined); // a failed refresh keeps the previous teams until the next one
    }, RECHECK_MS);
    timer.unref();
    subscription.onEnd(() => clearInterval(timer));
  }

  private async audienceOf(ctx: RequestContext): Promise<EventAudience> {
    if (ctx.principal.kind !== 'agent') {
      return { kind: 'everything' };
    }
    const memberships = await this.teams.membershipsOfAgent(ctx.principal.id);
    return { kind: 'agent', agentId: ctx.principal.id, teamIds: new Set(memberships.map((m) => m.teamId)) };
  }
}

function requirePosition(lastEventId: string): EventPosition {
  const position = parsePosition(lastEventId.trim());
  if (!position) {
    throw new ValidationFailedError([{ field: 'Last-Event-ID', message: 'must be an event id from this hub' }]);
  }
  return position;
}

function filterOf(query: EventStreamQueryDto): EventFilter {
  return { types: query.type && typesOf(query.type), teamId: query.teamId, taskId: query.taskId };
}

function typesOf(selectors: ReadonlyArray<(typeof EVENT_TYPE_SELECTORS)[number]>): ReadonlySet<string> {
  return new Set(
    selectors.flatMap((selector) =>
      selector.endsWith('.*') ? HUB_EVENT_TYPES.filter((type) => type.startsWith(selector.slice(0, -1))) : [selector],
    ),
  );
}

/** The JSON an event carries on the wire. */
export function eventMessage(event: HubEvent): HubEventMessageDto {
  return {
    id: formatPosition(event.position),
    type: event.type,
    occurredAt: event.occurredAt.toISOString(),
    taskId: event.taskId,
    teamId: event.teamId,
    agentId: event.agentId,
    scheduleId: event.scheduleId,
    data: event.data,
  };
}
