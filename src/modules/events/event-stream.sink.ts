import type { ServerSentEventStream } from '../../common/http/server-sent-events.js';
import type { EventSink } from './event-subscription.js';
import { formatPosition, TRUNCATED_EVENT } from './hub-event.js';
import { eventMessage } from './events.service.js';

/** An EventSource reconnects after this long; with `Last-Event-ID` it loses nothing meanwhile. */
const RETRY_MS = 2_000;

/** Events as Server-Sent Events: `id:` is the position, `event:` the type, `data:` the JSON message. */
export function eventStreamSink(stream: ServerSentEventStream): EventSink {
  return {
    open: () => stream.open(RETRY_MS),
    send: (event) => stream.event(formatPosition(event.position), event.type, eventMessage(event)),
    truncated: (horizon) => {
      const id = formatPosition(horizon);
      stream.event(id, TRUNCATED_EVENT, { id, type: TRUNCATED_EVENT, resumedAfter: id });
    },
    end: () => stream.end(),
  };
}
