import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { DatabaseConnection } from './database-connection.js';

/** Called with the payload, or with `null` after a reconnect: notifications may have been missed meanwhile. */
export type NotificationHandler = (payload: string | null) => void;

const RECONNECT_DELAY_MS = 1_000;

/**
 * PostgreSQL `LISTEN` for the whole instance: one dedicated connection outside the pool, however many requests
 * or streams wait for a channel, so waiting never holds a pool connection. When the connection drops it is
 * re-opened every second; handlers are then called with `null`, since whatever was notified meanwhile is lost.
 * The embedded database serves one connection only, so there `live` stays false and consumers poll instead.
 */
@Injectable()
export class DatabaseNotificationsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DatabaseNotifications');
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private client?: pg.Client;
  private connected = false;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;

  constructor(@Inject(DatabaseConnection) private readonly connection: DatabaseConnection) {}

  /** Whether notifications arrive right now; when false, consumers must not rely on them alone. */
  get live(): boolean {
    return this.connected;
  }

  async onModuleInit(): Promise<void> {
    if (this.connection.kind === 'postgresql') {
      await this.connect();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
  }

  /** Calls `handler` for every notification on `channel` until the returned function is called. */
  subscribe(channel: string, handler: NotificationHandler): () => void {
    let channelHandlers = this.handlers.get(channel);
    if (!channelHandlers) {
      channelHandlers = new Set();
      this.handlers.set(channel, channelHandlers);
      if (this.connected) {
        this.listenTo(channel);
      }
    }
    channelHandlers.add(handler);
    return () => channelHandlers.delete(handler);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connection.url, application_name: 'ananta-hub-listen' });
    client.on('notification', ({ channel, payload }) => this.dispatch(channel, payload ?? ''));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) {
        await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      }
      this.connected = true;
      this.dispatchAll(null);
    } catch (error) {
      this.lost(client, error);
    }
  }

  private listenTo(channel: string): void {
    const client = this.client!;
    client.query(`LISTEN ${client.escapeIdentifier(channel)}`).catch((error: unknown) => this.lost(client, error));
  }

  private lost(client: pg.Client, error?: unknown): void {
    if (client !== this.client || this.stopped) {
      return;
    }
    this.client = undefined;
    this.connected = false;
    client.end().catch(() => undefined);
    if (error) {
      this.logger.warn(
        `The LISTEN connection failed (${error instanceof Error ? error.message : 'unknown error'}); reconnecting`,
      );
    }
    this.reconnectTimer = setTimeout(() => void this.connect(), RECONNECT_DELAY_MS);
  }

  private dispatch(channel: string, payload: string | null): void {
    for (const handler of this.handlers.get(channel) ?? []) {
      handler(payload);
    }
  }

  private dispatchAll(payload: null): void {
    for (const channel of this.handlers.keys()) {
      this.dispatch(channel, payload);
    }
  }
}
