/** What started a send: an administrator, or the daily job. */
export type SendTrigger = 'manual' | 'schedule';
