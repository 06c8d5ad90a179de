import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createAgent } from '../../../test/factories/agent.factory.js';
import { buildHistoryEntry, createTask } from '../../../test/factories/task.factory.js';
import { createTeam } from '../../../test/factories/team.factory.js';
import { openTestInstances, type TestInstances } from '../../../test/utils/test-database.js';
import { toErrorResponse } from '../../common/errors/error-envelope.js';
import { ArchivedTaskEntity } from './archived-task.entity.js';
import { TaskArchiveRepository } from './task-archive.repository.js';
import type { TaskSearch } from './task-search.js';
import { TaskEntity } from './task.entity.js';
import { HISTORY_LIMIT, type TaskFields, TasksRepository } from './tasks.repository.js';

describe(TasksRepository.name, () => {
  let instances: TestInstances;
  const sources: DataSource[] = [];
  let repositories: TasksRepository[];
  let source: DataSource;
  let tasks: TasksRepository;

  beforeAll(async () => {
    // Three independent pools stand in for three hub instances.
    instances = await openTestInstances(3);
    sources.push(...instances.sources);
    repositories = sources.map((each) => new TasksRepository(each.getRepository(TaskEntity)));
    [source] = sources;
    [tasks] = repositories;
  });
  afterAll(async () => {
    await instances.close();
  });
  beforeEach(async () => {
    await source.query('TRUNCATE tasks, archived_tasks, callback_deliveries');
  });

  const archive = (id: string): Promise<boolean> =>
    new TaskArchiveRepository(source.getRepository(ArchivedTaskEntity)).archive(id);
  const change = (description: string, extra: Partial<Parameters<TasksRepository['applyChange']>[1]> = {}) => ({
    fields: { description },
    event: buildHistoryEntry('updated', { description }),
    ...extra,
  });

  describe('insert and getById', () => {
    it('stores a todo task at version 1 with its creation as the only history entry, and reads it back', async () => {
      const event = buildHistoryEntry('created', { title: 'Write the report' });
      const team = await createTeam(source);
      const id = randomUUID();
      const inserted = await tasks.insert(
        {
          id,
          title: 'Write the report',
          description: 'All of it',
          priority: 'high',
          teamId: team.id,
          assignedRoleId: null,
          parentTaskId: null,
          dependsOn: [],
          callbackUrl: null,
          callbackSecretSealed: null,
          maxAttempts: 3,
          retryBackoffSeconds: 5,
          timeoutSeconds: 60,
          concurrencyKey: 'report-writers',
        },
        event,
      );
      expect(inserted).toMatchObject({
        id,
        title: 'Write the report',
        description: 'All of it',
        priority: 'high',
        maxAttempts: 3,
        attempt: 1,
        retryBackoffSeconds: 5,
        timeoutSeconds: 60,
        availableAt: null,
        concurrencyKey: 'report-writers',
        failureReason: null,
        teamId: team.id,
        status: 'todo',
        version: 1,
        history: [event],
        assignedAgentId: null,
        leaseHolderId: null,
        leaseExpiresAt: null,
      });
      expect(inserted.createdAt).toBeInstanceOf(Date);
      expect(await repositories[1].getById(id)).toEqual(inserted);
      expect(await tasks.getById(randomUUID())).toBeNull();
    });

    it('refuses an id that exists instead of overwriting the task (unique violation)', async () => {
      const first = await createTask(source, { title: 'first' });
      await expect(createTask(source, { id: first.id, title: 'second' })).rejects.toMatchObject({
        driverError: { code: '23505' },
      });
      expect(await tasks.getById(first.id)).toEqual(first);
    });
  });

  describe('existingIds and unfinishedDependencies', () => {
    it('knows active and archived ids, and nothing else', async () => {
      const active = await createTask(source);
      const archived = await createTask(source);
      await archive(archived.id);
      const unknown = randomUUID();
      expect(await tasks.existingIds([active.id, archived.id, unknown])).toEqual(new Set([active.id, archived.id]));
      expect(await tasks.existingIds([])).toEqual(new Set());
    });

    it('counts only completed tasks as finished, archived ones included; unknown ids are unfinished', async () => {
      const completed = await createTask(source, { status: 'completed' });
      const archivedCompleted = await createTask(source, { status: 'completed' });
      await archive(archivedCompleted.id);
      const archivedFailed = await createTask(source, { status: 'failed' });
      await archive(archivedFailed.id);
      const unfinished = await Promise.all(
        (['todo', 'in_progress', 'failed', 'cancelled'] as const).map((status) => createTask(source, { status })),
      );
      const unknown = randomUUID();
      const all = [completed, archivedCompleted, archivedFailed, ...unfinished].map((task) => task.id);
      expect((await tasks.unfinishedDependencies([...all, unknown])).sort()).toEqual(
        [archivedFailed.id, ...unfinished.map((task) => task.id), unknown].sort(),
      );
      expect(await tasks.unfinishedDependencies([])).toEqual([]);
    });
  });

  describe('reaches (dependency cycles)', () => {
    it('follows dependsOn and parent links, through chains, and says no for a diamond', async () => {
      const a = await createTask(source);
      const b = await createTask(source, { dependsOn: [a.id] });
      const c = await createTask(source, { parentTaskId: b.id });
      const d = await createTask(source, { dependsOn: [b.id, c.id] });
      expect(await tasks.reaches([b.id], a.id)).toBe(true);
      expect(await tasks.reaches([c.id], a.id)).toBe(true);
      expect(await tasks.reaches([d.id], a.id)).toBe(true);
      expect(await tasks.reaches([a.id], b.id)).toBe(false);
      expect(await tasks.reaches([b.id, c.id], d.id)).toBe(false);
      expect(await tasks.reaches([], a.id)).toBe(false);
    });

    it('refuses a change that would close a cycle (400 dependency_cycle naming the field) and stores nothing', async () => {
      const a = await createTask(source);
      const b = await createTask(source, { parentTaskId: a.id });
      const attempts: Array<[TaskFields, string]> = [
        [{ dependsOn: [b.id] }, 'dependsOn'],
        [{ parentTaskId: b.id }, 'parentTaskId'],
      ];
      for (const [fields, field] of attempts) {
        const refusal = await tasks
          .applyChange(a.id, { fields, event: buildHistoryEntry('updated'), noCycleThrough: [b.id] })
          .catch((error: unknown) => toErrorResponse(error));
        expect(refusal).toMatchObject({ status: 400, code: 'dependency_cycle', details: [{ field }] });
      }
      expect(await tasks.getById(a.id)).toEqual(a);
    });

    it('lets at most one of two concurrent changes closing a cycle through (A->B on one instance, B->A on another)', async () => {
      for (let round = 0; round < 5; round += 1) {
        const [a, b] = [await createTask(source), await createTask(source)];
        const outcomes = await Promise.allSettled([
          repositories[1].applyChange(a.id, {
            fields: { dependsOn: [b.id] },
            event: buildHistoryEntry('updated'),
            noCycleThrough: [b.id],
          }),
          repositories[2].applyChange(b.id, {
            fields: { dependsOn: [a.id] },
            event: buildHistoryEntry('updated'),
            noCycleThrough: [a.id],
          }),
        ]);
        expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      }
    });
  });

  describe('applyChange', () => {
    it('writes the fields, appends the event and bumps the version', async () => {
      const task = await createTask(source);
      const update = change('first');
      const changed = await tasks.applyChange(task.id, { ...update, version: 1 });
      expect(changed).toMatchObject({ description: 'first', version: 2, history: [...task.history, update.event] });
      expect(changed!.updatedAt.getTime()).toBeGreaterThanOrEqual(task.updatedAt.getTime());
      expect(await repositories[2].getById(task.id)).toEqual(changed);
    });

    it('changes nothing and answers null for a stale version, a moved status or a lease still running', async () => {
      const agent = await createAgent(source);
      const task = await createTask(source, {
        status: 'assigned',
        assignedAgentId: agent.id,
        leaseHolderId: agent.id,
        leaseExpiresAt: new Date(Date.now() + 60_000),
      });
      expect(await tasks.applyChange(task.id, change('stale', { version: 7 }))).toBeNull();
      expect(await tasks.applyChange(task.id, change('moved', { fromStatuses: ['todo'] }))).toBeNull();
      expect(await tasks.applyChange(task.id, change('early', { leaseExpired: true }))).toBeNull();
      expect(await tasks.applyChange(randomUUID(), change('missing'))).toBeNull();
      expect(await tasks.getById(task.id)).toEqual(task);
    });

    it('lets exactly one of many writers holding the same version through, on three instances', async () => {
      const task = await createTask(source);
      const results = await Promise.all(
        Array.from({ length: 9 }, (_, n) =>
          repositories[n % 3].applyChange(task.id, change(`writer ${n}`, { version: 1 })),
        ),
      );
      const winners = results.filter((result) => result !== null);
      expect(winners).toHaveLength(1);
      const stored = await tasks.getById(task.id);
      expect(stored).toEqual(winners[0]);
      expect(stored!.version).toBe(2);
      expect(stored!.history).toHaveLength(2);
    });

    it('loses no entry when unconditional changes run concurrently on three instances', async () => {
      const task = await createTask(source);
      await Promise.all(Array.from({ length: 9 }, (_, n) => repositories[n % 3].applyChange(task.id, change(`${n}`))));
      const stored = await tasks.getById(task.id);
      expect(stored!.version).toBe(10);
      expect(stored!.history.map((entry) => entry.details.description ?? 'created').sort()).toEqual([
        ...Array.from({ length: 9 }, (_, n) => `${n}`),
        'created',
      ]);
    });

    it(`keeps the newest ${HISTORY_LIMIT} history entries, dropping the oldest, in order`, async () => {
      const task = await createTask(source);
      for (let n = 1; n <= HISTORY_LIMIT + 10; n += 1) {
        await repositories[n % 3].applyChange(task.id, change(`change ${n}`));
      }
      const stored = await tasks.getById(task.id);
      // 211 entries were written (the creation and 210 changes): the creation and changes 1 to 10 are gone.
      expect(stored!.history.map((entry) => entry.details.description)).toEqual(
        Array.from({ length: HISTORY_LIMIT }, (_, index) => `change ${index + 11}`),
      );
      expect(stored!.version).toBe(1 + HISTORY_LIMIT + 10);
    });

    it('writes a callback delivery when the status of a task with a callback changes, and only then', async () => {
      const withCallback = await createTask(source, {
        callbackUrl: 'http://127.0.0.1:9/hook',
        callbackSecretSealed: 'sealed',
      });
      const without = await createTask(source);
      const start = { fields: { status: 'in_progress' as const }, event: buildHistoryEntry('status_changed') };
      await tasks.applyChange(withCallback.id, change('no status change'));
      await tasks.applyChange(withCallback.id, start);
      await tasks.applyChange(without.id, start);
      const rows = await source.query<Array<{ task_id: string; body: string }>>(
        'SELECT task_id, body FROM callback_deliveries',
      );
      expect(rows.map((row) => row.task_id)).toEqual([withCallback.id]);
      expect(JSON.parse(rows[0].body)).toMatchObject({
        event: 'task.status_changed',
        task: { id: withCallback.id, status: 'in_progress' },
        occurredAt: start.event.at,
      });
    });
  });

  describe('search', () => {
    const all = (overrides: Partial<TaskSearch> = {}): TaskSearch => ({
      sort: { column: 'createdAt', direction: 'ASC' },
      limit: 500,
      offset: 0,
      withHistory: false,
      ...overrides,
    });
    const titles = async (overrides: Partial<TaskSearch>): Promise<string[]> =>
      (await tasks.search(all(overrides))).rows.map((row) => row.title);

    let made: Record<string, TaskEntity>;
    let team: string;
    let agent: string;

    beforeEach(async () => {
      team = (await createTeam(source)).id;
      agent = (await createAgent(source)).id;
      const parent = await createTask(source, { title: 'parent', createdSecondsAgo: 700 });
      made = { parent };
      const plan = [
        ['alpha', { priority: 'low', teamId: team, createdSecondsAgo: 600 }],
        ['bravo', { priority: 'critical', parentTaskId: parent.id, createdSecondsAgo: 500 }],
        ['charlie', { priority: 'high', status: 'assigned', assignedAgentId: agent, createdSecondsAgo: 400 }],
        ['delta', { priority: 'medium', status: 'in_progress', createdSecondsAgo: 300 }],
        ['echo', { priority: 'medium', status: 'completed', createdSecondsAgo: 200 }],
        ['foxtrot 50%_off', { priority: 'low', createdSecondsAgo: 100 }],
      ] as const;
      for (const [title, overrides] of plan) {
        made[title.split(' ')[0]] = await createTask(source, { title, ...overrides });
      }
      // Whole milliseconds, so that a JavaScript Date names a stored time exactly and bounds can be tested.
      await source.query(`UPDATE tasks SET created_at = date_trunc('milliseconds', created_at)`);
      for (const [name, task] of Object.entries(made)) {
        made[name] = (await tasks.getById(task.id))!;
      }
    });

    it('filters by status and priority lists, team, agent and parent, and combines them', async () => {
      expect(await titles({ status: ['todo'] })).toEqual(['parent', 'alpha', 'bravo', 'foxtrot 50%_off']);
      expect(await titles({ status: ['in_progress', 'completed'] })).toEqual(['delta', 'echo']);
      expect(await titles({ priority: ['high', 'critical'] })).toEqual(['bravo', 'charlie']);
      expect(await titles({ teamId: team })).toEqual(['alpha']);
      expect(await titles({ agentId: agent })).toEqual(['charlie']);
      expect(await titles({ parentTaskId: made.parent.id })).toEqual(['bravo']);
      expect(await titles({ status: ['todo'], priority: ['low'] })).toEqual(['alpha', 'foxtrot 50%_off']);
      expect(await titles({ teamId: team, status: ['completed'] })).toEqual([]);
      expect(await titles({ teamId: randomUUID() })).toEqual([]);
    });

    it('searches titles case-insensitively, taking % and _ literally', async () => {
      expect(await titles({ q: 'ALPH' })).toEqual(['alpha']);
      expect(await titles({ q: '50%_off' })).toEqual(['foxtrot 50%_off']);
      expect(await titles({ q: 'a%a' })).toEqual([]);
      expect(await titles({ q: 'a_p' })).toEqual([]);
    });

    it('filters by created and updated ranges, bounds included', async () => {
      const { charlie, delta } = made;
      expect(await titles({ createdFrom: charlie.createdAt, createdTo: delta.createdAt })).toEqual([
        'charlie',
        'delta',
      ]);
      await tasks.applyChange(made.alpha.id, change('touched last'));
      const alpha = (await tasks.getById(made.alpha.id))!;
      expect(await titles({ updatedFrom: alpha.updatedAt })).toEqual(['alpha']);
      expect(await titles({ updatedTo: new Date(alpha.updatedAt.getTime() - 1) })).not.toContain('alpha');
      expect(await titles({ createdFrom: new Date('2999-01-01T00:00:00Z') })).toEqual([]);
    });

    it('sorts by title, priority, createdAt and updatedAt, both ways, ties broken by id', async () => {
      const byTitle = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot 50%_off', 'parent'];
      expect(await titles({ sort: { column: 'title', direction: 'ASC' } })).toEqual(byTitle);
      expect(await titles({ sort: { column: 'title', direction: 'DESC' } })).toEqual([...byTitle].reverse());
      expect(await titles({ sort: { column: 'createdAt', direction: 'DESC' } })).toEqual([
        'foxtrot 50%_off',
        'echo',
        'delta',
        'charlie',
        'bravo',
        'alpha',
        'parent',
      ]);
      const byPriority = (await tasks.search(all({ sort: { column: 'priority', direction: 'DESC' } }))).rows;
      expect(byPriority.map((row) => row.priority)).toEqual([
        'critical',
        'high',
        'medium',
        'medium',
        'medium',
        'low',
        'low',
      ]);
      const mediums = byPriority.filter((row) => row.priority === 'medium').map((row) => row.id);
      expect(mediums).toEqual([...mediums].sort().reverse());
      await tasks.applyChange(made.delta.id, change('touched'));
      expect((await titles({ sort: { column: 'updatedAt', direction: 'DESC' } }))[0]).toBe('delta');
      expect((await titles({ sort: { column: 'updatedAt', direction: 'ASC' } })).at(-1)).toBe('delta');
    });

    it('pages with limit and offset over a stable order, with the total and whether more follow', async () => {
      const sort = { column: 'title', direction: 'ASC' } as const;
      const pages = [];
      for (const offset of [0, 3, 6, 9]) {
        const page = await repositories[offset % 3].search(all({ sort, limit: 3, offset }));
        pages.push({ titles: page.rows.map((row) => row.title), total: page.total, more: page.more });
        expect(page.totalIsExact).toBe(true);
      }
      expect(pages).toEqual([
        { titles: ['alpha', 'bravo', 'charlie'], total: 7, more: true },
        { titles: ['delta', 'echo', 'foxtrot 50%_off'], total: 7, more: true },
        { titles: ['parent'], total: 7, more: false },
        { titles: [], total: 7, more: false },
      ]);
    });

    it('continues after a cursor position instead of an offset, in either direction', async () => {
      const first = await tasks.search(all({ sort: { column: 'title', direction: 'ASC' }, limit: 2 }));
      const last = first.rows.at(-1)!;
      const next = await tasks.search(
        all({
          sort: { column: 'title', direction: 'ASC' },
          limit: 2,
          after: { sort: 'title', key: last.sortKey, id: last.id },
        }),
      );
      expect(next.rows.map((row) => row.title)).toEqual(['charlie', 'delta']);
      const back = await tasks.search(
        all({
          sort: { column: 'title', direction: 'DESC' },
          after: { sort: '-title', key: 'charlie', id: made.charlie.id },
        }),
      );
      expect(back.rows.map((row) => row.title)).toEqual(['bravo', 'alpha']);
    });

    it('leaves the history out unless asked for it', async () => {
      const [without] = (await tasks.search(all({ limit: 1 }))).rows;
      const [withHistory] = (await tasks.search(all({ limit: 1, withHistory: true }))).rows;
      expect(without).not.toHaveProperty('history');
      expect(withHistory.history).toEqual(made.parent.history);
    });
  });

  it('deletes a task once', async () => {
    const task = await createTask(source);
    expect(await tasks.delete(task.id)).toBe(true);
    expect(await tasks.delete(task.id)).toBe(false);
    expect(await tasks.getById(task.id)).toBeNull();
  });
});
