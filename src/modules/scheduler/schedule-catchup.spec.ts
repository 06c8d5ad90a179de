import { describe, expect, it } from '@jest/globals';
import { CATCH_UP_BATCH, ON_TIME_SECONDS, planCatchUp } from './schedule-catchup.js';
import type { Trigger } from './schedule-timing.js';

const cron = (expression: string, timezone = 'UTC'): Trigger => ({ cron: expression, timezone, intervalSeconds: null });
const interval = (seconds: number): Trigger => ({ cron: null, timezone: 'UTC', intervalSeconds: seconds });
const at = (iso: string): Date => new Date(iso);
const iso = (dates: Date[]): string[] => dates.map((date) => date.toISOString());
const HOUR = 3600;

describe(planCatchUp.name, () => {
  it('runs the occurrences within the window, records the older ones as missed, and continues after now', () => {
    const plan = planCatchUp(cron('0 * * * *'), at('2030-01-01T00:00:00Z'), at('2030-01-01T05:30:00Z'), 2 * HOUR);
    expect(iso(plan.missed)).toEqual([
      '2030-01-01T00:00:00.000Z',
      '2030-01-01T01:00:00.000Z',
      '2030-01-01T02:00:00.000Z',
      '2030-01-01T03:00:00.000Z',
    ]);
    expect(iso(plan.run)).toEqual(['2030-01-01T04:00:00.000Z', '2030-01-01T05:00:00.000Z']);
    expect(plan.next.toISOString()).toBe('2030-01-01T06:00:00.000Z');
    expect(plan.caughtUp).toBe(true);
  });

  it('counts an occurrence exactly at the start of the window as within it', () => {
    const plan = planCatchUp(cron('0 * * * *'), at('2030-01-01T00:00:00Z'), at('2030-01-01T03:00:00Z'), 2 * HOUR);
    expect(iso(plan.run)).toEqual(['2030-01-01T01:00:00.000Z', '2030-01-01T02:00:00.000Z', '2030-01-01T03:00:00.000Z']);
    expect(iso(plan.missed)).toEqual(['2030-01-01T00:00:00.000Z']);
  });

  it(`with a window of 0 runs only what is at most ${ON_TIME_SECONDS} s late (the scheduler's own rhythm)`, () => {
    const every5s = cron('*/5 * * * * *');
    const plan = planCatchUp(every5s, at('2030-01-01T00:00:00Z'), at('2030-01-01T00:00:30Z'), 0);
    expect(iso(plan.missed)).toEqual([
      '2030-01-01T00:00:00.000Z',
      '2030-01-01T00:00:05.000Z',
      '2030-01-01T00:00:10.000Z',
    ]);
    expect(iso(plan.run)).toEqual([
      '2030-01-01T00:00:15.000Z',
      '2030-01-01T00:00:20.000Z',
      '2030-01-01T00:00:25.000Z',
      '2030-01-01T00:00:30.000Z',
    ]);
  });

  it("keeps an interval schedule's rhythm: the next run follows the last occurrence, not now", () => {
    const plan = planCatchUp(interval(600), at('2030-01-01T00:00:00Z'), at('2030-01-01T01:05:00Z'), HOUR);
    expect(iso(plan.run)).toEqual([
      '2030-01-01T00:10:00.000Z',
      '2030-01-01T00:20:00.000Z',
      '2030-01-01T00:30:00.000Z',
      '2030-01-01T00:40:00.000Z',
      '2030-01-01T00:50:00.000Z',
      '2030-01-01T01:00:00.000Z',
    ]);
    expect(iso(plan.missed)).toEqual(['2030-01-01T00:00:00.000Z']);
    expect(plan.next.toISOString()).toBe('2030-01-01T01:10:00.000Z');
  });

  it('handles at most a batch per step: a longer outage continues at the first occurrence not handled', () => {
    const plan = planCatchUp(cron('* * * * *'), at('2030-01-01T00:00:00Z'), at('2030-01-03T00:00:00Z'), 60);
    expect(plan.missed).toHaveLength(CATCH_UP_BATCH);
    expect(plan.run).toEqual([]);
    expect(plan.caughtUp).toBe(false);
    expect(plan.next.getTime()).toBe(at('2030-01-01T00:00:00Z').getTime() + CATCH_UP_BATCH * 60_000);
  });

  it('across the skipped hour of a daylight-saving change (Europe/Berlin, 2026-03-29) each day runs once', () => {
    const plan = planCatchUp(
      cron('30 2 * * *', 'Europe/Berlin'),
      at('2026-03-28T01:30:00Z'),
      at('2026-03-30T12:00:00Z'),
      7 * 24 * HOUR,
    );
    expect(iso(plan.run)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(plan.missed).toEqual([]);
  });

  it('across the repeated hour (Europe/Berlin, 2026-10-25) the 02:30 that occurs twice runs once', () => {
    const plan = planCatchUp(
      cron('30 2 * * *', 'Europe/Berlin'),
      at('2026-10-24T00:30:00Z'),
      at('2026-10-26T12:00:00Z'),
      7 * 24 * HOUR,
    );
    expect(iso(plan.run)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });
});
