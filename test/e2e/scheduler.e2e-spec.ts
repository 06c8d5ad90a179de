import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app/create-app.js';
import { AGENT_OFFLINE_SWEEP, AgentOfflineSweepJob } from '../../src/modules/scheduler/jobs/agent-offline-sweep.job.js';
import { HOUSEKEEPING, HousekeepingJob } from '../../src/modules/scheduler/jobs/housekeeping.job.js';
import { LEASE_EXPIRY, LeaseExpiryJob } from '../../src/modules/scheduler/jobs/lease-expiry.job.js';
import { TASK_TIMEOUTS, TaskTimeoutJob } from '../../src/modules/scheduler/jobs/task-timeout.job.js';
import { STATS_SNAPSHOT, StatsSnapshotJob } from '../../src/modules/scheduler/jobs/stats-snapshot.job.js';
import { TASK_RETENTION, TaskRetentionJob } from '../../src/modules/scheduler/jobs/task-retention.job.js';
import { ScheduleRunnerService } from '../../src/modules/scheduler/schedule-runner.service.js';
import { createUser, tokenFor } from '../factories/user.factory.js';
import { answer, call, dataOf, fieldsOf, type Method, refusal } from '../utils/api.js';
import type { AuditEntry, KeyedRegistration, Page, TaskDto } from '../utils/payloads.js';
import { pollFor, sleep } from '../utils/poll.js';
import {
  fromNow,
  nextWallClockTime,
  RUN_FIELDS,
  SCHEDULE_FIELDS,
  type ScheduleDto,
  type ScheduleRunDto,
  type TaskBlueprint,
  wallClockOf,
} from '../utils/scheduler-helpers.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN, testConfig } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { slotStart, unique } from '../utils/values.js';

const SCHEDULES = '/api/scheduled-tasks';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The real timer checks every 5 s: a due schedule must have run well within this (SPEC section 8). */
const TIMER_WAIT_MS = 12_000;

interface RunRow {
  id: string;
  scheduled_at: Date;
  task_id: string | null;
  outcome: string | null;
  error: string | null;
}

interface TickingJob {
  tick(now: Date): Promise<boolean>;
}

const admin = (): Headers => bearer(TEST_AGENT_TOKEN);
const instant = (value: string | null): number => new Date(value ?? Number.NaN).getTime();

