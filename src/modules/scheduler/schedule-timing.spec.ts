import { describe, expect, it } from '@jest/globals';
import {
  firesAfter,
  isValidCron,
  isValidTimezone,
  nextOccurrence,
  occurrencesBetween,
  type Trigger,
} from './schedule-timing.js';

const cron = (expression: string, timezone = 'UTC'): Trigger => ({ cron: expression, timezone, intervalSeconds: null });
const interval = (seconds: number, timezone = 'UTC'): Trigger => ({ cron: null, timezone, intervalSeconds: seconds });
const at = (iso: string): Date => new Date(iso);
const next = (trigger: Trigger, after: string): string => nextOccurrence(trigger, at(after)).toISOString();

/** A date's wall-clock time in a zone as `YYYY-MM-DD HH:mm:ss`, read through Intl (independent of the code). */
function wallClock(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

describe('schedule timing (SPEC section 8)', () => {
  describe(isValidCron.name, () => {
    it.each(['*/5 * * * *', '0 9 * * 1-5', '0 2 * * *', '*/10 * * * * *', '15 30 9 * * *', '  0 9 * * *  '])(
      'accepts the 5- or 6-field expression %j',
      (expression) => {
        expect(isValidCron(expression)).toBe(true);
      },
    );

    it.each([
      ['4 fields', '* * * *'],
      ['7 fields', '0 0 0 * * * *'],
      ['7 fields (a year)', '0 0 9 * * * 2026'],
      ['minute 61', '61 * * * *'],
      ['second 60 (6 fields)', '60 * * * * *'],
      ['day of month 32', '0 0 32 * *'],
      ['month 13', '0 0 * 13 *'],
      ['day of week 8', '0 0 * * 8'],
      ['a word', 'hello'],
      ['five words', 'a b c d e'],
      ['empty', ''],
      ['blank', '   '],
    ])('rejects %s: %j', (_label, expression) => {
      expect(isValidCron(expression)).toBe(false);
    });
  });

  describe(isValidTimezone.name, () => {
    it.each(['Europe/Berlin', 'UTC', 'America/New_York', 'Asia/Kolkata'])('accepts the IANA zone %j', (zone) => {
      expect(isValidTimezone(zone)).toBe(true);
    });

    it.each(['Mars/Base', 'CET+99', 'Europe/Atlantis', '', '+99:00'])('rejects %j', (zone) => {
      expect(isValidTimezone(zone)).toBe(false);
    });
  });

  describe(nextOccurrence.name, () => {
    describe('interval', () => {
      it('adds exactly intervalSeconds to the start, whatever the time zone', () => {
        expect(next(interval(600), '2026-03-28T12:00:00.123Z')).toBe('2026-03-28T12:10:00.123Z');
        expect(next(interval(10, 'Europe/Berlin'), '2026-03-29T00:59:55Z')).toBe('2026-03-29T01:00:05.000Z');
        expect(next(interval(31_536_000), '2026-01-01T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
      });
    });

    describe('cron in UTC (the default zone)', () => {
      it('gives the next matching minute', () => {
        expect(next(cron('*/5 * * * *'), '2026-01-01T12:03:10Z')).toBe('2026-01-01T12:05:00.000Z');
      });

      it('skips to the next weekday for 0 9 * * 1-5 from a Friday afternoon', () => {
        expect(next(cron('0 9 * * 1-5'), '2026-03-27T12:00:00Z')).toBe('2026-03-30T09:00:00.000Z');
      });

      it('honours the seconds field of a 6-field expression', () => {
        expect(next(cron('*/10 * * * * *'), '2026-01-01T00:00:03.500Z')).toBe('2026-01-01T00:00:10.000Z');
        expect(next(cron('15 30 9 * * *', 'Europe/Berlin'), '2026-06-01T00:00:00Z')).toBe('2026-06-01T07:30:15.000Z');
      });

      it('is strictly after the start, also when the start is itself an occurrence', () => {
        expect(next(cron('*/10 * * * * *'), '2026-01-01T00:00:10.000Z')).toBe('2026-01-01T00:00:20.000Z');
        expect(next(cron('0 9 * * *', 'Europe/Berlin'), '2026-03-29T07:00:00.000Z')).toBe('2026-03-30T07:00:00.000Z');
        expect(next(cron('*/5 * * * *'), '2026-01-01T12:05:00.000Z')).toBe('2026-01-01T12:10:00.000Z');
        const start = at('2026-07-01T10:00:00Z');
        expect(nextOccurrence(interval(10), start).getTime()).toBeGreaterThan(start.getTime());
      });
    });

    describe('cron in Europe/Berlin across daylight-saving changes (9:00 local stays 9:00 local)', () => {
      const nineBerlin = cron('0 9 * * *', 'Europe/Berlin');

      it('from 2026-03-27T12:00Z (CET, +01:00) gives 2026-03-28T08:00:00Z', () => {
        expect(next(nineBerlin, '2026-03-27T12:00:00Z')).toBe('2026-03-28T08:00:00.000Z');
      });

      it('from 2026-03-28T12:00Z gives 2026-03-29T07:00:00Z (CEST, +02:00, starts that night)', () => {
        expect(next(nineBerlin, '2026-03-28T12:00:00Z')).toBe('2026-03-29T07:00:00.000Z');
      });

      it('across the October change (2026-10-25) 9:00 local moves from 07:00Z to 08:00Z', () => {
        expect(next(nineBerlin, '2026-10-23T12:00:00Z')).toBe('2026-10-24T07:00:00.000Z');
        expect(next(nineBerlin, '2026-10-24T12:00:00Z')).toBe('2026-10-25T08:00:00.000Z');
        expect(next(nineBerlin, '2026-10-25T12:00:00Z')).toBe('2026-10-26T08:00:00.000Z');
      });

      it('walking occurrence by occurrence over the March change gives one run a day, each at 09:00:00 local', () => {
        let cursor = at('2026-03-25T00:00:00Z');
        const seen: string[] = [];
        for (let day = 0; day < 8; day += 1) {
          const occurrence = nextOccurrence(nineBerlin, cursor);
          expect(occurrence.getTime()).toBeGreaterThan(cursor.getTime());
          seen.push(wallClock(occurrence, 'Europe/Berlin'));
          cursor = occurrence;
        }
        expect(seen).toEqual([
          '2026-03-25 09:00:00',
          '2026-03-26 09:00:00',
          '2026-03-27 09:00:00',
          '2026-03-28 09:00:00',
          '2026-03-29 09:00:00',
          '2026-03-30 09:00:00',
          '2026-03-31 09:00:00',
          '2026-04-01 09:00:00',
        ]);
      });
    });

    describe('cron in America/New_York across 2026-03-08 (EST -05:00 → EDT -04:00)', () => {
      const nineNewYork = cron('0 9 * * *', 'America/New_York');

      it('gives 14:00Z before the change and 13:00Z on the day of the change', () => {
        expect(next(nineNewYork, '2026-03-06T18:00:00Z')).toBe('2026-03-07T14:00:00.000Z');
        expect(next(nineNewYork, '2026-03-07T18:00:00Z')).toBe('2026-03-08T13:00:00.000Z');
        expect(next(nineNewYork, '2026-03-08T18:00:00Z')).toBe('2026-03-09T13:00:00.000Z');
      });
    });

    describe('local times that do not exist or occur twice (30 2 * * *)', () => {
      const twoThirty = cron('30 2 * * *', 'Europe/Berlin');

      it('Europe/Berlin on 2026-03-29 (02:00–03:00 skipped): the library runs it once that day at 03:00 CEST (2026-03-29T01:00:00Z), the first valid instant after the gap, then 02:30 CEST the next day', () => {
        const start = at('2026-03-28T12:00:00Z');
        const occurrence = nextOccurrence(twoThirty, start);
        // A single, later, valid instant, on the day of the change (not skipped to the next day).
        expect(occurrence.getTime()).toBeGreaterThan(start.getTime());
        expect(occurrence.toISOString()).toBe('2026-03-29T01:00:00.000Z');
        expect(wallClock(occurrence, 'Europe/Berlin')).toBe('2026-03-29 03:00:00');
        // From anywhere inside the night it resolves to the same instant: one run, not one per attempt.
        expect(next(twoThirty, '2026-03-29T00:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
        expect(next(twoThirty, '2026-03-29T00:59:59Z')).toBe('2026-03-29T01:00:00.000Z');
        // Afterwards the regular 02:30 local again.
        const following = nextOccurrence(twoThirty, occurrence);
        expect(following.toISOString()).toBe('2026-03-30T00:30:00.000Z');
        expect(wallClock(following, 'Europe/Berlin')).toBe('2026-03-30 02:30:00');
      });

      it('Europe/Berlin on 2026-10-25 (02:00–03:00 repeated): 02:30 runs once, at the first (CEST) instance 00:30Z', () => {
        const first = nextOccurrence(twoThirty, at('2026-10-24T12:00:00Z'));
        expect(first.toISOString()).toBe('2026-10-25T00:30:00.000Z');
        // The repeated 02:30 CET (01:30Z) is not a second occurrence that day.
        expect(nextOccurrence(twoThirty, first).toISOString()).toBe('2026-10-26T01:30:00.000Z');
      });

      it('America/New_York on 2026-03-08 (02:00–03:00 skipped) behaves the same way: once, at 03:00 EDT (07:00Z)', () => {
        expect(next(cron('30 2 * * *', 'America/New_York'), '2026-03-07T12:00:00Z')).toBe('2026-03-08T07:00:00.000Z');
      });
    });
  });

  describe(firesAfter.name, () => {
    it.each(['0 0 29 2 *', '0 0 30 2 1', '*/5 * * * *'])('is true for %j, however rare its dates', (expression) => {
      expect(firesAfter(cron(expression), at('2026-03-01T00:00:00Z'))).toBe(true);
    });

    it.each(['0 0 30 2 *', '0 0 31 4 *', '0 0 31 2,4,6 *'])(
      'is false for %j, which names no existing date',
      (expression) => {
        expect(isValidCron(expression)).toBe(true);
        expect(firesAfter(cron(expression), at('2026-03-01T00:00:00Z'))).toBe(false);
      },
    );

    it('is true for an interval', () => {
      expect(firesAfter(interval(60), at('2026-03-01T00:00:00Z'))).toBe(true);
    });
  });
});

describe(occurrencesBetween.name, () => {
  const iso = (dates: Date[]): string[] => dates.map((date) => date.toISOString());

  it("lists a cron expression's instants in the range, both ends included", () => {
    expect(
      iso(occurrencesBetween(cron('0 * * * *'), at('2030-01-01T00:00:00Z'), at('2030-01-01T03:00:00Z'), 10)),
    ).toEqual([
      '2030-01-01T00:00:00.000Z',
      '2030-01-01T01:00:00.000Z',
      '2030-01-01T02:00:00.000Z',
      '2030-01-01T03:00:00.000Z',
    ]);
  });

  it('counts an interval from the start of the range', () => {
    expect(iso(occurrencesBetween(interval(1800), at('2030-01-01T00:10:00Z'), at('2030-01-01T01:20:00Z'), 10))).toEqual(
      ['2030-01-01T00:10:00.000Z', '2030-01-01T00:40:00.000Z', '2030-01-01T01:10:00.000Z'],
    );
  });

  it('reads cron in its zone across a daylight-saving change: 02:30 Berlin does not exist on 2030-03-31', () => {
    const found = occurrencesBetween(
      cron('30 2 * * *', 'Europe/Berlin'),
      at('2030-03-30T00:00:00Z'),
      at('2030-04-01T23:59:00Z'),
      10,
    );
    expect(found).toHaveLength(3);
    expect(new Set(iso(found)).size).toBe(3);
  });

  it('stops one past the limit, so the caller can tell that the range holds more', () => {
    expect(
      occurrencesBetween(cron('* * * * *'), at('2030-01-01T00:00:00Z'), at('2030-01-02T00:00:00Z'), 5),
    ).toHaveLength(6);
  });
});
