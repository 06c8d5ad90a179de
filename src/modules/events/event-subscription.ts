import { audienceSees, type EventAudience, type EventFilter, filterMatches } from './event-visibility.policy.js';
import { type EventPosition, type HubEvent, isAfter } from './hub-event.js';

/** Where a subscription's events go: the SSE stream of one client. */
export interface EventSink {
  /** Starts the stream; called once the request has passed every check, before any event. */
  open(): void;
  /** False when the client does not keep up (its buffer is full): the subscription then ends. */
  send(event: HubEvent): boolean;
  /** Tells the client that events after `position` and up to the horizon were deleted by retention. */
  truncated(horizon: EventPosition): void;
  /** Ends the stream; the client may resume with `Last-Event-ID`. */
  end(): void;
}

/**
 * One client's stream: its position in the event order, what it may see and asked for. Offered every event
 * in order, it sends those it may see and wants, and moves its position past the others too.
 */
export class EventSubscription {
  private ended = false;
  private readonly endHandlers: Array<() => void> = [];

  constructor(
    public position: EventPosition,
    public audience: EventAudience,
    private readonly filter: EventFilter,
    private readonly sink: EventSink,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  offer(event: HubEvent): void {
    if (this.ended || !isAfter(event.position, this.position)) {
      return;
    }
    this.position = event.position;
    if (filterMatches(this.filter, event) && audienceSees(this.audience, event) && !this.sink.send(event)) {
      this.end();
    }
  }

  /** Calls `handler` when the subscription ends: at once when it has ended already. */
  onEnd(handler: () => void): void {
    if (this.ended) {
      handler();
    } else {
      this.endHandlers.push(handler);
    }
  }

  end(): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.sink.end();
    for (const handler of this.endHandlers) {
      handler();
    }
  }
}