describe('Scheduled tasks and system jobs (SPEC sections 8, 11, 12)', () => {
  let hub: TestApp;
  /** Two more instances on the hub's database. */
  const peers: NestFastifyApplication[] = [];
  let userToken: string;
  let adminUserToken: string;
  let adminUsername: string;
  let agentKey: string;

  beforeAll(async () => {
    hub = await startTestApp();
    for (let index = 0; index < 2; index += 1) {
      peers.push(
        await createApp(testConfig({ DATABASE_URL: hub.database.url }), { logger: pino({ level: 'silent' }) }),
      );
    }
    userToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'user' })).user);
    const adminUser = (await createUser(hub.app, { role: 'admin' })).user;
    adminUserToken = tokenFor(hub.config, adminUser);
    adminUsername = adminUser.username;
    const registration = await call(hub.server, 'post', '/api/agents/register', admin(), {
      name: 'schedule-reader',
      url: `http://${unique('schedule-reader')}.agents.test:5001`,
    });
    expect(registration.status).toBe(200);
    agentKey = dataOf<KeyedRegistration>(registration).agentKey;
  });
  afterAll(async () => {
    for (const peer of peers) {
      await peer.close();
    }
    await hub?.close();
  });

  const db = (): DataSource => hub.app.get(DataSource);
  const instances = (): NestFastifyApplication[] => [hub.app, ...peers];
  const api = (method: Method, path: string, headers: Headers = admin(), body?: object) =>
    call(hub.server, method, path, headers, body);

  const blueprint = (label: string, extra: Partial<TaskBlueprint> = {}): TaskBlueprint => ({
    title: unique(label),
    ...extra,
  });

  async function newSchedule(body: object, headers: Headers = admin()): Promise<ScheduleDto> {
    const response = await api('post', SCHEDULES, headers, body);
    expect({ status: response.status, body: response.body as unknown }).toEqual({
      status: 201,
      body: expect.objectContaining({ status: 'success' }),
    });
    return dataOf<ScheduleDto>(response);
  }

  const intervalSchedule = (label: string, intervalSeconds = 3600, task: TaskBlueprint = blueprint(label)) =>
    newSchedule({ name: unique(label), intervalSeconds, task });

  async function readSchedule(id: string): Promise<ScheduleDto> {
    const response = await api('get', `${SCHEDULES}/${id}`);
    expect(response.status).toBe(200);
    return dataOf<ScheduleDto>(response);
  }

  async function runsOf(id: string): Promise<Page<ScheduleRunDto>> {
    const response = await api('get', `${SCHEDULES}/${id}/runs?limit=100`);
    expect(response.status).toBe(200);
    return dataOf<Page<ScheduleRunDto>>(response);
  }

  async function readTask(id: string): Promise<TaskDto> {
    const response = await api('get', `/api/tasks/${id}`);
    expect(response.status).toBe(200);
    return dataOf<TaskDto>(response);
  }

  /** Makes exactly this schedule due at `at`; every other schedule with a next run is parked years ahead. */
  async function makeOnlyDue(id: string, at: Date): Promise<void> {
    await db().query(
      `UPDATE scheduled_tasks
          SET next_run_at = CASE WHEN id = $1 THEN $2::timestamptz ELSE now() + interval '10 years' END
        WHERE id = $1 OR next_run_at IS NOT NULL`,
      [id, at],
    );
  }

  const runRows = (id: string): Promise<RunRow[]> =>
    db().query<RunRow[]>(
      `SELECT id, scheduled_at, task_id, outcome, error FROM scheduled_task_runs
        WHERE scheduled_task_id = $1 ORDER BY started_at, scheduled_at`,
      [id],
    );

  const taskIdsTitled = async (title: string): Promise<string[]> =>
    (await db().query<Array<{ id: string }>>('SELECT id FROM tasks WHERE title = $1 ORDER BY created_at', [title])).map(
      (row) => row.id,
    );

  const schedulesNamed = async (name: string): Promise<number> =>
    (await db().query<unknown[]>('SELECT id FROM scheduled_tasks WHERE name = $1', [name])).length;

  /** runDue(now) on every instance at once; resolves to what each instance ran. */
  const runDueEverywhere = (now: Date): Promise<number[]> =>
    Promise.all(instances().map((app) => app.get(ScheduleRunnerService, { strict: false }).runDue(now)));

  describe('overlap policies (issue 12, item 5)', () => {
    /** Makes the schedule due at a fresh occurrence and runs the scheduler on every instance. */
    let minute = 0;
    async function nextOccurrence(id: string): Promise<number[]> {
      minute += 1;
      await makeOnlyDue(id, new Date(Date.UTC(2020, 0, 1, 0, minute)));
      return runDueEverywhere(new Date());
    }
    const finish = (taskId: string) => db().query(`UPDATE tasks SET status = 'completed' WHERE id = $1`, [taskId]);
    const outcomes = async (id: string) =>
      (await runRows(id)).map((run) => ({ outcome: run.outcome, made: run.task_id !== null }));

    it('allow (the default) runs every occurrence, whatever the previous task is doing', async () => {
      const schedule = await intervalSchedule('overlap-allow');
      expect(schedule.overlapPolicy).toBe('allow');
      await nextOccurrence(schedule.id);
      await nextOccurrence(schedule.id);
      expect(await outcomes(schedule.id)).toEqual([
        { outcome: 'succeeded', made: true },
        { outcome: 'succeeded', made: true },
      ]);
    });

    it('skip records an occurrence as skipped while the previous task is unfinished, and runs again after it', async () => {
      const schedule = await newSchedule({
        name: unique('overlap-skip'),
        intervalSeconds: 3600,
        overlapPolicy: 'skip',
        task: blueprint('overlap-skip'),
      });
      expect((await nextOccurrence(schedule.id)).reduce((a, b) => a + b)).toBe(1);
      expect((await nextOccurrence(schedule.id)).reduce((a, b) => a + b)).toBe(0);
      const [first, skipped] = await runRows(schedule.id);
      expect(skipped).toMatchObject({ outcome: 'skipped', task_id: null });
      expect(skipped.error).toContain(first.task_id);
      expect((await readSchedule(schedule.id)).lastOutcome).toBe('skipped');

      await finish(first.task_id!);
      await nextOccurrence(schedule.id);
      expect(await outcomes(schedule.id)).toEqual([
        { outcome: 'succeeded', made: true },
        { outcome: 'skipped', made: false },
        { outcome: 'succeeded', made: true },
      ]);
    });

    it('buffer_one holds one occurrence back, skips further ones, and runs the held one once the task finishes', async () => {
      const schedule = await newSchedule({
        name: unique('overlap-buffer'),
        intervalSeconds: 3600,
        overlapPolicy: 'buffer_one',
        task: blueprint('overlap-buffer'),
      });
      await nextOccurrence(schedule.id);
      await nextOccurrence(schedule.id);
      await nextOccurrence(schedule.id);
      expect(await outcomes(schedule.id)).toEqual([
        { outcome: 'succeeded', made: true },
        { outcome: 'buffered', made: false },
        { outcome: 'skipped', made: false },
      ]);
      // Still unfinished: a scheduler pass on every instance leaves the held occurrence alone.
      expect(await runDueEverywhere(new Date())).toEqual([0, 0, 0]);

      const [first] = await runRows(schedule.id);
      await finish(first.task_id!);
      const ran = await runDueEverywhere(new Date());
      expect(ran.reduce((a, b) => a + b)).toBe(1);
      const runs = await runRows(schedule.id);
      const held = runs.find((run) => run.scheduled_at.getTime() === Date.UTC(2020, 0, 1, 0, minute - 1))!;
      expect(held).toMatchObject({ outcome: 'succeeded', task_id: held.id });
      expect((await readTask(held.id)).status).toBe('todo');
      // Once run, it is not run again.
      expect(await runDueEverywhere(new Date())).toEqual([0, 0, 0]);
    });

    it('refuses an unknown overlap policy with 400, creating nothing', async () => {
      const name = unique('overlap-bad');
      const response = await api('post', SCHEDULES, admin(), {
        name,
        intervalSeconds: 3600,
        overlapPolicy: 'queue_all',
        task: blueprint('overlap-bad'),
      });
      expect(response.status).toBe(400);
      expect(await schedulesNamed(name)).toBe(0);
    });
  });

  describe('backfill (issue 12, item 5)', () => {
    const backfill = (id: string, body: object, headers: Headers = admin()) =>
      api('post', `${SCHEDULES}/${id}/backfill`, headers, body);

    it('runs each occurrence of a past range exactly once, however often and wherever it is asked for', async () => {
      const schedule = await newSchedule({ name: unique('backfill'), cron: '0 * * * *', task: blueprint('backfill') });
      const range = { from: '2020-06-01T00:00:00Z', to: '2020-06-01T03:00:00Z' };
      const first = await backfill(schedule.id, range);
      expect(first.status).toBe(200);
      expect(dataOf(first)).toEqual({ occurrences: 4, ran: 4, existing: 0 });

      // The same range and an overlapping one, from three instances at once: nothing twice.
      const servers = [hub.server, ...peers.map((peer) => peer.getHttpServer())];
      const again = await Promise.all(
        servers.map((server, n) =>
          call(server, 'post', `${SCHEDULES}/${schedule.id}/backfill`, admin(), {
            from: n === 0 ? range.from : '2020-06-01T02:00:00Z',
            to: n === 0 ? range.to : '2020-06-01T05:00:00Z',
          }),
        ),
      );
      expect(again.map((response) => response.status)).toEqual([200, 200, 200]);
      const ran = again.map((response) => dataOf<{ ran: number }>(response).ran);
      expect(ran.reduce((a, b) => a + b)).toBe(2);

      const runs = await runRows(schedule.id);
      expect(runs.map((run) => run.scheduled_at.toISOString()).sort()).toEqual(
        [0, 1, 2, 3, 4, 5].map((hour) => `2020-06-01T0${hour}:00:00.000Z`),
      );
      expect(runs.every((run) => run.outcome === 'succeeded' && run.task_id === run.id)).toBe(true);
      expect(await taskIdsTitled(schedule.task.title)).toHaveLength(6);
      const audit = await api('get', `/api/audit-logs?targetId=${schedule.id}&action=schedule.backfilled&limit=100`);
      const details = dataOf<Page<AuditEntry>>(audit).items.map((item) => item.details);
      expect(details).toHaveLength(4);
      expect(details).toContainEqual(expect.objectContaining({ occurrences: 4, ran: 4, existing: 0 }));
    });

    it('refuses a range that ends in the future, runs backwards or holds too many occurrences, and non-admins', async () => {
      const schedule = await newSchedule({ name: unique('backfill-bad'), cron: '* * * * *', task: blueprint('bf') });
      for (const body of [
        { from: '2020-01-01T00:00:00Z', to: fromNow(60_000).toISOString() },
        { from: '2020-01-02T00:00:00Z', to: '2020-01-01T00:00:00Z' },
        { from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' },
        { from: 'yesterday', to: '2020-01-01T00:00:00Z' },
      ]) {
        const response = await backfill(schedule.id, body);
        expect({ body, status: response.status }).toEqual({ body, status: 400 });
      }
      expect(
        (await backfill(schedule.id, { from: '2020-01-01T00:00:00Z', to: '2020-01-01T00:05:00Z' }, bearer(userToken)))
          .status,
      ).toBe(403);
      expect(await runRows(schedule.id)).toEqual([]);
    });
  });

  describe('validation: 400 naming the field, nothing stored', () => {
    const task = { title: 'Validated' };
    const cases: Array<[string, Record<string, unknown>, string[]]> = [
      ['both cron and intervalSeconds', { cron: '0 9 * * *', intervalSeconds: 600, task }, ['cron', 'intervalSeconds']],
      ['neither cron nor intervalSeconds', { task }, ['cron', 'intervalSeconds']],
      ['an invalid cron (a word)', { cron: 'hello', task }, ['cron']],
      ['an invalid cron (minute 61)', { cron: '61 * * * *', task }, ['cron']],
      ['an invalid cron (4 fields)', { cron: '* * * *', task }, ['cron']],
      ['an invalid cron (7 fields)', { cron: '0 0 9 * * * 2026', task }, ['cron']],
      ['a cron that never fires (0 0 30 2 *, the 30th of February)', { cron: '0 0 30 2 *', task }, ['cron']],
      ['an invalid timezone (Mars/Base)', { cron: '0 9 * * *', timezone: 'Mars/Base', task }, ['timezone']],
      ['an invalid timezone (CET+99)', { cron: '0 9 * * *', timezone: 'CET+99', task }, ['timezone']],
      ['intervalSeconds 5 (below 10)', { intervalSeconds: 5, task }, ['intervalSeconds']],
      ['intervalSeconds 9 (below 10)', { intervalSeconds: 9, task }, ['intervalSeconds']],
      ['intervalSeconds 31536001 (above a year)', { intervalSeconds: 31_536_001, task }, ['intervalSeconds']],
      ['intervalSeconds 60.5 (not an integer)', { intervalSeconds: 60.5, task }, ['intervalSeconds']],
      ['a task without a title', { intervalSeconds: 600, task: {} }, ['task.title']],
      ['a task with an empty title', { intervalSeconds: 600, task: { title: '' } }, ['task.title']],
      ['no task at all', { intervalSeconds: 600 }, ['task']],
      ['an unknown priority', { intervalSeconds: 600, task: { title: 'x', priority: 'urgent' } }, ['task.priority']],
      ['an unknown field', { intervalSeconds: 600, task, bogus: true }, ['bogus']],
      ['an unknown field in the task', { intervalSeconds: 600, task: { title: 'x', bogus: 1 } }, ['task.bogus']],
    ];

    it.each(cases)('POST with %s → 400 validation_failed naming the field', async (_label, body, fields) => {
      const name = unique('invalid');
      const response = await api('post', SCHEDULES, admin(), { name, ...body });
      expect(refusal(response)).toEqual({ status: 400, code: 'validation_failed' });
      expect(fieldsOf(response).filter((field) => fields.includes(field)).length).toBeGreaterThan(0);
      expect(await schedulesNamed(name)).toBe(0);
    });

    it('accepts the interval bounds 10 and 31536000 and 5- and 6-field cron expressions', async () => {
      for (const body of [
        { intervalSeconds: 10 },
        { intervalSeconds: 31_536_000 },
        { cron: '*/5 * * * *' },
        { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' },
        { cron: '*/10 * * * * *', timezone: 'America/New_York' },
      ]) {
        const schedule = await newSchedule({ name: unique('bounds'), enabled: false, task, ...body });
        expect(schedule).toMatchObject(body);
      }
    });

    it('PATCH with an invalid or never-firing cron, timezone or interval, both timings or an array as task → 400 naming the field; the schedule is unchanged', async () => {
      const schedule = await newSchedule({
        name: unique('patch-invalid'),
        cron: '0 9 * * *',
        timezone: 'Europe/Berlin',
        task,
      });
      const cases: Array<[object, string[]]> = [
        [{ cron: '61 * * * *' }, ['cron']],
        [{ cron: 'hello' }, ['cron']],
        [{ timezone: 'Mars/Base' }, ['timezone']],
        [{ intervalSeconds: 5 }, ['intervalSeconds']],
        [{ cron: '0 9 * * *', intervalSeconds: 600 }, ['cron', 'intervalSeconds']],
        [{ cron: '0 0 31 4 *' }, ['cron']],
        [{ task: { title: '' } }, ['task.title']],
        [{ task: [] }, ['task']],
        [{ task: [{ title: 'In an array' }] }, ['task']],
        [{ bogus: 1 }, ['bogus']],
      ];
      for (const [body, fields] of cases) {
        const response = await api('patch', `${SCHEDULES}/${schedule.id}`, admin(), body);
        expect({ body, ...refusal(response) }).toEqual({ body, status: 400, code: 'validation_failed' });
        expect(fieldsOf(response).filter((field) => fields.includes(field)).length).toBeGreaterThan(0);
      }
      expect(await readSchedule(schedule.id)).toEqual(schedule);
    });
  });

  describe('access levels: reads agent-or-user, writes admin', () => {
    let schedule: ScheduleDto;

    beforeAll(async () => {
      schedule = await intervalSchedule('access');
    });

    const writes = (id: string): Array<[Method, string, object | undefined]> => [
      ['post', SCHEDULES, { name: 'nope', intervalSeconds: 600, task: { title: 'nope' } }],
      ['patch', `${SCHEDULES}/${id}`, { name: 'renamed' }],
      ['delete', `${SCHEDULES}/${id}`, undefined],
      ['post', `${SCHEDULES}/${id}/run`, undefined],
    ];
    const reads = (id: string): string[] => [SCHEDULES, `${SCHEDULES}/${id}`, `${SCHEDULES}/${id}/runs`];

    it('a non-admin user gets 403 on every write (and changes nothing), 200 on every read', async () => {
      for (const [method, path, body] of writes(schedule.id)) {
        const response = await api(method, path, bearer(userToken), body);
        expect({ method, path, ...refusal(response) }).toEqual({ method, path, status: 403, code: expect.any(String) });
      }
      for (const path of reads(schedule.id)) {
        expect({ path, status: (await api('get', path, bearer(userToken))).status }).toEqual({ path, status: 200 });
      }
      expect(await readSchedule(schedule.id)).toEqual(schedule);
      expect(await runRows(schedule.id)).toEqual([]);
      expect(await schedulesNamed('nope')).toBe(0);
    });

    it('a registered agent may read (200) but not write (403)', async () => {
      for (const path of reads(schedule.id)) {
        expect({ path, status: (await api('get', path, bearer(agentKey))).status }).toEqual({ path, status: 200 });
      }
      for (const [method, path, body] of writes(schedule.id)) {
        const response = await api(method, path, bearer(agentKey), body);
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
      }
      expect(await readSchedule(schedule.id)).toEqual(schedule);
    });

    it('no credential → 401 on reads and writes', async () => {
      for (const [method, path, body] of writes(schedule.id)) {
        const response = await api(method, path, {}, body);
        expect({ method, path, ...refusal(response) }).toEqual({ method, path, status: 401, code: 'unauthenticated' });
      }
      for (const path of reads(schedule.id)) {
        const response = await api('get', path, {});
        expect({ path, ...refusal(response) }).toEqual({ path, status: 401, code: 'unauthenticated' });
      }
      expect(await readSchedule(schedule.id)).toEqual(schedule);
    });

    it('an admin user may write; createdBy names them', async () => {
      const created = await newSchedule(
        { name: unique('by-admin-user'), intervalSeconds: 600, task: { title: 'x' } },
        bearer(adminUserToken),
      );
      expect(created.createdBy).toBe(adminUsername);
    });

    it('an unknown id → 404 on read, update, delete, run and runs', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      for (const [method, path, body] of [
        ['get', `${SCHEDULES}/${id}`, undefined],
        ['get', `${SCHEDULES}/${id}/runs`, undefined],
        ['patch', `${SCHEDULES}/${id}`, { name: 'x' }],
        ['delete', `${SCHEDULES}/${id}`, undefined],
        ['post', `${SCHEDULES}/${id}/run`, undefined],
      ] as Array<[Method, string, object | undefined]>) {
        const response = await api(method, path, admin(), body);
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
      }
    });
  });

  describe('the schedule object and nextRunAt', () => {
    it('a cron schedule 0 9 * * * in Europe/Berlin gets nextRunAt at the next 09:00 Berlin time (07:00Z or 08:00Z by DST)', async () => {
      const before = new Date();
      const task = { title: unique('berlin'), description: 'Morning check', priority: 'high' as const };
      const schedule = await newSchedule({
        name: unique('berlin'),
        cron: '0 9 * * *',
        timezone: 'Europe/Berlin',
        task,
      });
      const after = new Date();
      expect(Object.keys(schedule).sort()).toEqual(SCHEDULE_FIELDS);
      expect(schedule).toMatchObject({
        cron: '0 9 * * *',
        timezone: 'Europe/Berlin',
        intervalSeconds: null,
        enabled: true,
        task,
        lastRunAt: null,
        lastOutcome: null,
      });
      // The request happened between before and after; unless 09:00 Berlin fell inside it, both agree.
      const expected = [nextWallClockTime(before, 'Europe/Berlin', 9), nextWallClockTime(after, 'Europe/Berlin', 9)];
      expect(expected.map((date) => date.toISOString())).toContain(schedule.nextRunAt);
      expect(wallClockOf(schedule.nextRunAt!, 'Europe/Berlin')).toBe('09:00');
      expect(['07:00', '08:00']).toContain(wallClockOf(schedule.nextRunAt!, 'UTC'));
      expect(await readSchedule(schedule.id)).toEqual(schedule);
    });

    it('the timezone defaults to UTC: 0 9 * * * runs at 09:00Z', async () => {
      const before = new Date();
      const schedule = await newSchedule({ name: unique('utc'), cron: '0 9 * * *', task: { title: 'utc' } });
      const after = new Date();
      expect(schedule.timezone).toBe('UTC');
      expect(
        [nextWallClockTime(before, 'UTC', 9), nextWallClockTime(after, 'UTC', 9)].map((d) => d.toISOString()),
      ).toContain(schedule.nextRunAt);
    });

    it('an interval schedule gets nextRunAt = now + intervalSeconds', async () => {
      const before = Date.now();
      const schedule = await intervalSchedule('interval', 7200);
      const after = Date.now();
      expect(schedule).toMatchObject({ cron: null, intervalSeconds: 7200, timezone: 'UTC', enabled: true });
      expect(instant(schedule.nextRunAt)).toBeGreaterThanOrEqual(before + 7200 * 1000);
      expect(instant(schedule.nextRunAt)).toBeLessThanOrEqual(after + 7200 * 1000);
    });

    it('PATCHing the timing recomputes nextRunAt; other changes keep it; disabling sets it null, enabling sets it again', async () => {
      const schedule = await intervalSchedule('patch-timing', 3600);
      const patch = async (body: object): Promise<{ updated: ScheduleDto; before: number; after: number }> => {
        const before = Date.now();
        const response = await api('patch', `${SCHEDULES}/${schedule.id}`, admin(), body);
        const after = Date.now();
        expect(response.status).toBe(200);
        return { updated: dataOf<ScheduleDto>(response), before, after };
      };

      // A new interval: now + the new interval.
      let step = await patch({ intervalSeconds: 600 });
      expect(step.updated.intervalSeconds).toBe(600);
      expect(instant(step.updated.nextRunAt)).toBeGreaterThanOrEqual(step.before + 600_000);
      expect(instant(step.updated.nextRunAt)).toBeLessThanOrEqual(step.after + 600_000);

      // Renaming or a new blueprint keeps the timetable.
      const kept = step.updated.nextRunAt;
      step = await patch({ name: unique('renamed'), task: { title: 'renamed task' } });
      expect(step.updated.nextRunAt).toBe(kept);
      expect(step.updated.task).toEqual({ title: 'renamed task' });

      // Switching to cron clears the interval and uses the cron (in the schedule's zone, still UTC).
      step = await patch({ cron: '0 9 * * *' });
      expect(step.updated).toMatchObject({ cron: '0 9 * * *', intervalSeconds: null, timezone: 'UTC' });
      expect(
        [nextWallClockTime(new Date(step.before), 'UTC', 9), nextWallClockTime(new Date(step.after), 'UTC', 9)].map(
          (d) => d.toISOString(),
        ),
      ).toContain(step.updated.nextRunAt);

      // A new time zone alone moves the occurrence to 09:00 there.
      step = await patch({ timezone: 'America/New_York' });
      expect(step.updated.timezone).toBe('America/New_York');
      expect(
        [
          nextWallClockTime(new Date(step.before), 'America/New_York', 9),
          nextWallClockTime(new Date(step.after), 'America/New_York', 9),
        ].map((d) => d.toISOString()),
      ).toContain(step.updated.nextRunAt);

      // Disabling: no next run; enabling again: computed from now.
      step = await patch({ enabled: false });
      expect(step.updated).toMatchObject({ enabled: false, nextRunAt: null });
      expect((await readSchedule(schedule.id)).nextRunAt).toBeNull();
      step = await patch({ enabled: true });
      expect(step.updated.enabled).toBe(true);
      expect(
        [
          nextWallClockTime(new Date(step.before), 'America/New_York', 9),
          nextWallClockTime(new Date(step.after), 'America/New_York', 9),
        ].map((d) => d.toISOString()),
      ).toContain(step.updated.nextRunAt);

      // Back to an interval: the cron is cleared.
      step = await patch({ intervalSeconds: 900 });
      expect(step.updated).toMatchObject({ cron: null, intervalSeconds: 900 });
      expect(instant(step.updated.nextRunAt)).toBeGreaterThanOrEqual(step.before + 900_000);
      expect(instant(step.updated.nextRunAt)).toBeLessThanOrEqual(step.after + 900_000);
    });

    it('a schedule created disabled has no next run and never runs, even when its next_run_at is forced into the past', async () => {
      const task = blueprint('disabled');
      const schedule = await newSchedule({ name: unique('disabled'), intervalSeconds: 600, enabled: false, task });
      expect(schedule).toMatchObject({ enabled: false, nextRunAt: null });
      await makeOnlyDue(schedule.id, fromNow(-60_000));
      expect(await runDueEverywhere(new Date())).toEqual([0, 0, 0]);
      expect(await runRows(schedule.id)).toEqual([]);
      expect(await taskIdsTitled(task.title)).toEqual([]);
    });

    it('GET lists schedules (paged) and DELETE removes one with its runs (204, then 404)', async () => {
      const schedule = await intervalSchedule('to-delete');
      await api('post', `${SCHEDULES}/${schedule.id}/run`).expect(200);
      expect(await runRows(schedule.id)).toHaveLength(1);

      const list = await api('get', `${SCHEDULES}?limit=500`);
      expect(list.status).toBe(200);
      const page = dataOf<Page<ScheduleDto>>(list);
      expect(page.total).toBeGreaterThanOrEqual(page.items.length);
      expect(page.items.find((item) => item.id === schedule.id)).toMatchObject({
        id: schedule.id,
        name: schedule.name,
      });

      const deleted = await api('delete', `${SCHEDULES}/${schedule.id}`);
      expect(deleted.status).toBe(204);
      expect((await api('get', `${SCHEDULES}/${schedule.id}`)).status).toBe(404);
      expect(await runRows(schedule.id)).toEqual([]);
      expect((await api('delete', `${SCHEDULES}/${schedule.id}`)).status).toBe(404);
    });

    it('every write is audited: schedule.created, schedule.updated, schedule.run_requested, schedule.deleted', async () => {
      const schedule = await intervalSchedule('audited');
      await api('patch', `${SCHEDULES}/${schedule.id}`, admin(), { intervalSeconds: 1200 }).expect(200);
      await api('post', `${SCHEDULES}/${schedule.id}/run`).expect(200);
      await api('delete', `${SCHEDULES}/${schedule.id}`).expect(204);
      const response = await api('get', `/api/audit-logs?targetId=${schedule.id}&limit=100`);
      expect(response.status).toBe(200);
      const actions = dataOf<Page<AuditEntry>>(response)
        .items.map((entry) => entry.action)
        .sort();
      expect(actions).toEqual(['schedule.created', 'schedule.deleted', 'schedule.run_requested', 'schedule.updated']);
    });
  });

  describe('occurrences', () => {
    it('three instances on one database, interval schedule: each occurrence creates exactly one task (3 occurrences → 3 runs, 3 tasks)', async () => {
      const task = blueprint('three-instances', { description: 'made by the scheduler', priority: 'critical' });
      const schedule = await intervalSchedule('three-instances', 600, task);
      const seen: string[] = [];
      for (let occurrence = 1; occurrence <= 3; occurrence += 1) {
        const scheduledAt = fromNow(-60_000 - occurrence * 1000);
        await makeOnlyDue(schedule.id, scheduledAt);

        const before = Date.now();
        const ran = await runDueEverywhere(new Date());
        expect({ occurrence, ran: [...ran].sort() }).toEqual({ occurrence, ran: [0, 0, 1] });

        const runs = await runRows(schedule.id);
        const tasks = await taskIdsTitled(task.title);
        expect({ occurrence, runs: runs.length, tasks: tasks.length }).toEqual({
          occurrence,
          runs: occurrence,
          tasks: occurrence,
        });
        const newTask = tasks.find((id) => !seen.includes(id))!;
        const run = runs[runs.length - 1];
        expect(run).toMatchObject({ task_id: newTask, outcome: 'succeeded', error: null });
        expect(run.scheduled_at.toISOString()).toBe(scheduledAt.toISOString());
        seen.push(newTask);

        const after = await readSchedule(schedule.id);
        expect(instant(after.nextRunAt)).toBeGreaterThan(Date.now());
        expect(instant(after.nextRunAt)).toBeGreaterThanOrEqual(before + 600_000);
        expect(after.lastOutcome).toBe('succeeded');
        expect(instant(after.lastRunAt)).toBeGreaterThanOrEqual(before - 5_000);

        // Nothing more is due: another round on all instances runs nothing.
        expect(await runDueEverywhere(new Date())).toEqual([0, 0, 0]);
      }
      expect(await runRows(schedule.id)).toHaveLength(3);
      expect(await taskIdsTitled(task.title)).toHaveLength(3);
      // The task follows the blueprint and is a fresh todo task.
      expect(await readTask(seen[0])).toMatchObject({
        title: task.title,
        description: 'made by the scheduler',
        priority: 'critical',
        status: 'todo',
      });
      // The API's run list agrees with the table.
      const page = await runsOf(schedule.id);
      expect(page.total).toBe(3);
      expect(page.items.map((run) => run.taskId).sort()).toEqual([...seen].sort());
      expect(Object.keys(page.items[0]).sort()).toEqual(RUN_FIELDS);
    });

    it('catch-up after downtime runs once: an interval of 600 s, 10 hours overdue (60 missed slots) → one run, one task, next run after now', async () => {
      const task = blueprint('catch-up');
      const schedule = await intervalSchedule('catch-up', 600, task);
      const overdue = fromNow(-10 * HOUR_MS);
      await makeOnlyDue(schedule.id, overdue);

      const before = Date.now();
      const ran = await runDueEverywhere(new Date());
      const after = Date.now();
      expect(ran.reduce((sum, count) => sum + count, 0)).toBe(1);
      // Further rounds (as the timer would do every 5 s) find nothing due.
      expect(await runDueEverywhere(new Date())).toEqual([0, 0, 0]);
      expect(await runDueEverywhere(new Date(Date.now() + 1000))).toEqual([0, 0, 0]);

      const runs = await runRows(schedule.id);
      expect(runs).toHaveLength(1);
      expect(runs[0].scheduled_at.toISOString()).toBe(overdue.toISOString());
      expect(await taskIdsTitled(task.title)).toHaveLength(1);
      const current = await readSchedule(schedule.id);
      // Computed from now, not from the missed slot.
      expect(instant(current.nextRunAt)).toBeGreaterThan(after);
      expect(instant(current.nextRunAt)).toBeGreaterThanOrEqual(before + 600_000);
      expect(instant(current.nextRunAt)).toBeLessThanOrEqual(after + 600_000);
    });

    describe('an occurrence whose instance died or lost the database mid-run', () => {
      /** A due schedule with the run row a dead instance left behind: started `startedSecondsAgo`, unfinished. */
      async function leftBehind(label: string, startedSecondsAgo: number, outcome: string | null = null) {
        const task = blueprint(label);
        const schedule = await intervalSchedule(label, 600, task);
        const scheduledAt = fromNow(-60_000);
        await makeOnlyDue(schedule.id, scheduledAt);
        const [run] = await db().query<Array<{ id: string }>>(
          `INSERT INTO scheduled_task_runs (scheduled_task_id, scheduled_at, started_at, outcome)
           VALUES ($1, $2, now() - make_interval(secs => $3), $4) RETURNING id`,
          [schedule.id, scheduledAt, startedSecondsAgo, outcome],
        );
        return { schedule, task, runId: run.id };
      }

      const totalRan = async (): Promise<number> =>
        (await runDueEverywhere(new Date())).reduce((sum, count) => sum + count, 0);

      it('an abandoned run (started 20 s ago, unfinished) is taken over by one instance and creates its task once', async () => {
        const { schedule, task, runId } = await leftBehind('abandoned', 20);
        expect(await totalRan()).toBe(1);
        expect(await totalRan()).toBe(0);
        expect(await runRows(schedule.id)).toEqual([
          expect.objectContaining({ id: runId, task_id: runId, outcome: 'succeeded', error: null }),
        ]);
        expect(await taskIdsTitled(task.title)).toEqual([runId]);
        expect(instant((await readSchedule(schedule.id)).nextRunAt)).toBeGreaterThan(Date.now());
      });

      it('an abandoned run whose task had been created before the instance died is finished without a second task', async () => {
        const { schedule, task, runId } = await leftBehind('abandoned-after-insert', 20);
        expect((await api('post', '/api/tasks', admin(), { id: runId, title: task.title })).status).toBe(201);
        expect(await totalRan()).toBe(1);
        expect(await runRows(schedule.id)).toEqual([
          expect.objectContaining({ id: runId, task_id: runId, outcome: 'succeeded', error: null }),
        ]);
        expect(await taskIdsTitled(task.title)).toEqual([runId]);
      });

      it('a run started 2 s ago is still in its instance’s hands: nobody takes it over and the schedule stays due', async () => {
        const { schedule, task, runId } = await leftBehind('in-progress', 2);
        expect(await totalRan()).toBe(0);
        expect(await runRows(schedule.id)).toEqual([expect.objectContaining({ id: runId, outcome: null })]);
        expect(await taskIdsTitled(task.title)).toEqual([]);
        expect(instant((await readSchedule(schedule.id)).nextRunAt)).toBeLessThan(Date.now());
      });

      it('a run that finished but whose schedule was not moved on: the schedule moves on, nothing runs again', async () => {
        const { schedule, task } = await leftBehind('finished-not-advanced', 20, 'succeeded');
        expect(await totalRan()).toBe(0);
        expect(await runRows(schedule.id)).toHaveLength(1);
        expect(await taskIdsTitled(task.title)).toEqual([]);
        expect(instant((await readSchedule(schedule.id)).nextRunAt)).toBeGreaterThan(Date.now());
      });
    });

    it('catch-up also runs once for a cron schedule (*/10 * * * *, 10 hours overdue)', async () => {
      const task = blueprint('catch-up-cron');
      const schedule = await newSchedule({ name: unique('catch-up-cron'), cron: '*/10 * * * *', task });
      await makeOnlyDue(schedule.id, slotStart(fromNow(-10 * HOUR_MS), 600));
      const ran = await runDueEverywhere(new Date());
      expect(ran.reduce((sum, count) => sum + count, 0)).toBe(1);
      expect(await runDueEverywhere(new Date())).toEqual([0, 0, 0]);
      expect(await runRows(schedule.id)).toHaveLength(1);
      expect(await taskIdsTitled(task.title)).toHaveLength(1);
      const next = instant((await readSchedule(schedule.id)).nextRunAt);
      expect(next).toBeGreaterThan(Date.now());
      expect(next).toBeLessThanOrEqual(Date.now() + 600_000);
      expect(next % 600_000).toBe(0);
    });

    it('a failing run is recorded (outcome failed, error, no task), the schedule carries on, and a fixed blueprint then renders the template', async () => {
      const template = await api('post', '/api/templates', admin(), {
        name: unique('goal-template'),
        promptTemplate: 'Goal: {{team_goal}}',
      });
      expect(template.status).toBe(201);
      const templateId = dataOf<{ id: string }>(template).id;

      const task = blueprint('templated', { templateId });
      const schedule = await intervalSchedule('failing', 600, task);
      const failedAt = fromNow(-120_000);
      await makeOnlyDue(schedule.id, failedAt);
      const ran = await runDueEverywhere(new Date());
      expect(ran.reduce((sum, count) => sum + count, 0)).toBe(1);

      const [failedRun] = await runRows(schedule.id);
      expect(failedRun).toMatchObject({ outcome: 'failed', task_id: null });
      expect(failedRun.error).toEqual(expect.stringContaining('team_goal'));
      expect(await taskIdsTitled(task.title)).toEqual([]);
      const afterFailure = await readSchedule(schedule.id);
      expect(afterFailure.lastOutcome).toBe('failed');
      expect(afterFailure.enabled).toBe(true);
      expect(instant(afterFailure.nextRunAt)).toBeGreaterThan(Date.now());
      const [listedFailure] = (await runsOf(schedule.id)).items;
      expect(listedFailure).toMatchObject({ id: failedRun.id, outcome: 'failed', taskId: null });
      expect(listedFailure.error).toEqual(expect.stringContaining('team_goal'));

      // Fix the blueprint: the next occurrence succeeds and the description is the rendered template.
      await api('patch', `${SCHEDULES}/${schedule.id}`, admin(), {
        task: { ...task, variables: { team_goal: 'Ship the release' } },
      }).expect(200);
      await makeOnlyDue(schedule.id, fromNow(-60_000));
      expect((await runDueEverywhere(new Date())).reduce((sum, count) => sum + count, 0)).toBe(1);
      const runs = await runRows(schedule.id);
      expect(runs.map((run) => run.outcome)).toEqual(['failed', 'succeeded']);
      const taskIds = await taskIdsTitled(task.title);
      expect(taskIds).toHaveLength(1);
      expect(runs[1].task_id).toBe(taskIds[0]);
      expect((await readTask(taskIds[0])).description).toBe('Goal: Ship the release');
      expect((await readSchedule(schedule.id)).lastOutcome).toBe('succeeded');
    });

    it('a blueprint with its optional fields null is returned as sent and runs as if they were left out', async () => {
      const nulls = { description: null, priority: null, teamId: null, assignedRoleId: null, templateId: null };
      const task = { ...blueprint('null-fields'), ...nulls, variables: null };
      const schedule = await intervalSchedule('null-fields', 86_400);
      const patched = await api('patch', `${SCHEDULES}/${schedule.id}`, admin(), { task });
      expect(answer(patched)).toMatchObject({ status: 200, body: { data: { task } } });

      const run = dataOf<ScheduleRunDto>(await api('post', `${SCHEDULES}/${schedule.id}/run`).expect(200));
      expect(run).toMatchObject({ outcome: 'succeeded', error: null });
      expect(await readTask(run.taskId!)).toMatchObject({ title: task.title, description: null, priority: 'medium' });
    });

    it('run now creates a task at once and records a run; GET runs lists it; nextRunAt is unchanged', async () => {
      const role = await api('post', '/api/roles', admin(), { name: unique('scheduled-role') });
      expect(role.status).toBe(201);
      const team = await api('post', '/api/teams', admin(), { name: unique('scheduled-team') });
      expect(team.status).toBe(201);
      const task = blueprint('run-now', {
        description: 'on demand',
        priority: 'low',
        teamId: dataOf<{ id: string }>(team).id,
        assignedRoleId: dataOf<{ id: string }>(role).id,
      });
      const schedule = await intervalSchedule('run-now', 86_400, task);

      const before = Date.now();
      const response = await api('post', `${SCHEDULES}/${schedule.id}/run`);
      const after = Date.now();
      expect(response.status).toBe(200);
      const run = dataOf<ScheduleRunDto>(response);
      expect(Object.keys(run).sort()).toEqual(RUN_FIELDS);
      expect(run).toMatchObject({ outcome: 'succeeded', error: null, taskId: expect.any(String) });
      expect(instant(run.scheduledAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(instant(run.scheduledAt)).toBeLessThanOrEqual(after + 1000);

      expect(await taskIdsTitled(task.title)).toEqual([run.taskId]);
      expect(await readTask(run.taskId!)).toMatchObject({
        title: task.title,
        description: 'on demand',
        priority: 'low',
        status: 'todo',
        teamId: task.teamId,
        assignedRoleId: task.assignedRoleId,
      });

      const page = await runsOf(schedule.id);
      expect(page.total).toBe(1);
      expect(page.items).toEqual([run]);

      const current = await readSchedule(schedule.id);
      expect(current.nextRunAt).toBe(schedule.nextRunAt);
      expect(current.lastOutcome).toBe('succeeded');
      expect(current.lastRunAt).not.toBeNull();
    });

    it('concurrent run-now requests (an impatient admin) each answer 200 with their own run and task', async () => {
      const task = blueprint('run-now-concurrent');
      const schedule = await intervalSchedule('run-now-concurrent', 86_400, task);
      const requests = 40;

      const responses = await Promise.all(
        Array.from({ length: requests }, () => api('post', `${SCHEDULES}/${schedule.id}/run`)),
      );
      const answered = responses
        .filter((response) => response.status === 200)
        .map((response) => dataOf<ScheduleRunDto>(response));
      const rows = await runRows(schedule.id);
      const stored = new Map(rows.map((row) => [row.id, row]));
      // Every answer must describe the run its own request created, as stored, finished.
      const misreported = answered.filter((run) => {
        const row = stored.get(run.id);
        return !row || row.task_id !== run.taskId || row.outcome !== run.outcome || run.outcome !== 'succeeded';
      });
      expect({
        failedRequests: responses.filter((response) => response.status !== 200).map((response) => response.status),
        distinctRunsAnswered: new Set(answered.map((run) => run.id)).size,
        distinctTasksAnswered: new Set(answered.map((run) => run.taskId)).size,
        misreported: misreported.length,
        runRows: rows.length,
        tasks: (await taskIdsTitled(task.title)).length,
      }).toEqual({
        failedRequests: [],
        distinctRunsAnswered: requests,
        distinctTasksAnswered: requests,
        misreported: 0,
        runRows: requests,
        tasks: requests,
      });
    });
  });

  describe('system jobs: each tick runs on exactly one of two instances', () => {
    const JOBS: Array<[string, Type<TickingJob>, string, number]> = [
      ['agent offline sweep', AgentOfflineSweepJob, AGENT_OFFLINE_SWEEP, 30],
      ['lease expiry', LeaseExpiryJob, LEASE_EXPIRY, 15],
      ['task timeouts', TaskTimeoutJob, TASK_TIMEOUTS, 15],
      ['task retention', TaskRetentionJob, TASK_RETENTION, 600],
      ['housekeeping', HousekeepingJob, HOUSEKEEPING, 600],
      ['stats snapshot (STATS_SNAPSHOT_INTERVAL_SECONDS, default 60)', StatsSnapshotJob, STATS_SNAPSHOT, 60],
    ];
    /** Slots far from the real clock, aligned to every period (600 s is a multiple of all of them). */
    let base: Date;

    beforeAll(() => {
      base = slotStart(new Date(Date.now() + 2 * 365 * DAY_MS), 600);
    });

    const claims = (job: string, fireAt: Date): Promise<Array<{ outcome: string | null }>> =>
      db().query('SELECT outcome FROM system_job_runs WHERE job = $1 AND fire_at = $2', [job, fireAt]);
    const snapshots = async (): Promise<number> =>
      Number((await db().query<Array<{ count: string }>>('SELECT count(*) AS count FROM stats_snapshots'))[0].count);

    it.each(JOBS)(
      '%s: tick(sameDate) on two instances → one true, one claim row; same slot again → none; next slot → one',
      async (_label, type, job, period) => {
        const tickBoth = (date: Date): Promise<boolean[]> =>
          Promise.all([hub.app, peers[0]].map((app) => app.get(type, { strict: false }).tick(date)));
        const slot = base;
        const nextSlot = new Date(slot.getTime() + period * 1000);
        const snapshotsBefore = await snapshots();

        // A date inside the slot (not its start) still claims the slot's start.
        const first = await tickBoth(new Date(slot.getTime() + 1234));
        expect(first.filter(Boolean)).toHaveLength(1);
        expect(await claims(job, slot)).toEqual([{ outcome: 'succeeded' }]);

        // The rest of the slot: already claimed on both instances.
        expect(await tickBoth(new Date(nextSlot.getTime() - 1))).toEqual([false, false]);
        expect(await claims(job, slot)).toHaveLength(1);

        const next = await tickBoth(nextSlot);
        expect(next.filter(Boolean)).toHaveLength(1);
        expect(await claims(job, nextSlot)).toEqual([{ outcome: 'succeeded' }]);

        const rows = await db().query<unknown[]>('SELECT 1 FROM system_job_runs WHERE job = $1 AND fire_at >= $2', [
          job,
          slot,
        ]);
        expect(rows).toHaveLength(2);
        if (job === STATS_SNAPSHOT) {
          // One snapshot per claimed tick: two slots, two rows.
          expect((await snapshots()) - snapshotsBefore).toBe(2);
        }
      },
    );

    it('the stats snapshot tick adds exactly one row to stats_snapshots', async () => {
      const slot = new Date(base.getTime() + 10 * 600_000);
      const before = await snapshots();
      const ran = await Promise.all(
        [hub.app, peers[0]].map((app) => app.get(StatsSnapshotJob, { strict: false }).tick(slot)),
      );
      expect(ran.filter(Boolean)).toHaveLength(1);
      expect((await snapshots()) - before).toBe(1);
    });

    it('housekeeping with the default AUDIT_RETENTION_DAYS (365) keeps a 2-day-old audit entry and deletes a 400-day-old one', async () => {
      const kept = unique('test.kept');
      const old = unique('test.old');
      await db().query(
        `INSERT INTO audit_logs (at, actor_type, action, outcome) VALUES
           (now() - interval '2 days', 'system', $1, 'success'),
           (now() - interval '400 days', 'system', $2, 'success')`,
        [kept, old],
      );
      const slot = new Date(base.getTime() + 20 * 600_000);
      expect(await hub.app.get(HousekeepingJob, { strict: false }).tick(slot)).toBe(true);
      const actions = (
        await db().query<Array<{ action: string }>>('SELECT action FROM audit_logs WHERE action = ANY($1)', [
          [kept, old],
        ])
      ).map((row) => row.action);
      expect(actions).toEqual([kept]);
    });
  });

  describe('system jobs with configuration (AUDIT_RETENTION_DAYS=1, STATS_SNAPSHOT_INTERVAL_SECONDS=300)', () => {
    let configured: TestApp;
    let base: Date;

    beforeAll(async () => {
      configured = await startTestApp({ env: { AUDIT_RETENTION_DAYS: '1', STATS_SNAPSHOT_INTERVAL_SECONDS: '300' } });
      base = slotStart(new Date(Date.now() + 3 * 365 * DAY_MS), 600);
    });
    afterAll(async () => {
      await configured?.close();
    });

    const query = <T>(sql: string, params: unknown[] = []): Promise<T> =>
      configured.app.get(DataSource).query<T>(sql, params);

    it('housekeeping deletes expired bans, old login attempts and audit entries older than 1 day, and keeps recent ones', async () => {
      await query(
        `INSERT INTO banned_ips (ip, reason, banned_until) VALUES
           ('192.0.2.10', 'test: expired', now() - interval '1 hour'),
           ('192.0.2.11', 'test: active', now() + interval '1 day')`,
      );
      await query(
        `INSERT INTO login_attempts (ip, username, attempted_at) VALUES
           ('192.0.2.20', 'old-attempt', now() - interval '2 hours'),
           ('192.0.2.21', 'recent-attempt', now() - interval '30 seconds')`,
      );
      await query(
        `INSERT INTO audit_logs (at, actor_type, action, outcome) VALUES
           (now() - interval '2 days', 'system', 'test.two_days_old', 'success'),
           (now() - interval '12 hours', 'system', 'test.twelve_hours_old', 'success')`,
      );

      expect(await configured.app.get(HousekeepingJob, { strict: false }).tick(base)).toBe(true);

      const bans = await query<Array<{ ip: string }>>(
        "SELECT ip FROM banned_ips WHERE ip LIKE '192.0.2.%' ORDER BY ip",
      );
      expect(bans.map((row) => row.ip)).toEqual(['192.0.2.11']);
      const attempts = await query<Array<{ username: string }>>(
        "SELECT username FROM login_attempts WHERE ip LIKE '192.0.2.%' ORDER BY username",
      );
      expect(attempts.map((row) => row.username)).toEqual(['recent-attempt']);
      const audit = await query<Array<{ action: string }>>(
        "SELECT action FROM audit_logs WHERE action LIKE 'test.%' ORDER BY action",
      );
      expect(audit.map((row) => row.action)).toEqual(['test.twelve_hours_old']);
      const claim = await query<Array<{ outcome: string }>>(
        'SELECT outcome FROM system_job_runs WHERE job = $1 AND fire_at = $2',
        [HOUSEKEEPING, base],
      );
      expect(claim).toEqual([{ outcome: 'succeeded' }]);
    });

    it('the stats snapshot slot is STATS_SNAPSHOT_INTERVAL_SECONDS (300 s): 60 s later is the same slot, 300 s later the next', async () => {
      const job = configured.app.get(StatsSnapshotJob, { strict: false });
      const count = async (): Promise<number> =>
        Number((await query<Array<{ count: string }>>('SELECT count(*) AS count FROM stats_snapshots'))[0].count);
      const before = await count();
      expect(await job.tick(base)).toBe(true);
      expect(await job.tick(new Date(base.getTime() + 60_000))).toBe(false);
      expect(await job.tick(new Date(base.getTime() + 299_999))).toBe(false);
      expect(await job.tick(new Date(base.getTime() + 300_000))).toBe(true);
      expect((await count()) - before).toBe(2);
    });
  });

  describe('the real timer (SCHEDULER_ENABLED)', () => {
    let enabled: TestApp;

    beforeAll(async () => {
      enabled = await startTestApp({ env: { SCHEDULER_ENABLED: 'true' } });
    });
    afterAll(async () => {
      await enabled?.close();
    });

    it('with SCHEDULER_ENABLED=true a due 10 s schedule creates its task within ~12 s; with false (three instances) nothing runs by itself', async () => {
      const create = async (server: Server, label: string): Promise<{ schedule: ScheduleDto; title: string }> => {
        const title = unique(label);
        const response = await call(server, 'post', SCHEDULES, admin(), {
          name: unique(label),
          intervalSeconds: 10,
          task: { title },
        });
        expect(response.status).toBe(201);
        return { schedule: dataOf<ScheduleDto>(response), title };
      };
      const on = await create(enabled.server, 'timer-on');
      const off = await create(hub.server, 'timer-off');
      const onDb = enabled.app.get(DataSource);
      const overdue = fromNow(-60_000);
      await onDb.query('UPDATE scheduled_tasks SET next_run_at = $2 WHERE id = $1', [on.schedule.id, overdue]);
      await makeOnlyDue(off.schedule.id, overdue);
      const started = Date.now();

      // Done when the run is recorded, which happens just after its task is inserted.
      const recorded = await pollFor(async () => {
        const rows = await onDb.query<Array<{ id: string }>>(
          'SELECT id FROM scheduled_task_runs WHERE scheduled_task_id = $1 AND outcome IS NOT NULL',
          [on.schedule.id],
        );
        return rows[0]?.id;
      }, TIMER_WAIT_MS);
      expect(recorded).toEqual(expect.any(String));
      const [task] = await onDb.query<Array<{ id: string }>>('SELECT id FROM tasks WHERE title = $1', [on.title]);
      const taskId = task?.id;
      expect(taskId).toEqual(expect.any(String));
      const runs = await onDb.query<RunRow[]>(
        'SELECT id, scheduled_at, task_id, outcome, error FROM scheduled_task_runs WHERE scheduled_task_id = $1 ORDER BY scheduled_at',
        [on.schedule.id],
      );
      expect(runs[0]).toMatchObject({ task_id: taskId, outcome: 'succeeded' });
      expect(runs[0].scheduled_at.toISOString()).toBe(overdue.toISOString());

      // The same wait on the hub whose instances all have SCHEDULER_ENABLED=false (the test default).
      await sleep(Math.max(0, started + TIMER_WAIT_MS - Date.now()));
      expect(await taskIdsTitled(off.title)).toEqual([]);
      expect(await runRows(off.schedule.id)).toEqual([]);
      expect((await readSchedule(off.schedule.id)).nextRunAt).toBe(overdue.toISOString());
    });
  });
});
