import { nextOccurrence, occurrencesBetween, type Trigger } from './schedule-timing.js';

/**
 * Occurrences at most this late always run, whatever the window: the scheduler looks every 5 s (and a pass
 * can take a while), so they are late by its rhythm, not missed while every instance was down.
 */
export const ON_TIME_SECONDS = 15;

/**
 * At most this many occurrences of one schedule per step, so one step's work stays bounded: the `cron`
 * package needs about a millisecond per occurrence, and a step runs without yielding.
 */
export const CATCH_UP_BATCH = 100;

/** What to do with the occurrences of one step of a catch-up. */
export interface CatchUpPlan {
  /** Within the window (or on time): each runs once, oldest first. */
  run: Date[];
  /** Older than the window: recorded as missed, no task. */
  missed: Date[];
  /** The schedule's next run after this step. */
  next: Date;
  /** False when more overdue occurrences follow `next` (it is then still in the past). */
  caughtUp: boolean;
}

/**
 * Sorts the occurrences of a schedule due since `due` (its next run, an occurrence itself) up to `now` into
 * those to run and those missed, `windowSeconds` deciding, at most `limit` of them per step; the schedule then
 * continues at the occurrence after the last one handled, which keeps an interval schedule's rhythm.
 */
export function planCatchUp(
  trigger: Trigger,
  due: Date,
  now: Date,
  windowSeconds: number,
  limit = CATCH_UP_BATCH,
): CatchUpPlan {
  const occurrences = occurrencesBetween(trigger, due, now, limit);
  const step = occurrences.slice(0, limit);
  const windowStart = now.getTime() - Math.max(windowSeconds, ON_TIME_SECONDS) * 1000;
  const caughtUp = occurrences.length <= limit;
  const last = step.at(-1);
  return {
    run: step.filter((occurrence) => occurrence.getTime() >= windowStart),
    missed: step.filter((occurrence) => occurrence.getTime() < windowStart),
    // After the last occurrence handled (later than now once caught up), not after now: an interval keeps its beat.
    next: caughtUp ? nextOccurrence(trigger, last ?? now) : occurrences[limit],
    caughtUp,
  };
}
