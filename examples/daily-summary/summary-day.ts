const DAY_MS = 86_400_000;

/** A calendar day in UTC: `[start, end)`. Summaries, the preview and the once-per-day claim all use UTC days. */
export interface UtcDay {
  date: string;
  start: Date;
  end: Date;
}

export const DAY_SECONDS = DAY_MS / 1000;

/** The day of a `YYYY-MM-DD` date (already validated by the DTOs). */
export function utcDay(date: string): UtcDay {
  const start = new Date(`${date}T00:00:00.000Z`);
  return { date, start, end: new Date(start.getTime() + DAY_MS) };
}

export const utcDayOf = (instant: Date): UtcDay => utcDay(instant.toISOString().slice(0, 10));

export const utcDayBefore = (instant: Date): UtcDay => utcDayOf(new Date(instant.getTime() - DAY_MS));
