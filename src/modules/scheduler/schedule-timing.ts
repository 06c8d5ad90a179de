import { CronTime } from 'cron';
import { IANAZone } from 'luxon';

/** Whether a string is a cron expression (5 fields, or 6 with seconds) that the `cron` package accepts. */
export function isValidCron(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  return (fields.length === 5 || fields.length === 6) && CronTime.validateCronExpression(expression).valid;
}

export const isValidTimezone = (zone: string): boolean => IANAZone.isValidZone(zone);

export interface Trigger {
  cron: string | null;
  timezone: string;
  intervalSeconds: number | null;
}

/**
 * The first occurrence strictly after `after`. Cron is evaluated in the schedule's IANA time zone, so "9:00
 * every day" stays 9:00 local across daylight-saving changes; an interval simply adds its seconds.
 */
export function nextOccurrence(trigger: Trigger, after: Date): Date {
  if (trigger.cron) {
    return new CronTime(trigger.cron, trigger.timezone).getNextDateFrom(after, trigger.timezone).toJSDate();
  }
  return new Date(after.getTime() + trigger.intervalSeconds! * 1000);
}

/**
 * Whether the trigger fires at all after `after`: a valid cron expression can name only dates that do not
 * exist (`0 0 30 2 *`, the 30th of February), and the `cron` package then throws instead of answering.
 */
export function firesAfter(trigger: Trigger, after: Date): boolean {
  try {
    nextOccurrence(trigger, after);
    return true;
  } catch {
    return false;
  }
}

/**
 * The occurrences from `from` to `to` (both included), oldest first, at most `limit` + 1 of them (so a caller
 * can tell that there are more). Cron: the expression's instants in its zone; interval: `from`, then every
 * `intervalSeconds` after it.
 */
export function occurrencesBetween(trigger: Trigger, from: Date, to: Date, limit: number): Date[] {
  const found: Date[] = [];
  let next = trigger.cron ? nextOccurrence(trigger, new Date(from.getTime() - 1)) : from;
  while (next.getTime() <= to.getTime() && found.length <= limit) {
    found.push(next);
    next = nextOccurrence(trigger, next);
  }
  return found;
}
