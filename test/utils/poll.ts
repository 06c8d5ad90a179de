/**
 * Waiting for something the hub does in the background. Each helper only reports what it saw; the caller
 * asserts on it. They differ on purpose in what they return and in how they bound the wait.
 */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` every `everyMs` until it returns a value other than undefined, or until `timeoutMs` have passed
 * (then resolves to undefined).
 */
export async function pollFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() >= deadline) {
      return value;
    }
    await sleep(everyMs);
  }
}

/** Calls `check` every `intervalMs` until it resolves true (then true), or until `timeoutMs` have passed (false). */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<boolean> {
  return (await pollFor(async () => ((await check()) ? true : undefined), timeoutMs, intervalMs)) ?? false;
}

/**
 * Calls `check` up to `attempts` times, `delayMs` apart (also after the last failed one), whatever each call
 * takes: true as soon as one resolves true, false when none did.
 */
export async function eventually(check: () => Promise<boolean>, attempts = 50, delayMs = 200): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (await check()) {
      return true;
    }
    await sleep(delayMs);
  }
  return false;
}

export interface PollResult {
  /** The last status seen. */
  status: number;
  /** Every status seen, in order. */
  seen: number[];
  elapsedMs: number;
}

/**
 * Calls `probe` every `everyMs` until it answers `wanted` or `withinMs` have passed since the first call.
 * The caller asserts on the result; nothing here decides whether the wait was acceptable.
 */
export async function pollStatus(
  probe: () => Promise<number>,
  wanted: number,
  { everyMs = 250, withinMs = 5_000 }: { everyMs?: number; withinMs?: number } = {},
): Promise<PollResult> {
  const start = Date.now();
  const seen: number[] = [];
  for (;;) {
    const status = await probe();
    seen.push(status);
    const elapsedMs = Date.now() - start;
    if (status === wanted || elapsedMs >= withinMs) {
      return { status, seen, elapsedMs };
    }
    await sleep(Math.min(everyMs, withinMs - elapsedMs));
  }
}
