import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** The reply a controller hands over to stream on. */
export type EventStreamReply = FastifyReply;

const HEARTBEAT_MS = 15_000;
// A client that lets this much pile up unread is dropped; it can resume with Last-Event-ID.
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * A `text/event-stream` response (Server-Sent Events) on a Fastify reply. It goes out through Fastify, so the
 * security headers, request id and access log apply as to any answer; a comment every 15 s keeps proxies from
 * closing a quiet stream. Frames are written only after `open`, so a refused request still gets its envelope.
 */
export class ServerSentEventStream {
  private readonly body = new PassThrough();
  private heartbeat?: NodeJS.Timeout;
  private ended = false;
  private closed = false;
  private readonly closeHandlers: Array<() => void> = [];

  constructor(private readonly reply: FastifyReply) {
    reply.raw.once('close', () => {
      this.closed = true;
      this.end();
      for (const handler of this.closeHandlers) {
        handler();
      }
    });
  }

  /** Starts the response; `retryMs` is the reconnection delay the client's EventSource will use. */
  open(retryMs: number): void {
    this.reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-accel-buffering', 'no');
    void this.reply.send(this.body);
    this.write(`retry: ${retryMs}\n\n`);
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Calls `handler` once the connection has closed: at once when it closed before this was asked. */
  onClose(handler: () => void): void {
    if (this.closed) {
      handler();
    } else {
      this.closeHandlers.push(handler);
    }
  }

  /** Writes one event; false when the client is not reading fast enough (or the stream has ended). */
  event(id: string, type: string, data: unknown): boolean {
    // JSON has no raw line breaks, so the data is one `data:` line whatever it holds.
    return this.write(`id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (!this.ended) {
      this.ended = true;
      clearInterval(this.heartbeat);
      this.body.end();
    }
  }

  private write(frame: string): boolean {
    if (this.ended) {
      return false;
    }
    this.body.write(frame);
    return this.body.writableLength <= MAX_BUFFERED_BYTES;
  }
}
