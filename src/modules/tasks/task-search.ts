import { ValidationFailedError } from '../../common/errors/domain-errors.js';
import { containsPattern } from '../../database/like-pattern.js';
import type { FailureReason, TaskStatus } from './task-status.js';

export type TaskSortColumn = 'createdAt' | 'updatedAt' | 'priority' | 'title';

export interface TaskSearch {
  status?: TaskStatus[];
  reason?: FailureReason;
  priority?: string[];
  teamId?: string;
  agentId?: string;
  parentTaskId?: string;
  q?: string;
  createdFrom?: Date;
  createdTo?: Date;
  updatedFrom?: Date;
  updatedTo?: Date;
  sort: { column: TaskSortColumn; direction: 'ASC' | 'DESC' };
  limit: number;
  offset: number;
  /** Continue after this position (keyset paging) instead of skipping `offset` rows. */
  after?: TaskCursor;
  withHistory: boolean;
}

/** A position in a sorted task list: the sort key of the last task seen (as PostgreSQL prints it) and its id. */
export interface TaskCursor {
  sort: string;
  key: string;
  id: string;
}

export const PRIORITY_RANK_SQL = `CASE t.priority WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END`;

// The expression each sort orders by, how its key is printed into a cursor (timestamps in UTC with their
// microseconds, whatever the session's settings) and read back. The id breaks ties in the same direction, so
// the (updated_at, id) / (created_at, id) indexes serve both the order and the keyset condition.
const utc = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const PRINTED_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const SORT_KEYS: Record<TaskSortColumn, { expression: string; printed: string; cast: string; key: RegExp }> = {
  createdAt: { expression: 't.created_at', printed: utc('t.created_at'), cast: 'timestamptz', key: PRINTED_TIMESTAMP },
  updatedAt: { expression: 't.updated_at', printed: utc('t.updated_at'), cast: 'timestamptz', key: PRINTED_TIMESTAMP },
  title: { expression: 't.title', printed: 't.title', cast: 'text', key: /^[^]{1,200}$/ },
  priority: { expression: PRIORITY_RANK_SQL, printed: `(${PRIORITY_RANK_SQL})::text`, cast: 'integer', key: /^[1-4]$/ },
};

/** How many matches beyond the requested page are counted before `total` stops being exact. */
export const TOTAL_LOOKAHEAD = 1000;

export interface TaskSearchSql {
  /** `WHERE …` (possibly empty) of the filters and the keyset position. */
  where: string;
  /** `ORDER BY …` of the sort, id last. */
  orderBy: string;
  /** The sort key as text, selected with each row to build the next cursor. */
  sortKey: string;
  params: unknown[];
}

/** The filters, keyset position and order of a task search as parameterised SQL over `tasks t`. */
export function taskSearchSql(filter: TaskSearch): TaskSearchSql {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.status?.length) {
    conditions.push(`t.status = ANY(${bind(filter.status)}::varchar[])`);
  }
  if (filter.reason) {
    conditions.push(`t.failure_reason = ${bind(filter.reason)}`);
  }
  if (filter.priority?.length) {
    conditions.push(`t.priority = ANY(${bind(filter.priority)}::varchar[])`);
  }
  for (const [value, column] of [
    [filter.teamId, 't.team_id'],
    [filter.agentId, 't.assigned_agent_id'],
    [filter.parentTaskId, 't.parent_task_id'],
  ] as const) {
    if (value) {
      conditions.push(`${column} = ${bind(value)}`);
    }
  }
  if (filter.q) {
    conditions.push(`t.title ILIKE ${bind(containsPattern(filter.q))} ESCAPE '\\'`);
  }
  for (const [value, condition] of [
    [filter.createdFrom, 't.created_at >='],
    [filter.createdTo, 't.created_at <='],
    [filter.updatedFrom, 't.updated_at >='],
    [filter.updatedTo, 't.updated_at <='],
  ] as const) {
    if (value) {
      conditions.push(`${condition} ${bind(value)}`);
    }
  }
  const { expression, printed, cast } = SORT_KEYS[filter.sort.column];
  const direction = filter.sort.direction;
  if (filter.after) {
    const comparison = direction === 'DESC' ? '<' : '>';
    conditions.push(
      `(${expression}, t.id) ${comparison} (${bind(filter.after.key)}::${cast}, ${bind(filter.after.id)}::uuid)`,
    );
  }
  return {
    where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '',
    orderBy: `ORDER BY ${expression} ${direction}, t.id ${direction}`,
    sortKey: printed,
    params,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const encodeCursor = (cursor: TaskCursor): string =>
  Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id]), 'utf8').toString('base64url');

const invalidCursor = (message: string): ValidationFailedError =>
  new ValidationFailedError([{ field: 'cursor', message }]);

/** The position a `nextCursor` names; 400 for anything the hub did not hand out for this sort. */
export function decodeCursor(text: string, sort: string, column: TaskSortColumn): TaskCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('cursor is not a cursor this list handed out');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    !parsed.every((part) => typeof part === 'string') ||
    !UUID.test(parsed[2])
  ) {
    throw invalidCursor('cursor is not a cursor this list handed out');
  }
  const [cursorSort, key, id] = parsed as [string, string, string];
  if (cursorSort !== sort) {
    throw invalidCursor(`cursor belongs to sort=${cursorSort}; send the same sort as the page it came from`);
  }
  if (!SORT_KEYS[column].key.test(key)) {
    throw invalidCursor('cursor is not a cursor this list handed out');
  }
  return { sort, key, id };
}
