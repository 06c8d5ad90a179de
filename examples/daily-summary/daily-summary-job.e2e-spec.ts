import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { CallbackReceiver } from '../../test/utils/callback-receiver.js';
import { auditEntries, type HubPair, startHubPair } from '../../test/utils/sessions-helpers.js';
import { startTestApp, type TestApp } from '../../test/utils/test-app.js';
import { TEST_AGENT_TOKEN } from '../../test/utils/test-config.js';
import { DAILY_SUMMARY_JOB, DailySummaryJob } from './daily-summary.job.js';
import { DailySummaryModule } from './daily-summary.module.js';
import { DAILY_SUMMARY_SCHEMA } from './daily-summary.schema.js';

/** The daily send: claimed per (job, day) in PostgreSQL, so several instances send each day's summary once. */

const MORNING = new Date('2026-03-11T06:00:00.000Z');

describe('Daily summary job on two instances', () => {
  let receiver: CallbackReceiver;
  let pair: HubPair;
  const jobA = (): DailySummaryJob => pair.a.app.get(DailySummaryJob, { strict: false });
  const jobB = (): DailySummaryJob => pair.b.app.get(DailySummaryJob, { strict: false });

  beforeAll(async () => {
    receiver = await CallbackReceiver.start();
    pair = await startHubPair(
      { CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true' },
      [DailySummaryModule.forRoot({ url: receiver.url })],
      [DAILY_SUMMARY_SCHEMA],
    );
  });

  afterAll(async () => {
    await pair?.close();
    await receiver?.close();
  });

  it("sends the previous day's summary exactly once per day, however many instances fire", async () => {
    const firstRound = await Promise.all([jobA().tick(MORNING), jobB().tick(MORNING)]);
    expect(firstRound.filter(Boolean)).toHaveLength(1);
    // A later firing the same day (a restart, a second cron match) finds the day claimed.
    const later = new Date(MORNING.getTime() + 3 * 3600_000);
    expect(await Promise.all([jobA().tick(later), jobB().tick(later)])).toEqual([false, false]);

    expect(receiver.requests).toHaveLength(1);
    const body = JSON.parse(receiver.requests[0].raw.toString('utf8')) as { summary: { date: string } };
    expect(body.summary.date).toBe('2026-03-10');
    // Without a secret the POST is not signed.
    expect(receiver.requests[0].headers['x-ananta-signature']).toBeUndefined();

    const entries = await auditEntries(pair.a.server, TEST_AGENT_TOKEN, 'daily_summary.sent', '2026-03-10');
    expect(entries.map((entry) => [entry.actorType, entry.actorId, entry.details.trigger])).toEqual([
      ['system', DAILY_SUMMARY_JOB, 'schedule'],
    ]);
    const claims = await pair.a.app
      .get(DataSource)
      .query<Array<{ fire_at: Date; outcome: string }>>('SELECT fire_at, outcome FROM system_job_runs WHERE job = $1', [
        DAILY_SUMMARY_JOB,
      ]);
    expect(claims).toEqual([{ fire_at: new Date('2026-03-10T00:00:00.000Z'), outcome: 'succeeded' }]);
  });

  it('sends again on the next day', async () => {
    const nextMorning = new Date(MORNING.getTime() + 86_400_000);
    const round = await Promise.all([jobA().tick(nextMorning), jobB().tick(nextMorning)]);
    expect(round.filter(Boolean)).toHaveLength(1);
    const dates = receiver.requests.map(
      (request) => (JSON.parse(request.raw.toString('utf8')) as { summary: { date: string } }).summary.date,
    );
    expect(dates).toEqual(['2026-03-10', '2026-03-11']);
  });
});

describe('Daily summary timer', () => {
  let hub: TestApp;

  afterAll(() => hub?.close());

  it('is registered on the configured cron (UTC) where SCHEDULER_ENABLED=true', async () => {
    hub = await startTestApp({
      env: { SCHEDULER_ENABLED: 'true' },
      imports: [DailySummaryModule.forRoot({ url: 'https://hooks.example.com/daily', cron: '15 7 * * *' })],
      schemas: [DAILY_SUMMARY_SCHEMA],
    });
    const timer = hub.app.get(SchedulerRegistry).getCronJob(DAILY_SUMMARY_JOB);
    expect(timer.isActive).toBe(true);
    const next = timer.nextDate().toJSDate();
    expect([next.getUTCHours(), next.getUTCMinutes(), next.getUTCSeconds()]).toEqual([7, 15, 0]);
  });
});
