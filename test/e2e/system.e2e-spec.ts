import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Gauge } from 'prom-client';
import request from 'supertest';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { StatsSnapshotJob } from '../../src/modules/scheduler/jobs/stats-snapshot.job.js';
import { HubMetricsService } from '../../src/modules/system/metrics/hub-metrics.service.js';
import { createUser, tokenFor } from '../factories/user.factory.js';
import { allAuditEntries, refusal } from '../utils/api.js';
import { errorBody, successBody } from '../utils/envelope.js';
import type { AuditEntry, Page, Registration } from '../utils/payloads.js';
import {
  type ConfigEntry,
  expectConfigEntry,
  expectStatsShape,
  histogramProblems,
  ISO_INSTANT,
  nonZero,
  parsePrometheusText,
  parsePromValue,
  type PromExposition,
  type Stats,
  type StatsSnapshot,
  samplesOf,
} from '../utils/system-helpers.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

const METRICS_TOKEN = 'metrics-token-0123456789';
const KIB = 1024;
const MIB = 1024 * KIB;
const UUID_ANYWHERE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

const admin = (): Headers => bearer(TEST_AGENT_TOKEN);

/** Registers an agent with the admin (hub) token; returns its id and key. */
async function registerAgent(server: Server, label: string): Promise<{ id: string; key: string }> {
  const name = unique(label);
  const response = await request(server)
    .post('/api/agents/register')
    .set(admin())
    .send({ name, url: `http://${name}.agents.test:5001` });
  expect(response.status).toBe(200);
  const { agent, agentKey } = successBody<Registration>(response).data;
  expect(typeof agentKey).toBe('string');
  return { id: agent.id, key: agentKey! };
}

/** Creates a task through the API with the admin token; returns its id. */
async function createTask(server: Server, title: string): Promise<string> {
  const response = await request(server).post('/api/tasks').set(admin()).send({ title });
  expect(response.status).toBe(201);
  const task = successBody<{ id: string; status: string }>(response).data;
  expect(task.status).toBe('todo');
  return task.id;
}

async function moveTask(server: Server, id: string, status: string): Promise<void> {
  const response = await request(server).post(`/api/tasks/${id}/status`).set(admin()).send({ status });
  expect({ status: response.status, taskStatus: successBody<{ status: string }>(response).data?.status }).toEqual({
    status: 200,
    taskStatus: status,
  });
}

