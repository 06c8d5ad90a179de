import type { HubEvent } from '../../src/modules/events/hub-event.js';

let sequence = 0n;

/** An event as the log holds it; each call is one position later than the last (transaction and id alike). */
export function hubEvent(fields: Partial<HubEvent> = {}): HubEvent {
  sequence += 1n;
  return {
    position: { tx: 1000n + sequence, id: sequence },
    type: 'task.created',
    occurredAt: new Date(),
    taskId: null,
    teamId: null,
    agentId: null,
    scheduleId: null,
    data: {},
    ...fields,
  };
}
