import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { answerCode, hubRequest, type HubRequestOptions } from './hub-client.js';
import type { TaskHistoryEntry, TaskStatus } from './payloads.js';
import { sleep } from './poll.js';
import type { Headers } from './tokens.js';

export type ExchangeKind = 'create' | 'read' | 'status' | 'list';

/** One request of the load and what came back (`status` null: no answer at all). */
export interface Exchange {
  kind: ExchangeKind;
  startedAt: number;
  endedAt: number;
  status: number | null;
  code?: string;
  retryAfter?: string;
  taskId: string;
  /** The status a `status` request asked for. */
  to?: TaskStatus;
}

interface Step {
  kind: ExchangeKind;
  path: string;
  options: HubRequestOptions;
  to?: TaskStatus;
}

export interface TaskLoadOptions {
  clients: number;
  headers: Headers;
  /** Given to every task, so each acknowledged status change also writes a callback delivery. */
  callback?: { url: string; secret: string };
  /** Pause of each client between two requests, to keep the load steady rather than saturating. */
  pauseMs?: number;
}

const is2xx = (status: number | null): boolean => status !== null && status >= 200 && status < 300;

/**
 * A steady mixed load of reads and writes from several clients on one hub: each client creates a task with an
 * id it chose, reads it, starts it, lists tasks, completes it, and starts over. Every exchange is recorded, so
 * a test can tell which writes the hub acknowledged (answered 2xx) and check them against the database.
 * `base` may change while it runs (a restarted hub listens on a new port).
 */
export class TaskLoad {
  readonly exchanges: Exchange[] = [];
  private running = false;
  private clients: Array<Promise<void>> = [];

  constructor(
    public base: string,
    private readonly options: TaskLoadOptions,
  ) {}

  start(): void {
    this.running = true;
    this.clients = Array.from({ length: this.options.clients }, (_, client) => this.client(client));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.clients);
  }

  /** Ids of the tasks whose creation the hub acknowledged. */
  acknowledgedCreates(): string[] {
    return this.acknowledged('create').map((exchange) => exchange.taskId);
  }

  /** The status changes the hub acknowledged. */
  acknowledgedStatusChanges(): Array<{ taskId: string; to: TaskStatus }> {
    return this.acknowledged('status').map(({ taskId, to }) => ({ taskId, to: to! }));
  }

  /** Exchanges that ended within [from, to] (milliseconds since the epoch). */
  endedBetween(from: number, to: number): Exchange[] {
    return this.exchanges.filter((exchange) => exchange.endedAt >= from && exchange.endedAt <= to);
  }

  private acknowledged(kind: ExchangeKind): Exchange[] {
    return this.exchanges.filter((exchange) => exchange.kind === kind && is2xx(exchange.status));
  }

  /** One round of a client: the requests for one new task, in order. */
  private round(client: number, taskId: string): Step[] {
    const { headers, callback } = this.options;
    const status = (to: TaskStatus): Step => ({
      kind: 'status',
      path: `/api/tasks/${taskId}/status`,
      options: { method: 'POST', headers, body: { status: to } },
      to,
    });
    const callbackFields = callback ? { callbackUrl: callback.url, callbackSecret: callback.secret } : {};
    return [
      {
        kind: 'create',
        path: '/api/tasks',
        options: { method: 'POST', headers, body: { id: taskId, title: `load ${client}`, ...callbackFields } },
      },
      { kind: 'read', path: `/api/tasks/${taskId}`, options: { headers } },
      status('in_progress'),
      { kind: 'list', path: '/api/tasks?limit=5&sort=-createdAt', options: { headers } },
      status('completed'),
    ];
  }

  private async client(client: number): Promise<void> {
    const { pauseMs = 20 } = this.options;
    while (this.running) {
      const taskId = randomUUID();
      for (const step of this.round(client, taskId)) {
        if (!this.running) {
          return;
        }
        const exchange = await this.exchange(step, taskId);
        await sleep(pauseMs);
        // A write that was not acknowledged ends this task's round: the next steps depend on it.
        if ((step.kind === 'create' || step.kind === 'status') && !is2xx(exchange.status)) {
          break;
        }
      }
    }
  }

  private async exchange({ kind, path, options, to }: Step, taskId: string): Promise<Exchange> {
    const startedAt = Date.now();
    // No answer at all (refused, reset, timed out) is recorded as status null.
    const answer = await hubRequest(this.base, path, { ...options, timeoutMs: 20_000 }).catch(() => undefined);
    const exchange: Exchange = {
      kind,
      startedAt,
      endedAt: Date.now(),
      status: answer?.status ?? null,
      code: answer ? answerCode(answer) : undefined,
      retryAfter: answer?.headers['retry-after'],
      taskId,
      to,
    };
    this.exchanges.push(exchange);
    return exchange;
  }
}

/** Acknowledged writes of a load that the database does not hold (both lists empty when none was lost). */
export async function lostWrites(
  db: pg.Client,
  load: TaskLoad,
): Promise<{ tasks: string[]; statusChanges: Array<{ taskId: string; to: TaskStatus }> }> {
  const created = load.acknowledgedCreates();
  const { rows } = await db.query<{ id: string; history: TaskHistoryEntry[] }>(
    'SELECT id, history FROM tasks WHERE id = ANY($1::uuid[])',
    [created],
  );
  const historyOf = new Map(rows.map((row) => [row.id, row.history]));
  return {
    tasks: created.filter((id) => !historyOf.has(id)),
    statusChanges: load
      .acknowledgedStatusChanges()
      .filter(
        ({ taskId, to }) =>
          !(historyOf.get(taskId) ?? []).some((entry) => entry.type === 'status_changed' && entry.details.to === to),
      ),
  };
}
