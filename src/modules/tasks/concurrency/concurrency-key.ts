/** A task's concurrency key: what a limit in `/api/concurrency-limits/keys/{key}` is named by. */
export const CONCURRENCY_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$/;
export const CONCURRENCY_KEY_MESSAGE =
  'concurrencyKey must be 1–100 letters, digits or "._:@-", starting with a letter or digit';