describe('System: config store (SPEC sections 9, 12)', () => {
  let hub: TestApp;
  let userToken: string;
  let agentKey: string;

  beforeAll(async () => {
    hub = await startTestApp();
    userToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'user' })).user);
    agentKey = (await registerAgent(hub.server, 'config-reader')).key;
  });
  afterAll(async () => {
    await hub?.close();
  });

  const db = (): DataSource => hub.app.get(DataSource);
  const path = (key: string): string => `/api/config/${encodeURIComponent(key)}`;
  const put = (key: string, body: unknown, headers: Headers = admin()) =>
    request(hub.server)
      .put(path(key))
      .set(headers)
      .send(body as object);
  const get = (key: string, headers: Headers) => request(hub.server).get(path(key)).set(headers);
  const list = (headers: Headers) => request(hub.server).get('/api/config').set(headers);
  const del = (key: string, headers: Headers = admin()) => request(hub.server).delete(path(key)).set(headers);
  const readers = (): Array<[string, Headers]> => [
    ['admin', admin()],
    ['user', bearer(userToken)],
    ['agent', bearer(agentKey)],
  ];

  /** The stored rows for a key, read with SQL (the real value, never masked). */
  const storedRows = (key: string): Promise<Array<{ value: unknown }>> =>
    db().query<Array<{ value: unknown }>>('SELECT value FROM config WHERE key = $1', [key]);

  async function listed(headers: Headers): Promise<ConfigEntry[]> {
    const response = await list(headers);
    expect(response.status).toBe(200);
    const page = successBody<Page<ConfigEntry>>(response).data;
    expect(page).toEqual({ items: expect.any(Array), total: page.items.length, limit: 50, offset: 0 });
    return page.items;
  }

  const JSON_VALUES: Array<[string, unknown]> = [
    ['an object', { limits: { max: 5, ratio: 0.25 }, names: ['a', 'b'], on: true, none: null }],
    ['an array', [1, 'two', { three: 3 }, [false], null]],
    ['a string', 'hello wörld'],
    ['a number', 42.5],
    ['zero', 0],
    ['a boolean', false],
    ['null', null],
  ];

  it.each(JSON_VALUES)(
    'stores %s and returns it from PUT, GET and the list (user and agent may read)',
    async (_label, value) => {
      const key = unique('json.value');
      const written = await put(key, { value });
      expect(written.status).toBe(200);
      const entry = expectConfigEntry(successBody(written).data, key, value);

      for (const [reader, headers] of readers()) {
        const one = await get(key, headers);
        expect({ reader, status: one.status }).toEqual({ reader, status: 200 });
        expect(successBody(one).data).toEqual({ key, value, updatedAt: entry.updatedAt });
        expect((await listed(headers)).filter((item) => item.key === key)).toEqual([
          { key, value, updatedAt: entry.updatedAt },
        ]);
      }
      expect(await storedRows(key)).toEqual([{ value }]);
    },
  );

  it('replaces an existing value and moves updatedAt forward', async () => {
    const key = unique('replace');
    const initial = await put(key, { value: 1 });
    expect(initial.status).toBe(200);
    const first = expectConfigEntry(successBody(initial).data, key, 1);
    const second = await put(key, { value: { now: 2 } });
    expect(second.status).toBe(200);
    const entry = expectConfigEntry(successBody(second).data, key, { now: 2 });
    expect(Date.parse(entry.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.updatedAt));
    expect(await storedRows(key)).toEqual([{ value: { now: 2 } }]);
  });

  it('refuses reads without a credential (401)', async () => {
    const key = unique('anon');
    expect((await put(key, { value: 'x' })).status).toBe(200);
    expect(refusal(await get(key, {}))).toEqual({ status: 401, code: 'unauthenticated' });
    expect(refusal(await list({}))).toEqual({ status: 401, code: 'unauthenticated' });
  });

  it('masks secret-looking keys on every read while the row keeps the real value', async () => {
    const apiKey = `sk-proj-${randomBytes(12).toString('hex')}`;
    const smtpPassword = `smtp-pw-${randomBytes(12).toString('hex')}`;
    const dbPassword = `db-pw-${randomBytes(12).toString('hex')}`;
    const writes: Array<[string, unknown, unknown]> = [
      ['openai_api_key', apiKey, '***'],
      ['smtp_password', smtpPassword, '***'],
      ['database', { db: { password: dbPassword, host: 'h' } }, { db: { password: '***', host: 'h' } }],
    ];
    for (const [key, value] of writes) {
      expect((await put(key, { value })).status).toBe(200);
    }

    for (const [reader, headers] of readers()) {
      const all = await listed(headers);
      for (const [key, , masked] of writes) {
        const one = await get(key, headers);
        expect({ reader, key, status: one.status, value: successBody<ConfigEntry>(one).data.value }).toEqual({
          reader,
          key,
          status: 200,
          value: masked,
        });
        expect({ reader, key, listed: all.filter((item) => item.key === key).map((item) => item.value) }).toEqual({
          reader,
          key,
          listed: [masked],
        });
      }
      const text = JSON.stringify(all);
      for (const secret of [apiKey, smtpPassword, dbPassword]) {
        expect({ reader, leaked: text.includes(secret) }).toEqual({ reader, leaked: false });
      }
    }

    for (const [key, value] of writes) {
      expect(await storedRows(key)).toEqual([{ value }]);
    }
  });

  it('accepts a value of exactly 64 KiB as JSON and refuses one byte more (400)', async () => {
    const key = unique('size');
    const fits = 'a'.repeat(64 * KIB - 2); // JSON adds two quotes: 65536 bytes
    expect((await put(key, { value: fits })).status).toBe(200);
    expect(await storedRows(key)).toEqual([{ value: fits }]);

    const tooBig = await put(key, { value: `${fits}b` });
    expect(refusal(tooBig)).toEqual({ status: 400, code: 'validation_failed' });
    expect(errorBody(tooBig).data.details?.map((detail) => detail.field)).toEqual(['value']);
    const objectTooBig = await put(key, { value: { list: ['x'.repeat(40 * KIB), 'y'.repeat(30 * KIB)] } });
    expect(refusal(objectTooBig)).toEqual({ status: 400, code: 'validation_failed' });
    expect(await storedRows(key)).toEqual([{ value: fits }]);
  });

  it('answers 413 payload_too_large for a body over 1 MiB and stores nothing', async () => {
    const key = unique('huge');
    const response = await put(key, { value: 'z'.repeat(MIB) });
    expect(refusal(response)).toEqual({ status: 413, code: 'payload_too_large' });
    expect(await storedRows(key)).toEqual([]);
  });

  it.each([
    ['with a space and "!"', 'bad key!'],
    ['of 129 characters', 'k'.repeat(129)],
    ['with a slash-free but invalid character', 'bad$key'],
  ])('refuses a key %s (400) on PUT, GET and DELETE', async (_label, key) => {
    expect(refusal(await put(key, { value: 1 }))).toEqual({ status: 400, code: 'validation_failed' });
    expect(refusal(await get(key, admin()))).toEqual({ status: 400, code: 'validation_failed' });
    expect(refusal(await del(key))).toEqual({ status: 400, code: 'validation_failed' });
    expect(await storedRows(key)).toEqual([]);
  });

  it('accepts a key of exactly 128 characters with letters, digits, ".", "_" and "-"', async () => {
    const key = `Ab9._-${'k'.repeat(122)}`;
    expect(key).toHaveLength(128);
    const response = await put(key, { value: 'edge' });
    expect(response.status).toBe(200);
    expectConfigEntry(successBody(response).data, key, 'edge');
    expect(await storedRows(key)).toEqual([{ value: 'edge' }]);
  });

  it('refuses a body without value (400)', async () => {
    const key = unique('novalue');
    const response = await put(key, {});
    expect(refusal(response)).toEqual({ status: 400, code: 'validation_failed' });
    expect(errorBody(response).data.details?.map((detail) => detail.field)).toContain('value');
    expect(await storedRows(key)).toEqual([]);
  });

  it('refuses an unknown body field (400)', async () => {
    const key = unique('unknown');
    const response = await put(key, { value: 1, extra: true });
    expect(refusal(response)).toEqual({ status: 400, code: 'validation_failed' });
    expect(errorBody(response).data.details?.map((detail) => detail.field)).toContain('extra');
    expect(await storedRows(key)).toEqual([]);
  });

  it('refuses writes by a plain user or an agent (403) and without a credential (401), changing nothing', async () => {
    const key = unique('guarded');
    expect((await put(key, { value: 'original' })).status).toBe(200);
    for (const [who, headers] of [
      ['user', bearer(userToken)],
      ['agent', bearer(agentKey)],
    ] as Array<[string, Headers]>) {
      expect({ who, ...refusal(await put(key, { value: 'changed' }, headers)) }).toEqual({
        who,
        status: 403,
        code: 'forbidden',
      });
      expect({ who, ...refusal(await del(key, headers)) }).toEqual({ who, status: 403, code: 'forbidden' });
      expect({ who, ...refusal(await put(unique('new'), { value: 1 }, headers)) }).toEqual({
        who,
        status: 403,
        code: 'forbidden',
      });
    }
    expect(refusal(await put(key, { value: 'changed' }, {}))).toEqual({ status: 401, code: 'unauthenticated' });
    expect(refusal(await del(key, {}))).toEqual({ status: 401, code: 'unauthenticated' });
    expect(await storedRows(key)).toEqual([{ value: 'original' }]);
  });

  it('deletes a key (204), after which GET and DELETE answer 404 config_key_not_found', async () => {
    const key = unique('doomed');
    expect((await put(key, { value: [1] })).status).toBe(200);
    const deleted = await del(key);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect(refusal(await get(key, admin()))).toEqual({ status: 404, code: 'config_key_not_found' });
    expect(refusal(await del(key))).toEqual({ status: 404, code: 'config_key_not_found' });
    expect((await listed(admin())).map((item) => item.key)).not.toContain(key);
    expect(await storedRows(key)).toEqual([]);
  });

  it('answers 404 config_key_not_found for a key that was never set', async () => {
    expect(refusal(await get(unique('never'), bearer(userToken)))).toEqual({
      status: 404,
      code: 'config_key_not_found',
    });
  });

  it('audits config.updated and config.deleted without secret values', async () => {
    const apiKey = `sk-audit-${randomBytes(12).toString('hex')}`;
    const dbPassword = `db-audit-${randomBytes(12).toString('hex')}`;
    const secretKey = unique('github_token');
    const nestedKey = unique('database');
    const plainKey = unique('max_tasks');
    expect((await put(secretKey, { value: apiKey })).status).toBe(200);
    expect((await put(nestedKey, { value: { db: { password: dbPassword, host: 'h' } } })).status).toBe(200);
    expect((await put(plainKey, { value: 7 })).status).toBe(200);
    expect((await del(secretKey)).status).toBe(204);

    const updated = await allAuditEntries(hub.server, TEST_AGENT_TOKEN, 'action=config.updated');
    const deleted = await allAuditEntries(hub.server, TEST_AGENT_TOKEN, 'action=config.deleted');
    const only = (entries: AuditEntry[], key: string): AuditEntry => {
      const matching = entries.filter((entry) => entry.targetId === key);
      expect({ key, count: matching.length }).toEqual({ key, count: 1 });
      return matching[0];
    };
    const common = { targetType: 'config', outcome: 'success', actorType: 'hub-token' };
    expect(only(updated, secretKey)).toMatchObject({ ...common, action: 'config.updated' });
    expect(only(updated, secretKey).details.value).toBe('***'); // the masked value, as readers see it
    expect(only(updated, nestedKey).details.value).toEqual({ db: { password: '[REDACTED]', host: 'h' } });
    expect(only(updated, plainKey).details.value).toBe(7);
    expect(only(deleted, secretKey)).toMatchObject({ ...common, action: 'config.deleted' });

    const everything = JSON.stringify(await allAuditEntries(hub.server, TEST_AGENT_TOKEN));
    const rows = await db().query<Array<{ text: string }>>('SELECT row_to_json(a)::text AS text FROM audit_logs a');
    for (const secret of [apiKey, dbPassword]) {
      expect({ secret, inApi: everything.includes(secret) }).toEqual({ secret, inApi: false });
      expect({ secret, inTable: rows.some((row) => row.text.includes(secret)) }).toEqual({ secret, inTable: false });
    }
  });

  it('keeps out of the audit log every inner value that reads mask', async () => {
    const secrets = {
      passwd: `passwd-${randomBytes(10).toString('hex')}`,
      client_credentials: `cred-${randomBytes(10).toString('hex')}`,
      private_key: `pk-${randomBytes(10).toString('hex')}`,
      apiToken: `tok-${randomBytes(10).toString('hex')}`,
    };
    const key = unique('mailer');
    expect((await put(key, { value: { smtp: { ...secrets, host: 'mail.example.test' } } })).status).toBe(200);

    // Reads mask all four inner fields ...
    expect(successBody<ConfigEntry>(await get(key, admin())).data.value).toEqual({
      smtp: {
        passwd: '***',
        client_credentials: '***',
        private_key: '***',
        apiToken: '***',
        host: 'mail.example.test',
      },
    });
    // ... so none of them may be written to the audit log either.
    const entry = (await allAuditEntries(hub.server, TEST_AGENT_TOKEN, 'action=config.updated')).find(
      (item) => item.targetId === key,
    );
    expect(entry).toBeDefined();
    const text = JSON.stringify(entry);
    const leaked = Object.entries(secrets)
      .filter(([, secret]) => text.includes(secret))
      .map(([field]) => field);
    expect(leaked).toEqual([]);
  });

  it('reads the template allow-list from template_variables_allowlist', async () => {
    const promptTemplate = '{{colour}} {{team_goal}}';
    const createTemplate = async (): Promise<string[]> => {
      const response = await request(hub.server)
        .post('/api/templates')
        .set(admin())
        .send({ name: unique('tpl'), promptTemplate });
      expect(response.status).toBe(201);
      const { warnings } = successBody<{ warnings: Array<{ variables?: string[] }> }>(response).data;
      return warnings.flatMap((warning) => warning.variables ?? []);
    };

    // The built-in list knows team_goal but not colour.
    expect(await createTemplate()).toEqual(['colour']);

    const response = await put('template_variables_allowlist', { value: ['colour'] });
    expect(response.status).toBe(200);
    expectConfigEntry(successBody(response).data, 'template_variables_allowlist', ['colour']);
    expect(await createTemplate()).toEqual(['team_goal']);
  });
});

