import type { Server } from 'node:http';
import request from 'supertest';
import type { Response, Test } from 'supertest';
import type { DataSource } from 'typeorm';
import { freshClientAddress } from './agents-helpers.js';
import { dataOf } from './api.js';
import type { KeyedRegistration, TaskDto, TaskHistoryEntry, TaskPriority, TaskStatus } from './payloads.js';
import { PATH_TO } from './tasks-lifecycle-helpers.js';
import { bearer, type Headers } from './tokens.js';
import { unique } from './values.js';

export interface ArchivedTaskDto extends TaskDto {
  archivedAt: string;
}

/** The queue-relevant columns of a `tasks` row, read straight from the database. */
export interface TaskRow {
  id: string;
  status: TaskStatus;
  assigned_agent_id: string | null;
  lease_holder_id: string | null;
  lease_expires_at: Date | null;
  version: number;
  history: TaskHistoryEntry[];
}

/** A registered agent and the headers that authenticate as it. */
export interface QueueAgent {
  id: string;
  name: string;
  headers: Headers;
}

export interface CreateTaskBody {
  title: string;
  priority?: TaskPriority;
  teamId?: string;
  assignedRoleId?: string;
  dependsOn?: string[];
}

/**
 * Registers an agent with an admin credential. Each registration names its own client address (the hub under
 * test trusts X-Forwarded-For), so the per-address registration rate limit never interferes.
 */
export async function registerAgent(server: Server, admin: Headers, label: string): Promise<QueueAgent> {
  const name = unique(label);
  const response = await request(server)
    .post('/api/agents/register')
    .set({ ...admin, 'x-forwarded-for': freshClientAddress() })
    .send({ name, url: `http://${name}.queue.test:5001` })
    .expect(200);
  const { agent, agentKey } = dataOf<KeyedRegistration>(response);
  return { id: agent.id, name, headers: bearer(agentKey) };
}

/** Creates a named resource (a team, a role) with an admin credential; its id. */
async function createNamed(server: Server, admin: Headers, path: string, prefix: string): Promise<string> {
  const response = await request(server)
    .post(path)
    .set(admin)
    .send({ name: unique(prefix) })
    .expect(201);
  return dataOf<{ id: string }>(response).id;
}

export const createTeam = (server: Server, admin: Headers): Promise<string> =>
  createNamed(server, admin, '/api/teams', 'team');

export const createRole = (server: Server, admin: Headers): Promise<string> =>
  createNamed(server, admin, '/api/roles', 'role');

export async function addMember(
  server: Server,
  admin: Headers,
  teamId: string,
  agentId: string,
  roleId: string,
): Promise<void> {
  await request(server).post(`/api/teams/${teamId}/members`).set(admin).send({ agentId, roleId }).expect(201);
}

export async function createTask(server: Server, headers: Headers, body: CreateTaskBody): Promise<TaskDto> {
  const response = await request(server).post('/api/tasks').set(headers).send(body);
  if (response.status !== 201) {
    throw new Error(`creating a task answered ${response.status}: ${response.text}`);
  }
  return dataOf<TaskDto>(response);
}

export function claim(server: Server, headers: Headers, body: object = {}): Test {
  return request(server).post('/api/tasks/claim').set(headers).send(body);
}

export function renew(server: Server, headers: Headers, taskId: string, body: object = {}): Test {
  return request(server).post(`/api/tasks/${taskId}/lease`).set(headers).send(body);
}

export function changeStatus(server: Server, headers: Headers, taskId: string, status: TaskStatus): Test {
  return request(server).post(`/api/tasks/${taskId}/status`).set(headers).send({ status });
}

/** Walks a task through the allowed transitions (SPEC section 12) to `status`, as `headers`. */
export async function moveTo(server: Server, headers: Headers, taskId: string, status: TaskStatus): Promise<void> {
  for (const step of PATH_TO[status]) {
    const response = await changeStatus(server, headers, taskId, step);
    if (response.status !== 200) {
      throw new Error(`moving task ${taskId} to ${step} answered ${response.status}: ${response.text}`);
    }
  }
}

/** Claims as one agent until the hub answers something other than 200 (or `max` claims); every answer. */
export async function claimUntilEmpty(
  server: Server,
  headers: Headers,
  body: object = {},
  max = 200,
): Promise<Response[]> {
  const responses: Response[] = [];
  for (let attempt = 0; attempt < max; attempt += 1) {
    const response = await claim(server, headers, body);
    responses.push(response);
    if (response.status !== 200) {
      break;
    }
  }
  return responses;
}

/** The id of the task a 200 claim answer carries. */
export const claimedId = (response: Response): string => dataOf<TaskDto>(response).id;

/** Status and id of a claim answer, for one readable comparison ("204" answers have no id). */
export const claimOutcome = (response: Response): { status: number; id: string | null } => ({
  status: response.status,
  id: response.status === 200 ? claimedId(response) : null,
});

export async function taskRow(db: DataSource, id: string): Promise<TaskRow | undefined> {
  const rows = await db.query<TaskRow[]>(
    `SELECT id, status, assigned_agent_id, lease_holder_id, lease_expires_at, version, history
     FROM tasks WHERE id = $1`,
    [id],
  );
  return rows[0];
}

/** Sets `created_at` to `secondsAgo` before now, so the queue's "oldest first" does not depend on timing. */
export async function setCreatedAgo(db: DataSource, id: string, secondsAgo: number): Promise<void> {
  await db.query(`UPDATE tasks SET created_at = now() - make_interval(secs => $2) WHERE id = $1`, [id, secondsAgo]);
}

export const historyTypes = (history: TaskHistoryEntry[]): string[] => history.map((entry) => entry.type);

export const countType = (history: TaskHistoryEntry[], type: string): number =>
  history.filter((entry) => entry.type === type).length;
