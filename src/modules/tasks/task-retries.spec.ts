import { describe, expect, it } from '@jest/globals';
import { failurePlan, MAX_RETRY_DELAY_SECONDS, type RetrySettings, retryDelaySeconds } from './task-retries.js';

const NOW = new Date('2031-05-01T12:00:00.000Z');
const settings = (overrides: Partial<RetrySettings> = {}): RetrySettings => ({
  attempt: 1,
  maxAttempts: 3,
  retryBackoffSeconds: 10,
  status: 'in_progress',
  ...overrides,
});
const lowest = (): number => 0;
const highest = (): number => 1;

describe(retryDelaySeconds.name, () => {
  it('doubles the base for every attempt before, between half and all of it', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelaySeconds(10, attempt, highest))).toEqual([10, 20, 40, 80]);
    expect([1, 2, 3, 4].map((attempt) => retryDelaySeconds(10, attempt, lowest))).toEqual([5, 10, 20, 40]);
    expect(retryDelaySeconds(10, 3, () => 0.5)).toBe(30);
  });

  it(`never waits longer than ${MAX_RETRY_DELAY_SECONDS} s, however many attempts came before`, () => {
    expect(retryDelaySeconds(10, 60, highest)).toBe(MAX_RETRY_DELAY_SECONDS);
    expect(retryDelaySeconds(86_400, 1, highest)).toBe(MAX_RETRY_DELAY_SECONDS);
  });

  it('waits at least a second', () => {
    expect(retryDelaySeconds(1, 1, lowest)).toBe(1);
  });
});

describe(failurePlan.name, () => {
  it.each(['failed', 'lease_expired', 'timed_out'] as const)(
    'sends a task with attempts left back to todo after the backoff, without its worker (%s)',
    (cause) => {
      const plan = failurePlan(settings({ attempt: 2 }), cause, NOW, highest);
      expect(plan).toEqual({
        fields: {
          status: 'todo',
          assignedAgentId: null,
          leaseHolderId: null,
          leaseExpiresAt: null,
          startedAt: null,
          attempt: 3,
          availableAt: new Date('2031-05-01T12:00:20.000Z'),
        },
        type: 'retry_scheduled',
        details: {
          cause,
          from: 'in_progress',
          to: 'todo',
          attempt: 3,
          delaySeconds: 20,
          availableAt: new Date('2031-05-01T12:00:20.000Z'),
        },
      });
    },
  );

  it.each(['failed', 'lease_expired', 'timed_out'] as const)(
    'ends a task whose attempts ran out failed with reason attempts_exhausted (%s)',
    (cause) => {
      const plan = failurePlan(settings({ attempt: 3 }), cause, NOW, highest);
      expect(plan?.fields).toEqual({
        status: 'failed',
        assignedAgentId: null,
        leaseHolderId: null,
        leaseExpiresAt: null,
        startedAt: null,
        failureReason: 'attempts_exhausted',
      });
      expect(plan?.details).toMatchObject({ cause, to: 'failed', reason: 'attempts_exhausted', attempt: 3 });
      expect(plan?.type).toBe(cause === 'failed' ? 'status_changed' : cause);
    },
  );

  it('leaves a reported failure and an expired lease of a task without retries as they were (SPEC section 7)', () => {
    expect(failurePlan(settings({ maxAttempts: 1 }), 'failed', NOW)).toBeNull();
    expect(failurePlan(settings({ maxAttempts: 1 }), 'lease_expired', NOW)).toBeNull();
  });

  it('fails a timed-out task without retries with reason timed_out', () => {
    const plan = failurePlan(settings({ maxAttempts: 1 }), 'timed_out', NOW);
    expect(plan?.fields).toMatchObject({ status: 'failed', failureReason: 'timed_out' });
    expect(plan?.type).toBe('timed_out');
  });
});
