import type pg from 'pg';

export interface ClaimCheck {
  /** 200 answers of the claim scenario (every run, warm-ups included). */
  claims: number;
  /** Task ids that came back in more than one of those answers. */
  duplicateAnswers: number;
  /** Tasks whose history gained a `claimed` entry during the benchmark, by SQL. */
  tasksClaimed: number;
  /** Tasks with more than one `claimed` entry since the benchmark began: a task handed out twice. */
  tasksClaimedTwice: number;
  /** Claims that may have been committed but not answered when a wrk run stopped (one per connection and run). */
  unansweredAllowed: number;
  passed: boolean;
}

const withinUnanswered = (rows: number, answered: number, unanswered: number): boolean =>
  rows >= answered && rows <= answered + unanswered;

/**
 * No task handed to two agents: checked on the answers (each task id once) and in the database, where every
 * claim appends a `claimed` history entry (a second claim of the same task would leave two). The database
 * may hold a few more claims than wrk saw answered: requests still in flight when a run ends.
 */
export async function checkClaims(
  db: pg.Pool,
  since: Date,
  claimedIds: string[],
  unansweredAllowed: number,
): Promise<ClaimCheck> {
  const duplicateAnswers = claimedIds.length - new Set(claimedIds).size;
  const [row] = (
    await db.query<{ tasks: number; twice: number }>(
      `SELECT count(*)::int AS tasks, count(*) FILTER (WHERE claims > 1)::int AS twice FROM (
         SELECT t.id, count(*) AS claims
         FROM tasks t CROSS JOIN LATERAL jsonb_array_elements(t.history) AS e(entry)
         WHERE t.updated_at >= $1 AND e.entry->>'type' = 'claimed' AND (e.entry->>'at')::timestamptz >= $1
         GROUP BY t.id) AS claimed`,
      [since],
    )
  ).rows;
  return {
    claims: claimedIds.length,
    duplicateAnswers,
    tasksClaimed: row.tasks,
    tasksClaimedTwice: row.twice,
    unansweredAllowed,
    passed:
      duplicateAnswers === 0 && row.twice === 0 && withinUnanswered(row.tasks, claimedIds.length, unansweredAllowed),
  };
}

export interface OutboxCheck {
  statusChanges: number;
  outboxRows: number;
  unansweredAllowed: number;
  passed: boolean;
}

/** Every status change of a task with a callback URL wrote one outbox row (unanswered ones included). */
export async function checkOutbox(
  db: pg.Pool,
  since: Date,
  statusChanges: number,
  unansweredAllowed: number,
): Promise<OutboxCheck> {
  const [row] = (
    await db.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM callback_deliveries WHERE created_at >= $1`, [
      since,
    ])
  ).rows;
  return {
    statusChanges,
    outboxRows: row.rows,
    unansweredAllowed,
    passed: withinUnanswered(row.rows, statusChanges, unansweredAllowed),
  };
}

type Shape = string | { [key: string]: Shape } | Shape[];

const shapeOf = (value: unknown): Shape => {
  if (Array.isArray(value)) {
    return value.length ? [shapeOf(value[0])] : [];
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, shapeOf((value as Record<string, unknown>)[key])]),
    );
  }
  return value === null ? 'null' : typeof value;
};

/**
 * Where two JSON answers differ in shape (keys and value types; arrays by their first element), as paths.
 * `null` against a value is no difference: nullable fields are null in one row and set in another.
 */
export function shapeDifferences(hub: unknown, baseline: unknown, path = '$'): string[] {
  const a = shapeOf(hub);
  const b = shapeOf(baseline);
  if (a === 'null' || b === 'null' || JSON.stringify(a) === JSON.stringify(b)) {
    return [];
  }
  if (typeof a === 'string' || typeof b === 'string' || Array.isArray(a) !== Array.isArray(b)) {
    return [`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
  }
  if (Array.isArray(a)) {
    const [first, other] = [(hub as unknown[])[0], (baseline as unknown[])[0]];
    return first === undefined || other === undefined ? [] : shapeDifferences(first, other, `${path}[0]`);
  }
  const hubObject = hub as Record<string, unknown>;
  const baselineObject = baseline as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(hubObject), ...Object.keys(baselineObject)])].sort();
  return keys.flatMap((key) => {
    if (!(key in baselineObject)) {
      return [`${path}.${key}: only in the hub`];
    }
    if (!(key in hubObject)) {
      return [`${path}.${key}: only in the baseline`];
    }
    return shapeDifferences(hubObject[key], baselineObject[key], `${path}.${key}`);
  });
}
