import { type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Headers } from './tokens.js';

/** One Server-Sent Event as a client parses it. */
export interface StreamedEvent {
  id?: string;
  event: string;
  data: string;
}

export interface HubEventMessage {
  id: string;
  type: string;
  occurredAt: string;
  taskId: string | null;
  teamId: string | null;
  agentId: string | null;
  scheduleId: string | null;
  data: Record<string, unknown>;
}

/**
 * A `text/event-stream` client over node:http, parsing frames as an EventSource does (`id:`, `event:`,
 * `data:`, comments ignored). Collects every event; `waitFor` resolves once a condition holds.
 */
export class EventStreamClient {
  readonly events: StreamedEvent[] = [];
  /** When each event arrived (`performance.now()`), for latency measurements. */
  readonly receivedAt: number[] = [];
  retryMs?: number;
  ended = false;
  private buffer = '';
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    private readonly response: IncomingMessage,
    /** The body of a refused request (an error envelope). */
    readonly refusal: unknown,
  ) {}

  /** Connects; resolves once the answer's head has arrived (with the envelope when it is not a stream). */
  static open(base: string, path: string, headers: Headers = {}): Promise<EventStreamClient> {
    return new Promise((resolve, reject) => {
      const outgoing = request(new URL(path, base), { headers: { accept: 'text/event-stream', ...headers } });
      outgoing.on('error', reject);
      outgoing.on('response', (response) => {
        if (response.statusCode !== 200) {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve(new EventStreamClient(response.statusCode ?? 0, response.headers, response, JSON.parse(text)));
          });
          return;
        }
        const client = new EventStreamClient(200, response.headers, response, undefined);
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => client.receive(chunk));
        response.on('close', () => client.finish());
        response.on('error', () => client.finish());
        resolve(client);
      });
      outgoing.end();
    });
  }

  /** The JSON messages of the hub events received so far, in order. */
  get messages(): HubEventMessage[] {
    return this.events.map((event) => JSON.parse(event.data) as HubEventMessage);
  }

  get lastEventId(): string | undefined {
    return this.events.at(-1)?.id;
  }

  /** Resolves once `condition` holds (checked after each event and at the end), rejects after `timeoutMs`. */
  waitFor(condition: (client: EventStreamClient) => boolean, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (condition(this)) {
          clearTimeout(timer);
          this.listeners.delete(check);
          resolve();
        } else if (this.ended) {
          clearTimeout(timer);
          this.listeners.delete(check);
          reject(new Error(`the stream ended after ${this.events.length} events, before the condition held`));
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`the condition did not hold within ${timeoutMs} ms (${this.events.length} events)`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves when the server ends the stream. */
  untilEnded(timeoutMs = 15_000): Promise<void> {
    return this.waitFor((client) => client.ended, timeoutMs).catch((error: unknown) => {
      if (!this.ended) {
        throw error;
      }
    });
  }

  close(): void {
    this.response.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.parse(frame);
    }
    this.notify();
  }

  private parse(frame: string): void {
    const fields: Partial<Record<'id' | 'event' | 'data' | 'retry', string>> = {};
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) {
        continue;
      }
      const colon = line.indexOf(':');
      const name = line.slice(0, colon) as 'id' | 'event' | 'data' | 'retry';
      const value = line.slice(colon + 1).replace(/^ /, '');
      fields[name] = name === 'data' && fields.data !== undefined ? `${fields.data}\n${value}` : value;
    }
    if (fields.retry !== undefined) {
      this.retryMs = Number(fields.retry);
    }
    if (fields.data !== undefined) {
      this.events.push({ id: fields.id, event: fields.event ?? 'message', data: fields.data });
      this.receivedAt.push(performance.now());
    }
  }

  private finish(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) {
      listener();
    }
  }
}
