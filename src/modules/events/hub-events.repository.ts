import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EventPosition, HubEvent } from './hub-event.js';

interface EventRow {
  id: string;
  tx: string;
  type: string;
  occurred_at: Date;
  task_id: string | null;
  team_id: string | null;
  agent_id: string | null;
  schedule_id: string | null;
  data: Record<string, unknown>;
}

// Transactions below this id have all ended: their events are final, nothing can appear before them any more.
const FRONTIER = `pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;
const DELETE_BATCH = 10_000;

/** Reads the event log in position order, only as far as it is final; prunes it. */
@Injectable()
export class HubEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Final events after `after` (and not after `until`, when given), oldest first. */
  async after(after: EventPosition, limit: number, until?: EventPosition): Promise<HubEvent[]> {
    const params: unknown[] = [String(after.tx), String(after.id), limit];
    let bound = '';
    if (until) {
      params.push(String(until.tx), String(until.id));
      bound = 'AND (tx, id) <= ($4::bigint, $5::bigint)';
    }
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT id::text, tx::text, type, occurred_at, task_id, team_id, agent_id, schedule_id, data
       FROM hub_events
       WHERE (tx, id) > ($1::bigint, $2::bigint) AND tx < ${FRONTIER} ${bound}
       ORDER BY tx, id
       LIMIT $3`,
      params,
    );
    return rows.map(toEvent);
  }

  /** Whether committed events wait behind a transaction still running (they become final when it ends). */
  async anyBeyondFrontier(after: EventPosition): Promise<boolean> {
    const [row] = await this.dataSource.query<Array<{ pending: boolean }>>(
      `SELECT EXISTS (SELECT 1 FROM hub_events WHERE (tx, id) > ($1::bigint, $2::bigint) AND tx >= ${FRONTIER}) AS pending`,
      [String(after.tx), String(after.id)],
    );
    return row?.pending ?? false;
  }

  /** The position of the newest final event: where a stream without `Last-Event-ID` starts. */
  async head(): Promise<EventPosition | undefined> {
    const [row] = await this.dataSource.query<Array<{ tx: string; id: string }>>(
      `SELECT tx::text, id::text FROM hub_events WHERE tx < ${FRONTIER} ORDER BY tx DESC, id DESC LIMIT 1`,
    );
    return row ? { tx: BigInt(row.tx), id: BigInt(row.id) } : undefined;
  }

  /** The newest position retention deleted; a stream resuming from before it has missed events. */
  async horizon(): Promise<EventPosition | undefined> {
    const [row] = await this.dataSource.query<Array<{ tx: string; event_id: string }>>(
      `SELECT tx::text, event_id::text FROM hub_event_horizon WHERE slot = 1`,
    );
    return row ? { tx: BigInt(row.tx), id: BigInt(row.event_id) } : undefined;
  }

  /** Deletes events older than `hours`, in batches, moving the horizon forward; resolves to the count. */
  async deleteOlderThan(hours: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [row] = await this.dataSource.query<Array<{ count: number }>>(
        `WITH gone AS (
           DELETE FROM hub_events WHERE id IN (
             SELECT id FROM hub_events WHERE occurred_at < now() - make_interval(hours => $1) LIMIT $2)
           RETURNING tx, id
         ), newest AS (
           SELECT tx, id FROM gone ORDER BY tx DESC, id DESC LIMIT 1
         ), moved AS (
           INSERT INTO hub_event_horizon (slot, tx, event_id) SELECT 1, tx, id FROM newest
           ON CONFLICT (slot) DO UPDATE SET tx = EXCLUDED.tx, event_id = EXCLUDED.event_id
             WHERE (hub_event_horizon.tx, hub_event_horizon.event_id) < (EXCLUDED.tx, EXCLUDED.event_id)
         )
         SELECT count(*)::int AS count FROM gone`,
        [hours, DELETE_BATCH],
      );
      deleted += row?.count ?? 0;
      if ((row?.count ?? 0) < DELETE_BATCH) {
        return deleted;
      }
    }
  }
}

function toEvent(row: EventRow): HubEvent {
  return {
    position: { tx: BigInt(row.tx), id: BigInt(row.id) },
    type: row.type,
    occurredAt: row.occurred_at,
    taskId: row.task_id,
    teamId: row.team_id,
    agentId: row.agent_id,
    scheduleId: row.schedule_id,
    data: row.data,
  };
}
