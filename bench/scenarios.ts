import type { PlanLine } from './load/wrk.js';

/** What a plan is built from, fetched fresh before every load run (tokens expire, pool statuses move). */
export interface PlanInputs {
  /** Access tokens of seeded users, one per user. */
  tokens: string[];
  /** A random sample of task ids from the whole table. */
  taskIds: string[];
  /** The status-change pool with each task's current status. */
  pool: Array<{ id: string; status: string }>;
  /** The claiming agents' keys, one per agent. */
  agentKeys: string[];
  usernames: string[];
  password: string;
}

export interface Scenario {
  id: string;
  title: string;
  connections: number;
  threads: number;
  plan(inputs: PlanInputs): PlanLine[];
  /** 204 is this endpoint's documented "nothing to claim"; everywhere else only 2xx with a body counts. */
  allows204?: boolean;
  captureIds?: boolean;
  /** What the issue asks of the hub here, in words, and how to check it against the medians. */
  target?: { text: string; met(result: { ratio: number; hubP99: number; hubRps: number }): boolean };
}

const bearer = (token: string): string => `Bearer ${token}`;
const byUser = (inputs: PlanInputs, index: number): string => bearer(inputs.tokens[index % inputs.tokens.length]);
const get = (path: string) => (inputs: PlanInputs) =>
  inputs.tokens.map((_, index): PlanLine => ({ method: 'GET', path, authorization: byUser(inputs, index) }));

export const FILTERED_LIST_PATH = '/api/tasks?status=completed&priority=high&limit=50';
export const NEWEST_LIST_PATH = '/api/tasks?limit=50';
const LIST_TARGET = {
  text: 'p99 ≤ 50 ms at 16 connections, ≥ 50 % of baseline',
  met: (r: { ratio: number; hubP99: number }) => r.hubP99 <= 50 && r.ratio >= 0.5,
};

/** The scenarios in the order they run; the ids name them in results and in BENCH_PROFILE / BENCH_ONLY. */
export const SCENARIOS: Scenario[] = [
  {
    id: 'read',
    title: 'GET /api/tasks/:id (user JWT + revocation check)',
    connections: 64,
    threads: 2,
    plan: (inputs) =>
      inputs.taskIds.map((id, index) => ({
        method: 'GET',
        path: `/api/tasks/${id}`,
        authorization: byUser(inputs, index),
      })),
    target: {
      text: '≥ 60 % of baseline, p99 ≤ 30 ms at 64 connections',
      met: (r) => r.ratio >= 0.6 && r.hubP99 <= 30,
    },
  },
  {
    id: 'list-filtered',
    title: `GET ${FILTERED_LIST_PATH} (page + total)`,
    connections: 16,
    threads: 2,
    plan: get(FILTERED_LIST_PATH),
    target: LIST_TARGET,
  },
  {
    id: 'list-newest',
    title: `GET ${NEWEST_LIST_PATH} (newest first + total)`,
    connections: 16,
    threads: 2,
    plan: get(NEWEST_LIST_PATH),
    target: LIST_TARGET,
  },
  {
    id: 'create',
    title: 'POST /api/tasks',
    connections: 32,
    threads: 2,
    plan: (inputs) =>
      inputs.tokens.map((_, index) => ({
        method: 'POST',
        path: '/api/tasks',
        authorization: byUser(inputs, index),
        body: JSON.stringify({
          title: `Benchmark task ${index}`,
          description: 'Created by the benchmark: a short description of the work to do.',
          priority: ['low', 'medium', 'high', 'critical'][index % 4],
        }),
      })),
    target: { text: '≥ 45 % of baseline', met: (r) => r.ratio >= 0.45 },
  },
  {
    id: 'status-change',
    title: 'POST /api/tasks/:id/status (callback URL → outbox row)',
    connections: 32,
    threads: 2,
    // Each task once to the other status, then once back: cycling the plan keeps every change valid.
    plan: (inputs) => {
      const toggled = (status: string): string => (status === 'blocked' ? 'in_progress' : 'blocked');
      const change = (id: string, status: string, index: number): PlanLine => ({
        method: 'POST',
        path: `/api/tasks/${id}/status`,
        authorization: byUser(inputs, index),
        body: JSON.stringify({ status }),
      });
      // The pool size is even, so a task's forth and back lines fall to the same wrk thread (line % threads).
      const pool = inputs.pool.slice(0, inputs.pool.length - (inputs.pool.length % 2));
      return [
        ...pool.map((task, index) => change(task.id, toggled(task.status), index)),
        ...pool.map((task, index) => change(task.id, task.status, index)),
      ];
    },
  },
  {
    id: 'claim',
    title: 'POST /api/tasks/claim (32 agents, each its own key)',
    connections: 32,
    threads: 32,
    plan: (inputs) =>
      inputs.agentKeys.map((key) => ({
        method: 'POST',
        path: '/api/tasks/claim',
        authorization: bearer(key),
        body: '{"leaseSeconds":600}',
      })),
    allows204: true,
    captureIds: true,
    target: { text: '≥ 1 500 claims/s, zero duplicates', met: (r) => r.hubRps >= 1500 },
  },
  {
    id: 'login',
    title: 'POST /api/auth/login (argon2id verify + audit row + refresh token)',
    connections: 8,
    threads: 2,
    plan: (inputs) =>
      inputs.usernames.map((username) => ({
        method: 'POST',
        path: '/api/auth/login',
        body: JSON.stringify({ username, password: inputs.password }),
      })),
  },
  {
    id: 'health',
    title: 'GET /api/health (no auth, no database)',
    connections: 64,
    threads: 2,
    plan: () => [{ method: 'GET', path: '/api/health' }],
  },
];
