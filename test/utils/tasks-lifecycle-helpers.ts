import type { Response } from 'supertest';
import { errorBody } from './envelope.js';

/** Shapes of the task payloads (SPEC sections 7 and 12), written down independently of the hub's code. */
export interface TaskActor {
  type: string;
  id: string | null;
  name: string | null;
}

export interface TaskHistoryEntry {
  at: string;
  type: string;
  actor: TaskActor;
  details: Record<string, unknown>;
}

export type TaskStatus = 'todo' | 'assigned' | 'in_progress' | 'blocked' | 'completed' | 'failed' | 'cancelled';
export type TaskPriority = 'low' | 'medium' | 'high' | 'critical';

export interface TaskDto {
  id: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  teamId: string | null;
  assignedAgentId: string | null;
  assignedRoleId: string | null;
  parentTaskId: string | null;
  dependsOn: string[];
  history: TaskHistoryEntry[];
  lastOutput: string | null;
  lastExitCode: number | null;
  callbackUrl: string | null;
  version: number;
  leaseExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

/** Exactly the fields a task object carries (SPEC section 12), sorted. */
export const TASK_FIELDS = [
  'assignedAgentId',
  'assignedRoleId',
  'callbackUrl',
  'createdAt',
  'dependsOn',
  'description',
  'history',
  'id',
  'lastExitCode',
  'lastOutput',
  'leaseExpiresAt',
  'parentTaskId',
  'priority',
  'status',
  'teamId',
  'title',
  'updatedAt',
  'version',
];

export const STATUSES: readonly TaskStatus[] = [
  'todo',
  'assigned',
  'in_progress',
  'blocked',
  'completed',
  'failed',
  'cancelled',
];

/** SPEC section 12, copied from the text (not imported from src): anything else is 409 invalid_transition. */
export const ALLOWED_TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  todo: ['assigned', 'in_progress', 'blocked', 'cancelled'],
  assigned: ['in_progress', 'todo', 'blocked', 'cancelled'],
  in_progress: ['completed', 'failed', 'blocked', 'todo', 'cancelled'],
  blocked: ['todo', 'assigned', 'in_progress', 'cancelled'],
  failed: ['todo'],
  completed: [],
  cancelled: [],
};

/** The shortest allowed path from a new (todo) task to each status. */
export const PATH_TO: Record<TaskStatus, readonly TaskStatus[]> = {
  todo: [],
  assigned: ['assigned'],
  in_progress: ['in_progress'],
  blocked: ['blocked'],
  completed: ['in_progress', 'completed'],
  failed: ['in_progress', 'failed'],
  cancelled: ['cancelled'],
};

export const PRIORITY_RANK: Record<TaskPriority, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** Fails with the whole answer in the diff when the status is not the expected one. */
export function answer(response: Response): { status: number; body: unknown } {
  return { status: response.status, body: response.body as unknown };
}

/** Status and error code of a refused request, for one readable comparison. */
export const refusal = (response: Response): { status: number; code: string | undefined } => ({
  status: response.status,
  code: (errorBody(response).data as { code?: string } | undefined)?.code,
});

/** The `field`s named by a 400 answer. */
export const problemFields = (response: Response): string[] =>
  (errorBody(response).data?.details ?? []).map((problem) => problem.field);

/** `data.details` of an error envelope when it is an object (409 dependencies_incomplete carries `{taskIds}`). */
export const objectDetailsOf = <T>(response: Response): T => (response.body as { data: { details: T } }).data.details;

/** Every key path of a JSON value whose name matches the pattern. */
export function keyPathsMatching(value: unknown, pattern: RegExp, path = ''): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => keyPathsMatching(item, pattern, `${path}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => {
      const childPath = `${path}${path ? '.' : ''}${key}`;
      return [...(pattern.test(key) ? [childPath] : []), ...keyPathsMatching(child, pattern, childPath)];
    });
  }
  return [];
}

/** A date one millisecond after an ISO timestamp. */
export const plusMs = (iso: string, ms: number): string => new Date(new Date(iso).getTime() + ms).toISOString();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
