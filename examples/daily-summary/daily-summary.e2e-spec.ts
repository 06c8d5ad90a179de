import { randomBytes } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createUser, tokenFor } from '../../test/factories/user.factory.js';
import { uniqueAgentUrl } from '../../test/utils/agents-helpers.js';
import { call, codeOf, dataOf, fieldsOf } from '../../test/utils/api.js';
import { CallbackReceiver, expectedSignature } from '../../test/utils/callback-receiver.js';
import type { KeyedRegistration, TaskDto } from '../../test/utils/payloads.js';
import { auditEntries } from '../../test/utils/sessions-helpers.js';
import { startTestApp, type TestApp } from '../../test/utils/test-app.js';
import { TEST_AGENT_TOKEN } from '../../test/utils/test-config.js';
import { bearer, type Headers } from '../../test/utils/tokens.js';
import { DailySummaryModule } from './daily-summary.module.js';
import { DAILY_SUMMARY_SCHEMA } from './daily-summary.schema.js';

/**
 * The example extension on a real hub and PostgreSQL, mounted through createApp's `imports` exactly as an
 * embedding application would: counting, auth levels, signed delivery through the SSRF-guarded sender, refusal
 * of private addresses, audit, OpenAPI.
 */

interface Summary {
  date: string;
  from: string;
  to: string;
  completed: number;
  byPriority: Record<'low' | 'medium' | 'high' | 'critical', number>;
  tasks: Array<{ id: string; title: string; priority: string; assignedAgentId: string | null; completedAt: string }>;
}

const hubToken = bearer(TEST_AGENT_TOKEN);
const SECRET = `summary-secret-${randomBytes(12).toString('hex')}`;
// Fixed past days, so nothing depends on when the test runs; tasks are moved there after finishing normally.
const DAY = '2026-03-10';
const DAY_AFTER = '2026-03-11';
const DAY_BEFORE = '2026-03-09';
const TWO_DAYS_BEFORE = '2026-03-08';
const at = (day: string, time: string): Date => new Date(`${day}T${time}Z`);

