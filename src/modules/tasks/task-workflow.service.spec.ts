import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { agentContext, hubTokenContext, userContext } from '../../../test/factories/context.factory.js';
import { buildTask } from '../../../test/factories/task.factory.js';
// The SPEC section 12 table as the tests restate it from the text: the service must write exactly these changes.
import { ALLOWED_TRANSITIONS, STATUSES } from '../../../test/utils/tasks-lifecycle-helpers.js';
import { toErrorResponse } from '../../common/errors/error-envelope.js';
import type {
  DatabaseNotificationsService,
  NotificationHandler,
} from '../../database/database-notifications.service.js';
import type { AgentsService } from '../agents/agents.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { TeamsService } from '../teams/teams.service.js';
import { ClaimWakeupsService } from './claim-wakeups.service.js';
import type { TaskQueueRepository } from './task-queue.repository.js';
import { REQUEUE_FIELDS } from './task-retries.js';
import { statusChangeFields } from './task-transitions.js';
import { DEFAULT_LEASE_SECONDS, TaskWorkflowService } from './task-workflow.service.js';
import type { TaskEntity } from './task.entity.js';
import type { TasksRepository } from './tasks.repository.js';
import type { TasksService } from './tasks.service.js';

const PAIRS = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));

/** The refusal as the error envelope reports it, or `allowed`. */
const outcome = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'allowed',
    (error: unknown) => {
      const { status, code, details } = toErrorResponse(error);
      return { status, code, details };
    },
  );

