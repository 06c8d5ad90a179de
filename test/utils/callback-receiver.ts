import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Only loopback: the test machines flag any packet to another address (ecosystem notes, finding 10). */
export const RECEIVER_HOST = '127.0.0.1';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, byte for byte (what the signature covers). */
  raw: Buffer;
  receivedAt: number;
}

/** How the receiver answers one request: a status (with optional headers and delay), or never. */
export type Reply = number | 'hang' | { status: number; headers?: Record<string, string>; delayMs?: number };

/**
 * A plain node:http server on 127.0.0.1 that records every connection and request (headers and raw body) and
 * answers with the scripted replies in order, then with `fallback`.
 */
export class CallbackReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** TCP connections accepted, whether or not a request followed. */
  connections = 0;
  fallback: Reply = 204;
  private readonly script: Reply[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Starts a receiver on 127.0.0.1 (`port` 0 picks a free one). */
  static async start(port = 0): Promise<CallbackReceiver> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, RECEIVER_HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const receiver = new CallbackReceiver(server, (server.address() as AddressInfo).port);
    server.on('connection', (socket: Socket) => {
      receiver.connections += 1;
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        receiver.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          raw: Buffer.concat(chunks),
          receivedAt: Date.now(),
        });
        receiver.answer(res, receiver.script.shift() ?? receiver.fallback);
      });
    });
    return receiver;
  }

  get origin(): string {
    return `http://${RECEIVER_HOST}:${this.port}`;
  }

  /** The callback URL to give the hub. */
  get url(): string {
    return `${this.origin}/hook`;
  }

  /** How many times each `deliveryId` arrived (the id every callback body carries, SPEC section 7). */
  deliveryCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { raw } of this.requests) {
      const { deliveryId } = JSON.parse(raw.toString('utf8')) as { deliveryId: string };
      counts.set(deliveryId, (counts.get(deliveryId) ?? 0) + 1);
    }
    return counts;
  }

  /** Queues replies for the next requests, in order. */
  reply(...replies: Reply[]): this {
    this.script.push(...replies);
    return this;
  }

  /** Closes the server and every open connection (including requests it never answered). */
  async close(): Promise<void> {
    for (const res of this.hanging) {
      res.destroy();
    }
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(res: ServerResponse, reply: Reply): void {
    if (reply === 'hang') {
      this.hanging.add(res);
      return;
    }
    const { status, headers = {}, delayMs = 0 } = typeof reply === 'number' ? { status: reply } : reply;
    const send = (): void => {
      res.writeHead(status, headers);
      res.end();
    };
    if (delayMs > 0) {
      setTimeout(send, delayMs);
    } else {
      send();
    }
  }
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, RECEIVER_HOST, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The X-Ananta-Signature value a correct hub sends: `sha256=` + HMAC-SHA256(raw body, secret) in hex. */
export const expectedSignature = (raw: Buffer, secret: string): string =>
  `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