describe('System: statistics and their history (SPEC section 9)', () => {
  const RETENTION_DAYS = 3;
  let hub: TestApp;
  let userToken: string;
  let agentKey: string;

  beforeAll(async () => {
    hub = await startTestApp({ env: { STATS_RETENTION_DAYS: String(RETENTION_DAYS) } });
    userToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'user' })).user);
    agentKey = (await registerAgent(hub.server, 'stats-a')).key;
    await registerAgent(hub.server, 'stats-b');
    const tasks = [
      await createTask(hub.server, 'stats one'),
      await createTask(hub.server, 'stats two'),
      await createTask(hub.server, 'stats three'),
    ];
    await moveTask(hub.server, tasks[0], 'in_progress');
    for (const enabled of [true, false]) {
      const schedule = await request(hub.server)
        .post('/api/scheduled-tasks')
        .set(admin())
        .send({ name: unique('stats-schedule'), intervalSeconds: 3600, enabled, task: { title: 'scheduled' } });
      expect(schedule.status).toBe(201);
    }
  });
  afterAll(async () => {
    await hub?.close();
  });

  const db = (): DataSource => hub.app.get(DataSource);
  const job = (): StatsSnapshotJob => hub.app.get(StatsSnapshotJob, { strict: false });
  const live = async (headers: Headers = admin()): Promise<Stats> => {
    const response = await request(hub.server).get('/api/stats').set(headers);
    expect(response.status).toBe(200);
    const data: unknown = successBody(response).data;
    expectStatsShape(data);
    return data;
  };
  const history = (query: Record<string, string | number> = {}) =>
    request(hub.server).get('/api/stats/history').query(query).set(admin());
  const snapshots = async (query: Record<string, string | number> = {}): Promise<StatsSnapshot[]> => {
    const response = await history(query);
    expect(response.status).toBe(200);
    const page = successBody<Page<StatsSnapshot>>(response).data;
    expect(page).toEqual({ items: expect.any(Array), total: expect.any(Number), limit: expect.any(Number), offset: 0 });
    expect(page.total).toBeGreaterThanOrEqual(page.items.length);
    return page.items;
  };
  const snapshotIds = async (): Promise<string[]> =>
    (await db().query<Array<{ id: string }>>('SELECT id::text AS id FROM stats_snapshots ORDER BY id')).map(
      (row) => row.id,
    );

  /** Minute-aligned slots far from the real clock, so no other tick can claim them. */
  let nextSlot = Math.floor(Date.UTC(2031, 0, 1) / 60_000) * 60_000;
  const tickNextSlot = async (): Promise<boolean> => {
    const at = new Date(nextSlot + 1_000);
    nextSlot += 60_000;
    return job().tick(at);
  };

  it('GET /api/stats counts what exists, by status, with scheduler and process figures', async () => {
    const stats = await live();
    expect(stats.agents.total).toBe(2);
    expect(nonZero(stats.agents.byStatus)).toEqual({ online: 2 });
    expect(stats.tasks.total).toBe(3);
    expect(nonZero(stats.tasks.byStatus)).toEqual({ todo: 2, in_progress: 1 });
    expect(stats.scheduler).toEqual({ enabled: false, schedules: 2, enabledSchedules: 1 });
  });

  it('GET /api/stats follows changes', async () => {
    const before = await live();
    const id = await createTask(hub.server, 'stats four');
    await moveTask(hub.server, id, 'cancelled');
    const after = await live();
    expect(after.tasks.total).toBe(before.tasks.total + 1);
    expect(after.tasks.byStatus.cancelled ?? 0).toBe((before.tasks.byStatus.cancelled ?? 0) + 1);
    expect(after.tasks.byStatus.todo ?? 0).toBe(before.tasks.byStatus.todo ?? 0);
  });

  it('is readable by users and agents, not anonymously', async () => {
    await live(bearer(userToken));
    await live(bearer(agentKey));
    expect(refusal(await request(hub.server).get('/api/stats'))).toEqual({ status: 401, code: 'unauthenticated' });
    expect(refusal(await request(hub.server).get('/api/stats/history'))).toEqual({
      status: 401,
      code: 'unauthenticated',
    });
  });

  it('stores one snapshot per slot and lists them newest first with the live shape', async () => {
    await db().query('DELETE FROM stats_snapshots');
    const totals: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      totals.push((await live()).tasks.total);
      expect(await tickNextSlot()).toBe(true);
      await createTask(hub.server, `history ${i}`);
    }
    // A second tick in a slot already taken stores nothing.
    expect(await job().tick(new Date(nextSlot - 30_000))).toBe(false);

    const list = await snapshots();
    expect(list).toHaveLength(3);
    for (const snapshot of list) {
      expect(Object.keys(snapshot).sort()).toEqual(['stats', 'takenAt']);
      expect(snapshot.takenAt).toMatch(ISO_INSTANT);
      expectStatsShape(snapshot.stats);
    }
    const takenAt = list.map((snapshot) => Date.parse(snapshot.takenAt));
    expect([...takenAt].sort((a, b) => b - a)).toEqual(takenAt);
    expect(list.map((snapshot) => snapshot.stats.tasks.total)).toEqual([...totals].reverse());
  });

  it('narrows the history with from, to and limit', async () => {
    await db().query('DELETE FROM stats_snapshots');
    for (let i = 0; i < 3; i += 1) {
      expect(await tickNextSlot()).toBe(true);
    }
    const ids = await snapshotIds();
    expect(ids).toHaveLength(3);
    const hour = 3_600_000;
    const base = Math.floor(Date.now() / hour) * hour;
    const times = [base - 3 * hour, base - 2 * hour, base - hour].map((ms) => new Date(ms).toISOString());
    for (const [index, id] of ids.entries()) {
      await db().query('UPDATE stats_snapshots SET taken_at = $1 WHERE id = $2', [times[index], id]);
    }
    const takenAt = async (query: Record<string, string | number>): Promise<string[]> =>
      (await snapshots(query)).map((snapshot) => snapshot.takenAt);

    expect(await takenAt({})).toEqual([times[2], times[1], times[0]]);
    expect(await takenAt({ from: times[1] })).toEqual([times[2], times[1]]);
    expect(await takenAt({ to: times[1] })).toEqual([times[1], times[0]]);
    expect(await takenAt({ from: times[1], to: times[1] })).toEqual([times[1]]);
    expect(await takenAt({ from: times[0], to: times[2] })).toEqual([times[2], times[1], times[0]]);
    expect(await takenAt({ from: new Date(base - 90 * 60_000).toISOString() })).toEqual([times[2]]);
    expect(await takenAt({ from: new Date(base).toISOString() })).toEqual([]);
    expect(await takenAt({ limit: 1 })).toEqual([times[2]]);
    expect(await takenAt({ limit: 2 })).toEqual([times[2], times[1]]);
    expect(await takenAt({ to: times[2], limit: 2 })).toEqual([times[2], times[1]]);
  });

  it.each([
    ['from', 'yesterday'],
    ['from', '2026-13-45T00:00:00Z'],
    ['to', 'not-a-date'],
    ['limit', '0'],
    ['limit', 'abc'],
  ])('refuses a bad %s (%s) with 400', async (field, value) => {
    const response = await history({ [field]: value });
    expect(refusal(response)).toEqual({ status: 400, code: 'validation_failed' });
    expect(errorBody(response).data.details?.map((detail) => detail.field)).toContain(field);
  });

  it('removes snapshots older than STATS_RETENTION_DAYS at the next snapshot tick', async () => {
    const insert = async (daysAgo: number): Promise<string> => {
      const [row] = await db().query<Array<{ id: string }>>(
        `INSERT INTO stats_snapshots (taken_at, stats) VALUES (now() - make_interval(days => $1), '{}'::jsonb)
         RETURNING id::text AS id`,
        [daysAgo],
      );
      return row.id;
    };
    const tooOld = await insert(RETENTION_DAYS + 1);
    const stillKept = await insert(RETENTION_DAYS - 1);
    const before = await snapshotIds();
    expect(before).toEqual(expect.arrayContaining([tooOld, stillKept]));

    expect(await tickNextSlot()).toBe(true);

    const after = await snapshotIds();
    expect(after).not.toContain(tooOld);
    expect(after).toContain(stillKept);
    // Exactly the old one went and exactly one new snapshot came.
    expect(after.filter((id) => !before.includes(id))).toHaveLength(1);
    expect(before.filter((id) => !after.includes(id))).toEqual([tooOld]);
  });
});