describe(TaskWorkflowService.name, () => {
  let task: TaskEntity;
  const requireTask = jest.fn<TasksService['require']>();
  const applyChange = jest.fn<TasksRepository['applyChange']>();
  const unfinishedDependencies = jest.fn<TasksRepository['unfinishedDependencies']>();
  const claim = jest.fn<TaskQueueRepository['claim']>();
  const renewLease = jest.fn<TaskQueueRepository['renewLease']>();
  const agentExists = jest.fn<AgentsService['exists']>();
  const membershipsOfAgent = jest.fn<TeamsService['membershipsOfAgent']>();
  const auditRecord = jest.fn<AuditService['record']>();
  let sut: TaskWorkflowService;
  let wakeups: ClaimWakeupsService;
  // What a NOTIFY on the claimable channel would do: wake the waiting claims.
  let notifyClaimable: NotificationHandler = () => undefined;

  beforeEach(() => {
    jest.resetAllMocks();
    task = buildTask();
    requireTask.mockImplementation(() => Promise.resolve(task));
    applyChange.mockImplementation((_id, change) => Promise.resolve({ ...task, ...change.fields }));
    unfinishedDependencies.mockResolvedValue([]);
    agentExists.mockResolvedValue(true);
    membershipsOfAgent.mockResolvedValue([]);
    const notifications = {
      live: true,
      subscribe: (_channel: string, handler: NotificationHandler) => {
        notifyClaimable = handler;
        return () => undefined;
      },
    };
    wakeups = new ClaimWakeupsService(notifications as unknown as DatabaseNotificationsService);
    wakeups.onModuleInit();
    sut = new TaskWorkflowService(
      { require: requireTask } as unknown as TasksService,
      { applyChange, unfinishedDependencies } as unknown as TasksRepository,
      { claim, renewLease } as unknown as TaskQueueRepository,
      { exists: agentExists } as unknown as AgentsService,
      { membershipsOfAgent } as unknown as TeamsService,
      wakeups,
      { record: auditRecord } as unknown as AuditService,
    );
  });

  describe('changeStatus', () => {
    it.each(PAIRS)(
      '%s -> %s: writes the change if SPEC allows it, else 409 invalid_transition and no write',
      async (from, to) => {
        task = buildTask({ status: from });
        const result = await outcome(
          sut.changeStatus(userContext(), task.id, { status: to, output: 'out', exitCode: 3 }),
        );
        if (ALLOWED_TRANSITIONS[from].includes(to)) {
          expect(result).toBe('allowed');
          // Starting work starts the attempt's clock; re-queuing a failed task starts its attempts over.
          const extra =
            to === 'in_progress' ? { startedAt: expect.any(Date) } : from === 'failed' ? REQUEUE_FIELDS : {};
          expect(applyChange).toHaveBeenCalledWith(task.id, {
            fields: { ...statusChangeFields(to, 'out', 3), ...extra },
            event: expect.objectContaining({ type: 'status_changed', details: { from, to, exitCode: 3 } }),
            version: undefined,
            fromStatuses: [from],
            // A reported failure is decided on the locked row: retried while attempts remain.
            decide: to === 'failed' ? expect.any(Function) : undefined,
          });
        } else {
          expect(result).toEqual({ status: 409, code: 'invalid_transition', details: { from, to } });
          expect(applyChange).not.toHaveBeenCalled();
        }
      },
    );

    it('stores the canonical status of an alias, and records it so', async () => {
      await sut.changeStatus(userContext(), task.id, { status: 'In-Progress' });
      expect(applyChange.mock.calls[0][1]).toMatchObject({
        fields: { status: 'in_progress' },
        event: { details: { from: 'todo', to: 'in_progress' } },
      });
    });

    it('refuses an unknown status with 400 naming status, before reading the task', async () => {
      expect(await outcome(sut.changeStatus(userContext(), task.id, { status: 'nope' }))).toEqual({
        status: 400,
        code: 'validation_failed',
        details: [{ field: 'status', message: 'status has an unknown value: nope' }],
      });
      expect(requireTask).not.toHaveBeenCalled();
    });

    it('refuses an agent a task not assigned to it (403), and writes nothing', async () => {
      expect(await outcome(sut.changeStatus(agentContext(), task.id, { status: 'in_progress' }))).toMatchObject({
        status: 403,
        code: 'forbidden',
      });
      expect(applyChange).not.toHaveBeenCalled();
    });

    it('refuses a stale version from the body or If-Match (409 version_conflict), and writes nothing', async () => {
      task = buildTask({ version: 4 });
      for (const [version, ifMatch] of [
        [3, undefined],
        [undefined, 5],
        [3, 4],
      ] as const) {
        expect(
          await outcome(sut.changeStatus(userContext(), task.id, { status: 'blocked', version }, ifMatch)),
        ).toEqual({ status: 409, code: 'version_conflict', details: undefined });
      }
      expect(applyChange).not.toHaveBeenCalled();
      await sut.changeStatus(userContext(), task.id, { status: 'blocked' }, 4);
      expect(applyChange.mock.calls[0][1]).toMatchObject({ version: 4 });
    });

    it('answers 409 version_conflict when the task moved between read and write', async () => {
      applyChange.mockResolvedValue(null);
      expect(await outcome(sut.changeStatus(userContext(), task.id, { status: 'blocked' }))).toMatchObject({
        status: 409,
        code: 'version_conflict',
      });
    });

    it('refuses to start a task with unfinished dependencies (409 naming them); other targets do not ask', async () => {
      const dependency = randomUUID();
      task = buildTask({ dependsOn: [dependency] });
      unfinishedDependencies.mockResolvedValue([dependency]);
      expect(await outcome(sut.changeStatus(userContext(), task.id, { status: 'in_progress' }))).toEqual({
        status: 409,
        code: 'dependencies_incomplete',
        details: { taskIds: [dependency] },
      });
      expect(unfinishedDependencies).toHaveBeenCalledWith([dependency]);
      expect(applyChange).not.toHaveBeenCalled();
      unfinishedDependencies.mockClear();
      expect(await outcome(sut.changeStatus(userContext(), task.id, { status: 'blocked' }))).toBe('allowed');
      expect(unfinishedDependencies).not.toHaveBeenCalled();
    });
  });

  describe('assign and unassign', () => {
    it('answers 404 agent_not_found for an unknown agent, also on a finished task, and writes nothing', async () => {
      agentExists.mockResolvedValue(false);
      for (const status of ['todo', 'completed'] as const) {
        task = buildTask({ status });
        expect(await outcome(sut.assign(hubTokenContext(), task.id, randomUUID()))).toMatchObject({
          status: 404,
          code: 'agent_not_found',
        });
      }
      expect(applyChange).not.toHaveBeenCalled();
    });

    it('refuses to assign a finished task (409 invalid_transition) and writes nothing', async () => {
      task = buildTask({ status: 'cancelled' });
      expect(await outcome(sut.assign(userContext(), task.id, randomUUID()))).toMatchObject({
        status: 409,
        code: 'invalid_transition',
      });
      expect(applyChange).not.toHaveBeenCalled();
    });

    it('records assignment and unassignment with the agent and both statuses', async () => {
      const agentId = randomUUID();
      await sut.assign(userContext(), task.id, agentId);
      expect(applyChange.mock.calls[0][1]).toMatchObject({
        fields: { status: 'assigned', assignedAgentId: agentId },
        event: { type: 'assigned', details: { agentId, from: 'todo', to: 'assigned' } },
        fromStatuses: ['todo'],
      });
      task = buildTask({ status: 'in_progress', assignedAgentId: agentId });
      await sut.unassign(userContext(), task.id);
      expect(applyChange.mock.calls[1][1]).toMatchObject({
        fields: { status: 'todo', assignedAgentId: null },
        event: { type: 'unassigned', details: { agentId, from: 'in_progress', to: 'todo' } },
        fromStatuses: ['in_progress'],
      });
    });
  });

  describe('claim', () => {
    it('claims for the calling agent with its memberships, the filters and the lease asked for', async () => {
      const ctx = agentContext();
      const memberships = [{ teamId: randomUUID(), roleId: randomUUID() }];
      membershipsOfAgent.mockResolvedValue(memberships);
      claim.mockResolvedValue(task);
      const teamId = randomUUID();
      const roleId = randomUUID();
      expect(await sut.claim(ctx, { teamId, roleId, leaseSeconds: 30 })).toMatchObject({ id: task.id });
      expect(membershipsOfAgent).toHaveBeenCalledWith(ctx.principal.id);
      expect(claim).toHaveBeenCalledWith({
        agentId: ctx.principal.id,
        memberships,
        teamId,
        roleId,
        leaseSeconds: 30,
        event: expect.objectContaining({ type: 'claimed', details: { agentId: ctx.principal.id, leaseSeconds: 30 } }),
      });
      expect(agentExists).not.toHaveBeenCalled();
    });

    it(`leases for ${DEFAULT_LEASE_SECONDS} s by default, and answers null when the queue has nothing`, async () => {
      claim.mockResolvedValue(null);
      expect(await sut.claim(agentContext(), {})).toBeNull();
      expect(claim.mock.calls[0][0]).toMatchObject({ leaseSeconds: DEFAULT_LEASE_SECONDS });
    });

    it('claims for the agent an administrator names, with that agent’s memberships', async () => {
      const agentId = randomUUID();
      claim.mockResolvedValue(null);
      await sut.claim(userContext('admin'), { agentId });
      expect(agentExists).toHaveBeenCalledWith(agentId);
      expect(membershipsOfAgent).toHaveBeenCalledWith(agentId);
      expect(claim.mock.calls[0][0]).toMatchObject({ agentId });
    });

    it('answers 404 agent_not_found when the named agent does not exist, and takes nothing', async () => {
      agentExists.mockResolvedValue(false);
      expect(await outcome(sut.claim(hubTokenContext(), { agentId: randomUUID() }))).toMatchObject({
        status: 404,
        code: 'agent_not_found',
      });
      expect(claim).not.toHaveBeenCalled();
    });

    it('takes nothing when the caller may not claim', async () => {
      expect(await outcome(sut.claim(userContext(), {}))).toMatchObject({ status: 403 });
      expect(claim).not.toHaveBeenCalled();
    });
  });

  describe('claim with a wait (long polling)', () => {
    const open = () => ({ seconds: 30, signal: new AbortController().signal });
    const settled = async (promise: Promise<unknown>): Promise<boolean> => {
      let done = false;
      void promise.then(() => (done = true));
      await new Promise((resolve) => setImmediate(resolve));
      return done;
    };

    it('answers at once when a task is claimable, without waiting', async () => {
      claim.mockResolvedValue(task);
      expect(await sut.claim(agentContext(), {}, open())).toMatchObject({ id: task.id });
      expect(claim).toHaveBeenCalledTimes(1);
    });

    it('waits without claiming again until a task may have become claimable, then claims it', async () => {
      claim.mockResolvedValueOnce(null).mockResolvedValueOnce(task);
      const waiting = sut.claim(agentContext(), {}, open());
      expect(await settled(waiting)).toBe(false);
      expect(claim).toHaveBeenCalledTimes(1);
      notifyClaimable('');
      expect(await waiting).toMatchObject({ id: task.id });
      expect(claim).toHaveBeenCalledTimes(2);
    });

    it('does not miss a wake-up that comes while the empty claim is still running', async () => {
      claim.mockImplementationOnce(() => {
        notifyClaimable('');
        return Promise.resolve(null);
      });
      claim.mockResolvedValueOnce(task);
      expect(await sut.claim(agentContext(), {}, open())).toMatchObject({ id: task.id });
    });

    it('goes back to waiting when another agent took the task first', async () => {
      claim.mockResolvedValue(null);
      const waiting = sut.claim(agentContext(), {}, open());
      await settled(waiting);
      notifyClaimable('');
      expect(await settled(waiting)).toBe(false);
      expect(claim).toHaveBeenCalledTimes(2);
      claim.mockResolvedValue(task);
      notifyClaimable('');
      expect(await waiting).toMatchObject({ id: task.id });
    });

    it('answers null when the client goes away, and when the hub shuts down, without claiming again', async () => {
      claim.mockResolvedValue(null);
      const client = new AbortController();
      const abandoned = sut.claim(agentContext(), {}, { seconds: 30, signal: client.signal });
      await settled(abandoned);
      client.abort();
      expect(await abandoned).toBeNull();

      const interrupted = sut.claim(agentContext(), {}, open());
      await settled(interrupted);
      wakeups.beforeApplicationShutdown();
      expect(await interrupted).toBeNull();
      expect(claim).toHaveBeenCalledTimes(2);
    });

    it('looks once more when the wait has run out, then answers null', async () => {
      claim.mockResolvedValue(null);
      expect(await sut.claim(agentContext(), {}, { seconds: 1, signal: new AbortController().signal })).toBeNull();
      expect(claim).toHaveBeenCalledTimes(2);
    });
  });

  describe('renewLease', () => {
    it('renews the lease of the calling agent for the seconds asked for', async () => {
      const ctx = agentContext();
      renewLease.mockResolvedValue(task);
      await sut.renewLease(ctx, task.id, 600);
      expect(renewLease).toHaveBeenCalledWith(task.id, ctx.principal.id, 600);
    });

    it('answers 409 lease_not_held when nobody holds a lease, without trying', async () => {
      expect(await outcome(sut.renewLease(userContext(), task.id))).toEqual({
        status: 409,
        code: 'lease_not_held',
        details: undefined,
      });
      expect(renewLease).not.toHaveBeenCalled();
    });

    it('answers 409 lease_not_held when the lease is not (or no longer) the caller’s', async () => {
      renewLease.mockResolvedValue(null);
      expect(await outcome(sut.renewLease(agentContext(), task.id))).toMatchObject({
        status: 409,
        code: 'lease_not_held',
      });
    });
  });
});