describe('Daily summary example extension', () => {
  let receiver: CallbackReceiver;
  let hub: TestApp;
  let userHeaders: Headers;
  let adminHeaders: Headers;
  let agentHeaders: Headers;
  const ids: Record<string, string> = {};

  async function taskIn(status: 'completed' | 'failed' | 'in_progress', priority: string): Promise<string> {
    const created = await call(hub.server, 'post', '/api/tasks', hubToken, { title: `summary ${priority}`, priority });
    const { id } = dataOf<TaskDto>(created);
    for (const next of status === 'in_progress' ? ['in_progress'] : ['in_progress', status]) {
      await call(hub.server, 'post', `/api/tasks/${id}/status`, hubToken, { status: next }).expect(200);
    }
    return id;
  }

  // Moves the moment of completion (its history entry) and the last update of a task to the given instants.
  async function backdate(id: string, completedAt: Date, updatedAt: Date): Promise<void> {
    await hub.app.get(DataSource).query(
      `UPDATE tasks SET updated_at = $3, history = (
         SELECT jsonb_agg(CASE WHEN entry->'details'->>'to' = 'completed'
                               THEN jsonb_set(entry, '{at}', to_jsonb($2::text)) ELSE entry END ORDER BY position)
         FROM jsonb_array_elements(history) WITH ORDINALITY AS h(entry, position))
       WHERE id = $1`,
      [id, completedAt.toISOString(), updatedAt],
    );
  }

  const preview = (headers: Headers, query = `?date=${DAY}`) =>
    call(hub.server, 'get', `/api/daily-summary/preview${query}`, headers);
  const sendNow = (headers: Headers, body: object = { date: DAY }) =>
    call(hub.server, 'post', '/api/daily-summary/send', headers, body);

  beforeAll(async () => {
    receiver = await CallbackReceiver.start();
    hub = await startTestApp({
      env: { CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true' },
      imports: [DailySummaryModule.forRoot({ url: receiver.url, secret: SECRET })],
      schemas: [DAILY_SUMMARY_SCHEMA],
    });
    userHeaders = bearer(tokenFor(hub.config, (await createUser(hub.app)).user));
    adminHeaders = bearer(tokenFor(hub.config, (await createUser(hub.app, { role: 'admin' })).user));
    const registration = await call(hub.server, 'post', '/api/agents/register', hubToken, {
      name: 'summary-agent',
      url: uniqueAgentUrl('summary'),
    });
    agentHeaders = bearer(dataOf<KeyedRegistration>(registration).agentKey);

    ids.high = await taskIn('completed', 'high');
    ids.medium = await taskIn('completed', 'medium');
    ids.edited = await taskIn('completed', 'medium');
    ids.failed = await taskIn('failed', 'high');
    ids.open = await taskIn('in_progress', 'critical');
    ids.lateEdit = await taskIn('completed', 'low');
    ids.older = await taskIn('completed', 'critical');
    ids.nextDay = await taskIn('completed', 'high');
    await call(hub.server, 'patch', `/api/tasks/${ids.edited}`, hubToken, { title: 'edited after completion' }).expect(
      200,
    );
    await backdate(ids.high, at(DAY, '09:00:00'), at(DAY, '09:00:00'));
    await backdate(ids.medium, at(DAY, '00:00:00'), at(DAY, '00:00:00'));
    // Completed at the last moment of DAY and edited the day after: it still counts for DAY.
    await backdate(ids.edited, at(DAY, '23:59:59.999'), at(DAY_AFTER, '08:00:00'));
    await backdate(ids.failed, at(DAY, '10:00:00'), at(DAY, '10:00:00'));
    // Completed the day before, edited on DAY: it belongs to the day before only.
    await backdate(ids.lateEdit, at(DAY_BEFORE, '23:59:59.999'), at(DAY, '08:00:00'));
    await backdate(ids.older, at(TWO_DAYS_BEFORE, '12:00:00'), at(TWO_DAYS_BEFORE, '12:00:00'));
    await backdate(ids.nextDay, at(DAY_AFTER, '00:00:00'), at(DAY_AFTER, '00:00:00'));
  });

  afterAll(async () => {
    await hub?.close();
    await receiver?.close();
  });

  it('counts the tasks completed during each UTC day, by the moment of completion', async () => {
    const summary = dataOf<Summary>(await preview(userHeaders).expect(200));
    expect(summary).toMatchObject({
      date: DAY,
      from: `${DAY}T00:00:00.000Z`,
      to: `${DAY_AFTER}T00:00:00.000Z`,
      completed: 3,
      byPriority: { low: 0, medium: 2, high: 1, critical: 0 },
    });
    expect(summary.tasks.map((task) => task.id)).toEqual([ids.edited, ids.high, ids.medium]);
    expect(summary.tasks[0]).toEqual({
      id: ids.edited,
      title: 'edited after completion',
      priority: 'medium',
      assignedAgentId: null,
      completedAt: `${DAY}T23:59:59.999Z`,
    });

    const before = dataOf<Summary>(await preview(userHeaders, `?date=${DAY_BEFORE}`).expect(200));
    expect({ completed: before.completed, ids: before.tasks.map((task) => task.id) }).toEqual({
      completed: 1,
      ids: [ids.lateEdit],
    });
    const older = dataOf<Summary>(await preview(userHeaders, `?date=${TWO_DAYS_BEFORE}`).expect(200));
    expect(older.tasks.map((task) => task.id)).toEqual([ids.older]);
    const after = dataOf<Summary>(await preview(userHeaders, `?date=${DAY_AFTER}`).expect(200));
    expect(after.tasks.map((task) => task.id)).toEqual([ids.nextDay]);
  });

  it('previews today when no date is given, and refuses a date that is not a calendar day', async () => {
    const dayBefore = new Date().toISOString().slice(0, 10);
    const { date } = dataOf<Summary>(await preview(userHeaders, '').expect(200));
    expect([dayBefore, new Date().toISOString().slice(0, 10)]).toContain(date);

    for (const bad of ['2026-02-30', '10.03.2026', '2026-03-10T00:00:00Z']) {
      const refused = await preview(userHeaders, `?date=${encodeURIComponent(bad)}`).expect(400);
      expect({ bad, code: codeOf(refused), fields: fieldsOf(refused) }).toEqual({
        bad,
        code: 'validation_failed',
        fields: expect.arrayContaining(['date']) as unknown as string[],
      });
    }
  });

  it('holds the auth levels: preview for people, sending for administrators', async () => {
    const statuses = async (headers: Headers) => ({
      preview: (await preview(headers)).status,
      send: (await sendNow(headers)).status,
    });
    expect(await statuses({})).toEqual({ preview: 401, send: 401 });
    expect(await statuses(agentHeaders)).toEqual({ preview: 401, send: 403 });
    expect(await statuses(userHeaders)).toEqual({ preview: 200, send: 403 });
    expect(await statuses(hubToken)).toEqual({ preview: 401, send: 200 });
    expect(await statuses(adminHeaders)).toEqual({ preview: 200, send: 200 });
  });

  it('sends the summary signed to the configured URL and audits the send', async () => {
    const sentBefore = receiver.requests.length;
    const sent = dataOf<{ date: string; completed: number; statusCode: number }>(
      await sendNow(adminHeaders).expect(200),
    );
    expect(sent).toEqual({ date: DAY, completed: 3, statusCode: 204 });

    const [delivery] = receiver.requests.slice(sentBefore);
    expect(receiver.requests.length - sentBefore).toBe(1);
    expect(delivery.method).toBe('POST');
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(delivery.headers['x-ananta-signature']).toBe(expectedSignature(delivery.raw, SECRET));
    const body = JSON.parse(delivery.raw.toString('utf8')) as { event: string; summary: Summary };
    expect(body.event).toBe('daily_summary');
    expect(body.summary).toEqual(dataOf<Summary>(await preview(userHeaders)));

    const [entry] = await auditEntries(hub.server, TEST_AGENT_TOKEN, 'daily_summary.sent', DAY);
    expect(entry).toMatchObject({
      actorType: 'user',
      targetType: 'daily_summary',
      targetId: DAY,
      outcome: 'success',
      details: { trigger: 'manual', completed: 3, host: `127.0.0.1:${receiver.port}`, statusCode: 204, error: null },
    });
  });

  it('answers 502 and audits a failure when the receiver does not accept the summary', async () => {
    receiver.reply(500);
    const refused = await sendNow(hubToken, { date: DAY_BEFORE }).expect(502);
    expect(codeOf(refused)).toBe('summary_not_delivered');

    const [entry] = await auditEntries(hub.server, TEST_AGENT_TOKEN, 'daily_summary.sent', DAY_BEFORE);
    expect(entry).toMatchObject({
      actorType: 'hub-token',
      outcome: 'failure',
      details: { trigger: 'manual', completed: 1, statusCode: 500 },
    });
  });

  it('documents its routes in a valid OpenAPI document, with their security', async () => {
    const document = (await call(hub.server, 'get', '/api/docs-json', {}).expect(200)).body as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    const { paths } = document;
    expect(Object.keys(paths['/api/daily-summary/preview'])).toEqual(['get']);
    expect(paths['/api/daily-summary/preview'].get.security).toEqual([{ bearer: [] }]);
    // Its own responses; the hub adds those of the layers around every handler (413, 415, 431, 500, 503).
    expect(Object.keys(paths['/api/daily-summary/send'].post.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '502']),
    );
  });
});

describe('Daily summary example extension without private networks', () => {
  let receiver: CallbackReceiver;
  let hub: TestApp;

  beforeAll(async () => {
    receiver = await CallbackReceiver.start();
    hub = await startTestApp({
      env: { CALLBACK_ALLOW_PRIVATE_NETWORKS: 'false' },
      imports: [DailySummaryModule.forRoot({ url: receiver.url })],
      schemas: [DAILY_SUMMARY_SCHEMA],
    });
  });

  afterAll(async () => {
    await hub?.close();
    await receiver?.close();
  });

  it('refuses a loopback URL before connecting, and audits the refusal', async () => {
    const refused = await call(hub.server, 'post', '/api/daily-summary/send', hubToken, {}).expect(502);
    expect(codeOf(refused)).toBe('summary_not_delivered');
    expect(receiver.connections).toBe(0);

    const [entry] = await auditEntries(hub.server, TEST_AGENT_TOKEN, 'daily_summary.sent');
    expect(entry.outcome).toBe('failure');
    expect(entry.details.error).toMatch(/loopback, private, link-local/);
  });
});
