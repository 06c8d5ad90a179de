import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app/create-app.js';
import { ScheduleRunnerService } from '../../src/modules/scheduler/schedule-runner.service.js';
import { HubMetricsService } from '../../src/modules/system/metrics/hub-metrics.service.js';
import { call, dataOf, fieldsOf, refusal } from '../utils/api.js';
import type { ScheduleDto } from '../utils/scheduler-helpers.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN, testConfig } from '../utils/test-config.js';
import { bearer } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

const HOUR_MS = 3_600_000;
const admin = bearer(TEST_AGENT_TOKEN);

/** One occurrence as the runs table holds it, in the order of its time. */
interface Occurrence {
  at: string;
  outcome: string | null;
  made: boolean;
}

/**
 * The catch-up window and daylight-saving changes (issue 12, item 5), driven through the scheduler of three
 * hub instances on one database, each pass at an explicit "now".
 */
describe('Schedule catch-up after downtime, and daylight-saving changes, on three instances', () => {
  let hub: TestApp;
  const peers: NestFastifyApplication[] = [];

  beforeAll(async () => {
    hub = await startTestApp();
    for (let index = 0; index < 2; index += 1) {
      peers.push(
        await createApp(testConfig({ DATABASE_URL: hub.database.url }), { logger: pino({ level: 'silent' }) }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(peers.map((peer) => peer.close()));
    await hub?.close();
  });

  const instances = (): NestFastifyApplication[] => [hub.app, ...peers];
  const db = (): DataSource => hub.app.get(DataSource);

  async function createSchedule(body: object): Promise<ScheduleDto> {
    const response = await call(hub.server, 'post', '/api/scheduled-tasks', admin, {
      name: unique('catch-up'),
      task: { title: unique('caught') },
      ...body,
    });
    expect(response.status).toBe(201);
    return dataOf<ScheduleDto>(response);
  }

  /** Every instance's scheduler pass at `now`, all at once; how many occurrences they ran together. */
  async function passEverywhere(now: Date): Promise<number> {
    const ran = await Promise.all(
      instances().map((app) => app.get(ScheduleRunnerService, { strict: false }).runDue(now)),
    );
    return ran.reduce((sum, count) => sum + count, 0);
  }

  /** Parks every other schedule years ahead and makes this one due at `at`, as if every instance was down. */
  async function dueSince(id: string, at: Date): Promise<void> {
    await db().query(
      `UPDATE scheduled_tasks
          SET next_run_at = CASE WHEN id = $1 THEN $2::timestamptz ELSE now() + interval '10 years' END
        WHERE id = $1 OR next_run_at IS NOT NULL`,
      [id, at],
    );
  }

  async function occurrencesOf(id: string): Promise<Occurrence[]> {
    const rows = await db().query<Array<{ scheduled_at: Date; outcome: string | null; task_id: string | null }>>(
      'SELECT scheduled_at, outcome, task_id FROM scheduled_task_runs WHERE scheduled_task_id = $1 ORDER BY scheduled_at',
      [id],
    );
    return rows.map((row) => ({
      at: row.scheduled_at.toISOString(),
      outcome: row.outcome,
      made: row.task_id !== null,
    }));
  }

  const tasksTitled = async (title: string): Promise<number> =>
    (await db().query<unknown[]>('SELECT id FROM tasks WHERE title = $1', [title])).length;

  const nextRunOf = async (id: string): Promise<string | null> => {
    const response = await call(hub.server, 'get', `/api/scheduled-tasks/${id}`, admin);
    return dataOf<ScheduleDto>(response).nextRunAt;
  };

  /** `ananta_schedule_occurrences_total` for an outcome, summed over the instances' own counters. */
  async function occurrencesCounted(outcome: string): Promise<number> {
    let sum = 0;
    for (const app of instances()) {
      const counter = app
        .get(HubMetricsService, { strict: false })
        .registry.getSingleMetric('ananta_schedule_occurrences_total');
      const { values } = await counter!.get();
      sum += values
        .filter((value) => value.labels.outcome === outcome)
        .reduce((total, value) => total + value.value, 0);
    }
    return sum;
  }

  const hoursAfter = (start: Date, hours: number): string => new Date(start.getTime() + hours * HOUR_MS).toISOString();

  describe('catchupWindowSeconds', () => {
    it('runs each occurrence missed within the window once and records each older one as missed, with a metric', async () => {
      const schedule = await createSchedule({ cron: '0 * * * *', catchupWindowSeconds: 3 * 3600 });
      expect(schedule.catchupWindowSeconds).toBe(3 * 3600);
      // Down from 10:00 until 20:30: the occurrences 10:00 … 20:00 were missed.
      const downSince = new Date('2030-05-01T10:00:00Z');
      const now = new Date('2030-05-01T20:30:00Z');
      await dueSince(schedule.id, downSince);
      const missedBefore = await occurrencesCounted('missed');
      const succeededBefore = await occurrencesCounted('succeeded');

      expect(await passEverywhere(now)).toBe(3);
      // Later passes (the timer every 5 s, on every instance) find nothing more to do.
      expect(await passEverywhere(new Date(now.getTime() + 5_000))).toBe(0);

      const expected: Occurrence[] = [];
      for (let hour = 0; hour <= 10; hour += 1) {
        const inWindow = hour >= 8; // 18:00, 19:00 and 20:00 are less than 3 hours before 20:30
        expected.push({ at: hoursAfter(downSince, hour), outcome: inWindow ? 'succeeded' : 'missed', made: inWindow });
      }
      expect(await occurrencesOf(schedule.id)).toEqual(expected);
      expect(await tasksTitled(schedule.task.title)).toBe(3);
      expect(await nextRunOf(schedule.id)).toBe('2030-05-01T21:00:00.000Z');
      expect((await occurrencesCounted('missed')) - missedBefore).toBe(8);
      expect((await occurrencesCounted('succeeded')) - succeededBefore).toBe(3);
      const runs = await call(hub.server, 'get', `/api/scheduled-tasks/${schedule.id}/runs?limit=100`, admin);
      expect(dataOf<{ items: Array<{ outcome: string; error: string | null }> }>(runs).items).toContainEqual(
        expect.objectContaining({ outcome: 'missed', error: expect.stringContaining('catch-up window') }),
      );
    });

    it('keeps an interval schedule on its beat and applies the overlap policy to the occurrences it catches up', async () => {
      const schedule = await createSchedule({
        intervalSeconds: 600,
        catchupWindowSeconds: 3600,
        overlapPolicy: 'skip',
      });
      const downSince = new Date('2030-06-01T08:00:00Z');
      await dueSince(schedule.id, downSince);

      // 08:00 … 09:00 are older than the window; 09:10 … 10:00 are within it, skipped while 09:10's task is unfinished.
      expect(await passEverywhere(new Date('2030-06-01T10:05:00Z'))).toBe(1);
      const outcomes = (await occurrencesOf(schedule.id)).map((occurrence) => occurrence.outcome);
      expect(outcomes).toEqual([...Array<string>(7).fill('missed'), 'succeeded', ...Array<string>(5).fill('skipped')]);
      expect(await nextRunOf(schedule.id)).toBe('2030-06-01T10:10:00.000Z');
    });

    it('with a window of 0 runs nothing missed during downtime (every occurrence recorded as missed)', async () => {
      const schedule = await createSchedule({ cron: '0 * * * *', catchupWindowSeconds: 0 });
      await dueSince(schedule.id, new Date('2030-07-01T00:00:00Z'));

      expect(await passEverywhere(new Date('2030-07-01T04:30:00Z'))).toBe(0);
      const occurrences = await occurrencesOf(schedule.id);
      expect(occurrences.map((occurrence) => occurrence.outcome)).toEqual(Array<string>(5).fill('missed'));
      expect(await tasksTitled(schedule.task.title)).toBe(0);
      expect(await nextRunOf(schedule.id)).toBe('2030-07-01T05:00:00.000Z');
    });

    it('works through a long outage in bounded steps, every occurrence once, however many passes it takes', async () => {
      const schedule = await createSchedule({ cron: '* * * * *', catchupWindowSeconds: 120 });
      const downSince = new Date('2030-08-01T00:00:00Z');
      const now = new Date('2030-08-01T12:00:30Z'); // 721 occurrences, the last three within the window
      await dueSince(schedule.id, downSince);

      let passes = 0;
      while ((await nextRunOf(schedule.id))! <= now.toISOString() && passes < 10) {
        await passEverywhere(now);
        passes += 1;
      }
      const occurrences = await occurrencesOf(schedule.id);
      expect(occurrences).toHaveLength(721);
      expect(new Set(occurrences.map((occurrence) => occurrence.at)).size).toBe(721);
      expect(occurrences.filter((occurrence) => occurrence.made).map((occurrence) => occurrence.at)).toEqual([
        '2030-08-01T11:59:00.000Z',
        '2030-08-01T12:00:00.000Z',
      ]);
      expect(await tasksTitled(schedule.task.title)).toBe(2);
    });

    it('null (the default) keeps the rule of running once after downtime, with nothing recorded as missed', async () => {
      const schedule = await createSchedule({ cron: '0 * * * *' });
      expect(schedule.catchupWindowSeconds).toBeNull();
      await dueSince(schedule.id, new Date('2030-09-01T00:00:00Z'));

      expect(await passEverywhere(new Date('2030-09-01T05:30:00Z'))).toBe(1);
      expect(await occurrencesOf(schedule.id)).toEqual([
        { at: '2030-09-01T00:00:00.000Z', outcome: 'succeeded', made: true },
      ]);
    });

    it('is set and removed by PATCH, and a value outside 0 … 31536000 or not a whole number is 400 naming it', async () => {
      const schedule = await createSchedule({ intervalSeconds: 600, enabled: false });
      const patch = (catchupWindowSeconds: unknown) =>
        call(hub.server, 'patch', `/api/scheduled-tasks/${schedule.id}`, admin, { catchupWindowSeconds });
      for (const value of [-1, 31_536_001, 1.5, '60', true]) {
        const response = await patch(value);
        expect({ value, ...refusal(response) }).toEqual({ value, status: 400, code: 'validation_failed' });
        expect(fieldsOf(response)).toContain('catchupWindowSeconds');
      }
      expect(dataOf<ScheduleDto>(await patch(31_536_000)).catchupWindowSeconds).toBe(31_536_000);
      expect(dataOf<ScheduleDto>(await patch(null)).catchupWindowSeconds).toBeNull();
      const created = await call(hub.server, 'post', '/api/scheduled-tasks', admin, {
        name: unique('bad-window'),
        intervalSeconds: 600,
        catchupWindowSeconds: -5,
        task: { title: 'never' },
      });
      expect(refusal(created)).toEqual({ status: 400, code: 'validation_failed' });
    });
  });

  describe('daylight-saving changes (30 2 * * * in Europe/Berlin)', () => {
    const twoThirty = { cron: '30 2 * * *', timezone: 'Europe/Berlin' };

    it('2026-03-29, 02:00–03:00 skipped: the occurrence runs once at 03:00 CEST, and passes through the night add nothing', async () => {
      const schedule = await createSchedule(twoThirty);
      await dueSince(schedule.id, new Date('2026-03-29T01:00:00Z'));
      let ran = 0;
      for (const now of [
        '2026-03-29T01:00:02Z',
        '2026-03-29T01:00:07Z',
        '2026-03-29T01:30:00Z',
        '2026-03-29T12:00:00Z',
      ]) {
        ran += await passEverywhere(new Date(now));
      }
      expect(ran).toBe(1);
      expect(await occurrencesOf(schedule.id)).toEqual([
        { at: '2026-03-29T01:00:00.000Z', outcome: 'succeeded', made: true },
      ]);
      expect(await nextRunOf(schedule.id)).toBe('2026-03-30T00:30:00.000Z');
    });

    it('2026-10-25, 02:00–03:00 repeated: 02:30 runs once (CEST), not again at 02:30 CET', async () => {
      const schedule = await createSchedule(twoThirty);
      await dueSince(schedule.id, new Date('2026-10-25T00:30:00Z'));
      let ran = 0;
      for (const now of ['2026-10-25T00:30:03Z', '2026-10-25T01:30:03Z', '2026-10-25T01:35:00Z']) {
        ran += await passEverywhere(new Date(now));
      }
      expect(ran).toBe(1);
      expect((await occurrencesOf(schedule.id)).map((occurrence) => occurrence.at)).toEqual([
        '2026-10-25T00:30:00.000Z',
      ]);
      expect(await nextRunOf(schedule.id)).toBe('2026-10-26T01:30:00.000Z');
    });

    it('a catch-up across both nights runs each day once, the skipped one at 03:00 CEST', async () => {
      const schedule = await createSchedule({ ...twoThirty, catchupWindowSeconds: 7 * 24 * 3600 });
      await dueSince(schedule.id, new Date('2026-03-28T01:30:00Z'));
      expect(await passEverywhere(new Date('2026-03-30T12:00:00Z'))).toBe(3);
      expect((await occurrencesOf(schedule.id)).map((occurrence) => occurrence.at)).toEqual([
        '2026-03-28T01:30:00.000Z',
        '2026-03-29T01:00:00.000Z',
        '2026-03-30T00:30:00.000Z',
      ]);
      expect(await nextRunOf(schedule.id)).toBe('2026-03-31T00:30:00.000Z');
    });
  });
});