describe('the strict Prometheus text parser used below', () => {
  const valid = [
    '# HELP a_total Requests, with a \\\\ and a \\n in the help',
    '# TYPE a_total counter',
    'a_total{method="GET",route="/x",} 3',
    'a_total{method="P\\"OST\\\\\\n"} 1.5e3',
    '# TYPE g gauge',
    'g NaN',
    'g{k="v"} -Inf',
    '# TYPE h histogram',
    'h_bucket{le="0.5"} 1',
    'h_bucket{le="+Inf"} 2',
    'h_sum 0.7',
    'h_count 2',
    '',
  ].join('\n');

  it('accepts valid exposition text', () => {
    const parsed = parsePrometheusText(valid);
    expect(parsed.families.get('a_total')).toMatchObject({
      type: 'counter',
      help: 'Requests, with a \\ and a \n in the help',
    });
    expect(samplesOf(parsed, 'a_total', { method: 'P"OST\\\n' })[0].value).toBe(1500);
    expect(samplesOf(parsed, 'g', { k: 'v' })[0].value).toBe(Number.NEGATIVE_INFINITY);
    expect(histogramProblems(parsed, 'h')).toEqual([]);
    expect(parsePromValue('+Inf')).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    ['a value that is not a number', 'x 1,5\n'],
    ['a missing value', 'x{a="b"}\n'],
    ['a timestamp or trailing token', 'x 1 2 3\n'],
    ['an unquoted label value', 'x{a=b} 1\n'],
    ['an invalid label name', 'x{1a="b"} 1\n'],
    ['an invalid escape in a label', 'x{a="\\t"} 1\n'],
    ['an unterminated label value', 'x{a="b} 1\n'],
    ['a duplicate label', 'x{a="1",a="2"} 1\n'],
    ['an invalid metric name', '1x 1\n'],
    ['an unknown type', '# TYPE x countr\n'],
    ['a free comment', '# hello\nx 1\n'],
    ['a TYPE after samples', 'x 1\n# TYPE x gauge\n'],
    ['a second TYPE', '# TYPE x gauge\n# TYPE x gauge\n'],
    ['a histogram sample without suffix', '# TYPE h histogram\nh 1\n'],
    ['a bucket without le', '# TYPE h histogram\nh_bucket 1\n'],
    ['a split family', '# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{a="b"} 2\n'],
    ['a duplicate series', 'x{a="b"} 1\nx{a="b"} 2\n'],
    ['no final line feed', 'x 1'],
  ])('rejects %s', (_label, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });

  it('finds histogram inconsistencies', () => {
    const parsed = parsePrometheusText(
      '# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="2"} 2\nh_bucket{le="+Inf"} 4\nh_sum 1\nh_count 5\n',
    );
    expect(histogramProblems(parsed, 'h')).toHaveLength(2);
  });
});

