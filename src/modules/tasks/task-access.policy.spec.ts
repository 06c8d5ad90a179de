import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { agentContext, hubTokenContext, userContext } from '../../../test/factories/context.factory.js';
import { buildTask } from '../../../test/factories/task.factory.js';
import { toErrorResponse } from '../../common/errors/error-envelope.js';
import { assertMayChange, claimantOf, leaseHasExpired, leaseToRenew } from './task-access.policy.js';

/** What the error envelope makes of the refusal: HTTP status, code, message and details, as a client sees them. */
function refusalOf(rule: () => unknown): { status: number; code: string; message: string; details?: unknown } {
  try {
    rule();
  } catch (error) {
    const { status, code, message, details } = toErrorResponse(error);
    return { status, code, message, details };
  }
  throw new Error('the rule allowed what it should refuse');
}

const PEOPLE = [
  ['a user', () => userContext('user')],
  ['an admin user', () => userContext('admin')],
  ['the hub token', hubTokenContext],
] as const;

describe('task access policy', () => {
  describe(assertMayChange.name, () => {
    it('lets an agent change a task assigned to it', () => {
      const ctx = agentContext();
      expect(() => assertMayChange(ctx, buildTask({ assignedAgentId: ctx.principal.id }))).not.toThrow();
    });

    it.each([
      ['unassigned', null],
      ['assigned to another agent', randomUUID()],
    ])('refuses an agent a task that is %s: 403 forbidden', (_label, assignedAgentId) => {
      expect(refusalOf(() => assertMayChange(agentContext(), buildTask({ assignedAgentId })))).toEqual({
        status: 403,
        code: 'forbidden',
        message: 'An agent may only change tasks assigned to it',
        details: undefined,
      });
    });

    it.each(PEOPLE)('lets %s change any task, assigned or not', (_label, context) => {
      for (const assignedAgentId of [null, randomUUID()]) {
        expect(() => assertMayChange(context(), buildTask({ assignedAgentId }))).not.toThrow();
      }
    });
  });

  describe(claimantOf.name, () => {
    it('makes an agent claim for itself, with or without naming itself', () => {
      const ctx = agentContext();
      expect(claimantOf(ctx)).toEqual({ agentId: ctx.principal.id, named: false });
      expect(claimantOf(ctx, ctx.principal.id)).toEqual({ agentId: ctx.principal.id, named: false });
    });

    it('refuses an agent naming another agent: 403 forbidden', () => {
      expect(refusalOf(() => claimantOf(agentContext(), randomUUID()))).toEqual({
        status: 403,
        code: 'forbidden',
        message: 'An agent may only claim for itself',
        details: undefined,
      });
    });

    it.each([
      ['the hub token', hubTokenContext],
      ['an admin user', () => userContext('admin')],
    ])('lets %s claim for the agent it names (whose existence is still to be checked)', (_label, context) => {
      const agentId = randomUUID();
      expect(claimantOf(context(), agentId)).toEqual({ agentId, named: true });
    });

    it.each([
      ['the hub token', hubTokenContext],
      ['an admin user', () => userContext('admin')],
    ])('refuses %s without agentId: 400 validation_failed naming agentId', (_label, context) => {
      expect(refusalOf(() => claimantOf(context()))).toEqual({
        status: 400,
        code: 'validation_failed',
        message: 'Request validation failed',
        details: [{ field: 'agentId', message: 'agentId is required when an administrator claims' }],
      });
    });

    it('refuses a plain user, with or without agentId: 403 forbidden', () => {
      for (const agentId of [undefined, randomUUID()]) {
        expect(refusalOf(() => claimantOf(userContext('user'), agentId))).toEqual({
          status: 403,
          code: 'forbidden',
          message: 'Only agents (or the hub token and admins, naming an agent) claim tasks',
          details: undefined,
        });
      }
    });
  });

  describe(leaseToRenew.name, () => {
    it('makes an agent renew its own lease, whoever holds the task’s lease', () => {
      const ctx = agentContext();
      for (const leaseHolderId of [null, ctx.principal.id, randomUUID()]) {
        expect(leaseToRenew(ctx, buildTask({ leaseHolderId }))).toBe(ctx.principal.id);
      }
    });

    it.each(PEOPLE)('makes %s renew the current holder’s lease, and none when nobody holds one', (_l, context) => {
      const holder = randomUUID();
      expect(leaseToRenew(context(), buildTask({ leaseHolderId: holder }))).toBe(holder);
      expect(leaseToRenew(context(), buildTask({ leaseHolderId: null }))).toBeNull();
    });
  });

  describe(leaseHasExpired.name, () => {
    const now = new Date('2030-01-01T12:00:00.000Z');

    it('says a lease whose end lies in the past has expired', () => {
      expect(leaseHasExpired(buildTask({ leaseExpiresAt: new Date(now.getTime() - 1) }), now)).toBe(true);
    });

    it('says a lease ending now or later has not expired, nor a task without a lease', () => {
      expect(leaseHasExpired(buildTask({ leaseExpiresAt: new Date(now.getTime()) }), now)).toBe(false);
      expect(leaseHasExpired(buildTask({ leaseExpiresAt: new Date(now.getTime() + 1) }), now)).toBe(false);
      expect(leaseHasExpired(buildTask({ leaseExpiresAt: null }), now)).toBe(false);
    });
  });
});
