import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { toErrorResponse } from '../../common/errors/error-envelope.js';
import type { TaskStatus } from './task-status.js';
import {
  assignmentFields,
  LEASE_EXPIRED_FIELDS,
  LEASED_STATUSES,
  statusChangeFields,
  unassignmentFields,
} from './task-transitions.js';

const NO_LEASE = { leaseHolderId: null, leaseExpiresAt: null };

describe('task transitions: what each step writes', () => {
  describe(statusChangeFields.name, () => {
    it.each<[TaskStatus, object]>([
      ['todo', { ...NO_LEASE, assignedAgentId: null }],
      ['blocked', NO_LEASE],
      ['completed', NO_LEASE],
      ['failed', NO_LEASE],
      ['cancelled', NO_LEASE],
      ['assigned', {}],
      ['in_progress', {}],
    ])('to %s: sets the status, output and exit code, and clears %j', (to, cleared) => {
      expect(statusChangeFields(to, 'log line', 0)).toEqual({
        status: to,
        lastOutput: 'log line',
        lastExitCode: 0,
        ...cleared,
      });
    });

    it('leaves output and exit code untouched when the report has none', () => {
      const fields = statusChangeFields('in_progress');
      expect(fields.lastOutput).toBeUndefined();
      expect(fields.lastExitCode).toBeUndefined();
    });
  });

  describe(assignmentFields.name, () => {
    const agentId = randomUUID();

    it.each<[TaskStatus, TaskStatus]>([
      ['todo', 'assigned'],
      ['blocked', 'assigned'],
      ['assigned', 'assigned'],
      ['in_progress', 'in_progress'],
    ])('from %s: becomes %s for the agent, and any lease ends', (from, status) => {
      expect(assignmentFields(from, agentId)).toEqual({ status, assignedAgentId: agentId, ...NO_LEASE });
    });

    it.each<TaskStatus>(['completed', 'failed', 'cancelled'])(
      'refuses a %s task: 409 invalid_transition to assigned',
      (from) => {
        let refusal: unknown;
        try {
          assignmentFields(from, agentId);
        } catch (error) {
          refusal = error;
        }
        expect(toErrorResponse(refusal)).toMatchObject({
          status: 409,
          code: 'invalid_transition',
          message: `A task cannot go from ${from} to assigned`,
          details: { from, to: 'assigned' },
        });
      },
    );
  });

  describe(unassignmentFields.name, () => {
    it.each<[TaskStatus, TaskStatus]>([
      ['assigned', 'todo'],
      ['in_progress', 'todo'],
      ['todo', 'todo'],
      ['blocked', 'blocked'],
      ['completed', 'completed'],
      ['failed', 'failed'],
      ['cancelled', 'cancelled'],
    ])('from %s: becomes %s without agent or lease', (from, status) => {
      expect(unassignmentFields(from)).toEqual({ status, assignedAgentId: null, ...NO_LEASE });
    });
  });

  describe('lease expiry', () => {
    it('returns the task to todo without agent or lease', () => {
      expect(LEASE_EXPIRED_FIELDS).toEqual({ status: 'todo', assignedAgentId: null, ...NO_LEASE });
    });

    it('applies only to the statuses a lease is held in: assigned and in progress', () => {
      expect([...LEASED_STATUSES].sort()).toEqual(['assigned', 'in_progress']);
    });
  });
});