describe('System: Prometheus metrics (SPEC section 9)', () => {
  let hub: TestApp;
  let userToken: string;
  let adminUserToken: string;
  let agentKey: string;
  let taskId: string;
  const missingTaskId = randomUUID();
  const unmatchedId = randomUUID();

  beforeAll(async () => {
    hub = await startTestApp();
    userToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'user' })).user);
    adminUserToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'admin' })).user);
    agentKey = (await registerAgent(hub.server, 'metrics-a')).key;
    await registerAgent(hub.server, 'metrics-b');
    const ids = [
      await createTask(hub.server, 'metrics one'),
      await createTask(hub.server, 'metrics two'),
      await createTask(hub.server, 'metrics three'),
    ];
    await moveTask(hub.server, ids[2], 'in_progress');
    taskId = ids[0];
    for (let i = 0; i < 3; i += 1) {
      expect((await request(hub.server).get('/api/health')).status).toBe(200);
    }
    expect((await request(hub.server).get(`/api/tasks/${taskId}`).set(admin())).status).toBe(200);
    expect((await request(hub.server).get(`/api/tasks/${missingTaskId}`).set(admin())).status).toBe(404);
    expect((await request(hub.server).get(`/api/no-such-route/${unmatchedId}`).set(admin())).status).toBe(404);
  });
  afterAll(async () => {
    await hub?.close();
  });

  const scrape = (headers: Headers, server: Server = hub.server) => request(server).get('/api/metrics').set(headers);

  /** A successful scrape: text/plain in the Prometheus format, not the JSON envelope; returns the text. */
  function exposition(response: Response): string {
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain(;|$)/);
    expect(response.headers['content-type']).toMatch(/version=0\.0\.4/);
    expect(response.text.trimStart().startsWith('{')).toBe(false);
    expect(response.text.length).toBeGreaterThan(0);
    return response.text;
  }

  let parsed: PromExposition;
  let text: string;
  const value = (name: string, labels: Record<string, string>): number | undefined => {
    const matching = samplesOf(parsed, name, labels);
    expect(matching.length).toBeLessThanOrEqual(1);
    return matching[0]?.value;
  };

  it('refuses a scrape without credentials (401)', async () => {
    expect(refusal(await scrape({}))).toEqual({ status: 401, code: 'unauthenticated' });
  });

  it('refuses a plain user (403) and an agent (403)', async () => {
    expect(refusal(await scrape(bearer(userToken)))).toEqual({ status: 403, code: 'forbidden' });
    expect(refusal(await scrape(bearer(agentKey)))).toEqual({ status: 403, code: 'forbidden' });
  });

  it('refuses a METRICS_TOKEN-like bearer when no METRICS_TOKEN is configured (401)', async () => {
    expect(refusal(await scrape(bearer(METRICS_TOKEN)))).toEqual({ status: 401, code: 'unauthenticated' });
  });

  it('serves Prometheus text to the admin token', async () => {
    // The hub's first scrape: the content tests below read this one.
    text = exposition(await scrape(admin()));
    parsed = parsePrometheusText(text);
    expect(parsed.samples.length).toBeGreaterThan(0);
  });

  it('serves Prometheus text to an admin user', async () => {
    const body = exposition(await scrape(bearer(adminUserToken)));
    expect(body).toMatch(/^# TYPE ananta_http_requests_total counter$/m);
  });

  it('contains the default process metrics', () => {
    expect(parsed.families.get('process_cpu_user_seconds_total')).toMatchObject({ type: 'counter' });
    expect(samplesOf(parsed, 'process_cpu_user_seconds_total')).toHaveLength(1);
    expect(parsed.families.get('process_cpu_user_seconds_total')?.help).toBeTruthy();
  });

  it('counts HTTP requests by route pattern', () => {
    expect(parsed.families.get('ananta_http_requests_total')).toMatchObject({ type: 'counter' });
    expect(parsed.families.get('ananta_http_requests_total')?.help).toBeTruthy();
    expect(value('ananta_http_requests_total', { method: 'GET', route: '/api/health', status: '200' })).toBe(3);
    expect(value('ananta_http_requests_total', { method: 'GET', route: '/api/tasks/:id', status: '200' })).toBe(1);
    expect(value('ananta_http_requests_total', { method: 'GET', route: '/api/tasks/:id', status: '404' })).toBe(1);
    expect(value('ananta_http_requests_total', { method: 'POST', route: '/api/tasks', status: '201' })).toBe(3);
  });

  it('never uses a raw URL as a route label', () => {
    for (const id of [taskId, missingTaskId, unmatchedId]) {
      expect({ id, inText: text.includes(id) }).toEqual({ id, inText: false });
    }
    const routes = [...new Set(parsed.samples.map((sample) => sample.labels.route).filter((r) => r !== undefined))];
    expect(routes).toContain('/api/health');
    expect(routes.filter((route) => UUID_ANYWHERE.test(route) || route.includes('?'))).toEqual([]);
  });

  it('has a request-duration histogram with consistent buckets', () => {
    expect(parsed.families.get('ananta_http_request_duration_seconds')).toMatchObject({ type: 'histogram' });
    const buckets = samplesOf(parsed, 'ananta_http_request_duration_seconds_bucket', { route: '/api/health' });
    expect(buckets.length).toBeGreaterThan(1);
    expect(buckets.map((bucket) => bucket.labels.le)).toContain('+Inf');
    expect(
      value('ananta_http_request_duration_seconds_count', { method: 'GET', route: '/api/health', status: '200' }),
    ).toBe(3);
    expect(histogramProblems(parsed, 'ananta_http_request_duration_seconds')).toEqual([]);
  });

  it('reports tasks and agents by status', () => {
    expect(parsed.families.get('ananta_tasks')).toMatchObject({ type: 'gauge' });
    expect(parsed.families.get('ananta_agents')).toMatchObject({ type: 'gauge' });
    expect(value('ananta_tasks', { status: 'todo' })).toBe(2);
    expect(value('ananta_tasks', { status: 'in_progress' })).toBe(1);
    expect(value('ananta_agents', { status: 'online' })).toBe(2);
  });

  it('declares callback-delivery and scheduler-run gauges', () => {
    for (const name of ['ananta_callback_deliveries', 'ananta_scheduler_runs']) {
      const family = parsed.families.get(name);
      expect({ name, type: family?.type, hasHelp: (family?.help ?? '').length > 0 }).toEqual({
        name,
        type: 'gauge',
        hasHelp: true,
      });
      expect(text).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
      expect(text).toMatch(new RegExp(`^# TYPE ${name} gauge$`, 'm'));
    }
  });

  it('writes a NaN sample value as "NaN", the only spelling the format knows', async () => {
    // The hub's own registry renders every series; a gauge at NaN (as nodejs_eventloop_lag_* are when no delay
    // was sampled since the previous scrape) shows how the hub writes NaN, without depending on timing.
    const registry = hub.app.get(HubMetricsService, { strict: false }).registry;
    const name = 'system_test_not_a_number';
    new Gauge({ name, help: 'A gauge this test sets to NaN', registers: [registry] }).set(Number.NaN);
    try {
      const body = exposition(await scrape(admin()));
      expect(body.split('\n').filter((line) => line.startsWith(`${name} `))).toEqual([`${name} NaN`]);
    } finally {
      registry.removeSingleMetric(name);
    }
  });

  it('tracks new tasks at the next scrape', async () => {
    await createTask(hub.server, 'metrics four');
    const again = parsePrometheusText(exposition(await scrape(admin())));
    expect(samplesOf(again, 'ananta_tasks', { status: 'todo' }).map((sample) => sample.value)).toEqual([3]);
  });
});

describe('System: Prometheus metrics with METRICS_TOKEN', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await startTestApp({ env: { METRICS_TOKEN } });
  });
  afterAll(async () => {
    await hub?.close();
  });

  const scrape = (headers: Headers) => request(hub.server).get('/api/metrics').set(headers);

  it('serves the metrics to the METRICS_TOKEN bearer', async () => {
    const response = await scrape(bearer(METRICS_TOKEN));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain(;|$)/);
    const parsed = parsePrometheusText(response.text);
    expect(samplesOf(parsed, 'process_cpu_user_seconds_total')).toHaveLength(1);
  });

  it('refuses a wrong token (401) and no token (401), and still serves the admin token', async () => {
    for (const wrong of ['metrics-token-0123456780', `${METRICS_TOKEN}x`, METRICS_TOKEN.slice(0, -1)]) {
      expect({ wrong, ...refusal(await scrape(bearer(wrong))) }).toEqual({
        wrong,
        status: 401,
        code: 'unauthenticated',
      });
    }
    expect(refusal(await scrape({}))).toEqual({ status: 401, code: 'unauthenticated' });
    expect((await scrape(admin())).status).toBe(200);
  });
});
