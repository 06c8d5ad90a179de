/** What `GET /api/events` carries; each type is written by a trigger (migration `CreateHubEvents`). */
export const HUB_EVENT_TYPES = [
  'task.created',
  'task.status_changed',
  'task.claimed',
  'task.lease_expired',
  'task.removed',
  'agent.online',
  'agent.offline',
  'agent.status_changed',
  'schedule.fired',
  'schedule.held_back',
] as const;
export type HubEventType = (typeof HUB_EVENT_TYPES)[number];

/** Sent first on a stream resumed from before the retention horizon: events in between were deleted. */
export const TRUNCATED_EVENT = 'events.truncated';

/** Where an event sits in the one total order of events: its transaction, then its id. */
export interface EventPosition {
  tx: bigint;
  id: bigint;
}

export const START_POSITION: EventPosition = Object.freeze({ tx: 0n, id: 0n });

export interface HubEvent {
  position: EventPosition;
  type: string;
  occurredAt: Date;
  taskId: string | null;
  teamId: string | null;
  agentId: string | null;
  scheduleId: string | null;
  data: Record<string, unknown>;
}

export function isAfter(a: EventPosition, b: EventPosition): boolean {
  return a.tx > b.tx || (a.tx === b.tx && a.id > b.id);
}

/** The SSE `id:` of an event, and what `Last-Event-ID` sends back. */
export function formatPosition(position: EventPosition): string {
  return `${position.tx}-${position.id}`;
}

/** The shape of an event id: `<transaction>-<id>`. */
export const EVENT_ID_PATTERN = /^(\d{1,19})-(\d{1,19})$/;
const MAX_BIGINT = 2n ** 63n - 1n;

/** The position in a `Last-Event-ID`, or undefined when it is not one this hub wrote. */
export function parsePosition(text: string): EventPosition | undefined {
  const match = EVENT_ID_PATTERN.exec(text);
  if (!match) {
    return undefined;
  }
  const position = { tx: BigInt(match[1]), id: BigInt(match[2]) };
  return position.tx > MAX_BIGINT || position.id > MAX_BIGINT ? undefined : position;
}
