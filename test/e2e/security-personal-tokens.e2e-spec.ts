import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app/create-app.js';
import { createUser, tokenFor } from '../factories/user.factory.js';
import { AGENT_KEY_SHAPE, freshClientAddress } from '../utils/agents-helpers.js';
import { call, codeOf, dataOf, type Method, refusal } from '../utils/api.js';
import type { KeyedRegistration } from '../utils/payloads.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN, testConfig } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

/** The scopes issue 13 names and the hub offers, written down here rather than imported from src. */
const ALL_SCOPES = [
  'tasks:read',
  'tasks:write',
  'agents:read',
  'agents:write',
  'teams:read',
  'teams:write',
  'templates:read',
  'templates:write',
  'schedules:read',
  'schedules:write',
  'events:read',
  'system:read',
  'admin',
];
const PAT_SHAPE = /^pat_[A-Za-z0-9_-]{43}$/;
const TOKEN_FIELDS = ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'scopes'];

interface CreatedToken {
  id: string;
  name: string;
  scopes: string[];
  expiresAt: string;
  lastUsedAt: string | null;
  createdAt: string;
  token: string;
}

/** Personal access tokens and agent scopes (issue 13, item 2), on two instances of one database. */
describe('Personal access tokens and scopes', () => {
  let hub: TestApp;
  let peer: NestFastifyApplication;
  let peerServer: Server;
  let adminSession: Headers;
  let userSession: Headers;
  let adminId: string;
  const hubToken = bearer(TEST_AGENT_TOKEN);

  beforeAll(async () => {
    hub = await startTestApp();
    peer = await createApp(testConfig({ DATABASE_URL: hub.database.url }), { logger: pino({ level: 'silent' }) });
    peerServer = peer.getHttpServer();
    const admin = (await createUser(hub.app, { role: 'admin' })).user;
    adminId = admin.id;
    adminSession = bearer(tokenFor(hub.config, admin));
    userSession = bearer(tokenFor(hub.config, (await createUser(hub.app, { role: 'user' })).user));
  });
  afterAll(async () => {
    await peer?.close();
    await hub?.close();
  });

  const db = (): DataSource => hub.app.get(DataSource);
  const api = (method: Method, path: string, headers: Headers, body?: object) =>
    call(hub.server, method, path, headers, body);

  async function createToken(session: Headers, scopes: string[], extra: object = {}): Promise<CreatedToken> {
    const response = await api('post', '/api/profile/tokens', session, { name: unique('token'), scopes, ...extra });
    expect(response.status).toBe(201);
    return dataOf<CreatedToken>(response);
  }

  describe('the token itself', () => {
    it('is shown once, stored only as its SHA-256 hash, listed without the secret, and audited without it', async () => {
      const created = await createToken(adminSession, ['tasks:read'], { expiresInDays: 7 });
      expect(created.token).toMatch(PAT_SHAPE);
      expect(Object.keys(created).sort()).toEqual([...TOKEN_FIELDS, 'token'].sort());
      expect(created).toMatchObject({ scopes: ['tasks:read'], lastUsedAt: null });
      const days = (new Date(created.expiresAt).getTime() - new Date(created.createdAt).getTime()) / 86_400_000;
      expect(Math.round(days)).toBe(7);

      const [row] = await db().query<Array<{ token_hash: string }>>(
        'SELECT token_hash FROM personal_access_tokens WHERE id = $1',
        [created.id],
      );
      expect(row.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
      const stored = JSON.stringify(await db().query('SELECT * FROM personal_access_tokens'));
      expect(stored).not.toContain(created.token);

      const list = dataOf<Array<Record<string, unknown>>>(await api('get', '/api/profile/tokens', adminSession));
      const listed = list.find((token) => token.id === created.id)!;
      expect(Object.keys(listed).sort()).toEqual(TOKEN_FIELDS);
      const audit = JSON.stringify(
        await db().query(`SELECT * FROM audit_logs WHERE action = 'personal_token.created' AND target_id = $1`, [
          created.id,
        ]),
      );
      expect(audit).toContain('personal_token.created');
      expect(audit).not.toContain(created.token);
    });

    it('records its last use', async () => {
      const created = await createToken(userSession, ['tasks:read']);
      expect((await api('get', '/api/tasks?limit=1', bearer(created.token))).status).toBe(200);
      const list = dataOf<CreatedToken[]>(await api('get', '/api/profile/tokens', userSession));
      const used = list.find((token) => token.id === created.id)!;
      expect(used.lastUsedAt).not.toBeNull();
      expect(Math.abs(new Date(used.lastUsedAt!).getTime() - Date.now())).toBeLessThan(60_000);
    });

    it('refuses bad names, scopes and lifetimes with 400, creating nothing', async () => {
      const before = await db().query<unknown[]>('SELECT id FROM personal_access_tokens');
      for (const body of [
        { name: '', scopes: ['tasks:read'] },
        { name: 'x'.repeat(101), scopes: ['tasks:read'] },
        { name: 'no scopes', scopes: [] },
        { name: 'unknown scope', scopes: ['tasks:delete'] },
        { name: 'twice', scopes: ['tasks:read', 'tasks:read'] },
        { name: 'not a list', scopes: 'tasks:read' },
        { name: 'zero days', scopes: ['tasks:read'], expiresInDays: 0 },
        { name: 'too long', scopes: ['tasks:read'], expiresInDays: 366 },
        { name: 'fraction', scopes: ['tasks:read'], expiresInDays: 1.5 },
        { name: 'smuggled', scopes: ['tasks:read'], userId: adminId },
      ]) {
        const response = await api('post', '/api/profile/tokens', userSession, body);
        expect({ body, ...refusal(response) }).toEqual({ body, status: 400, code: 'validation_failed' });
      }
      expect(await db().query<unknown[]>('SELECT id FROM personal_access_tokens')).toHaveLength(before.length);
    });

    it('gives the admin scope only to administrators', async () => {
      const response = await api('post', '/api/profile/tokens', userSession, { name: 'climb', scopes: ['admin'] });
      expect(refusal(response)).toEqual({ status: 403, code: 'admin_scope_forbidden' });
      expect(await db().query<unknown[]>(`SELECT id FROM personal_access_tokens WHERE name = 'climb'`)).toEqual([]);
    });

    it('never reaches the session-only routes: no profile, and no token makes or lists tokens', async () => {
      const created = await createToken(adminSession, ['admin']);
      for (const [method, path] of [
        ['get', '/api/profile'],
        ['get', '/api/profile/tokens'],
        ['post', '/api/profile/tokens'],
        ['post', '/api/auth/logout-all'],
      ] as const) {
        const response = await api(method, path, bearer(created.token), { name: 'nested', scopes: ['tasks:read'] });
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
      }
    });
  });

  describe('scopes allow and refuse each family of routes (an administrator owns the tokens)', () => {
    const families: Array<{ scope: string; read?: [Method, string]; write?: [Method, string, () => object] }> = [
      {
        scope: 'tasks',
        read: ['get', '/api/tasks?limit=1'],
        write: ['post', '/api/tasks', () => ({ title: unique('by-token') })],
      },
      { scope: 'agents', read: ['get', '/api/agents?limit=1'] },
      {
        scope: 'teams',
        read: ['get', '/api/teams?limit=1'],
        write: ['post', '/api/roles', () => ({ name: unique('role') })],
      },
      {
        scope: 'templates',
        read: ['get', '/api/templates?limit=1'],
        write: ['post', '/api/templates', () => ({ name: unique('template'), promptTemplate: 'Hi {{name}}' })],
      },
      {
        scope: 'schedules',
        read: ['get', '/api/scheduled-tasks?limit=1'],
        write: [
          'post',
          '/api/scheduled-tasks',
          () => ({ name: unique('schedule'), intervalSeconds: 600, enabled: false, task: { title: 'x' } }),
        ],
      },
      { scope: 'system', read: ['get', '/api/stats'] },
    ];

    it.each(families)(
      '$scope: the read scope reads and is refused writes, the write scope the other way round',
      async (family) => {
        const reader = bearer((await createToken(adminSession, [`${family.scope}:read`])).token);
        const writer = family.write ? bearer((await createToken(adminSession, [`${family.scope}:write`])).token) : null;
        if (family.read) {
          const [method, path] = family.read;
          expect((await api(method, path, reader)).status).toBe(200);
          if (writer) {
            expect(refusal(await api(method, path, writer))).toEqual({ status: 403, code: 'insufficient_scope' });
          }
        }
        if (family.write && writer) {
          const [method, path, body] = family.write;
          expect((await api(method, path, writer, body())).status).toBe(201);
          expect(refusal(await api(method, path, reader, body()))).toEqual({ status: 403, code: 'insufficient_scope' });
        }
      },
    );

    it('keeps the administration (users, audit, bans, config writes) behind the admin scope', async () => {
      const narrow = bearer(
        (
          await createToken(
            adminSession,
            ALL_SCOPES.filter((scope) => scope !== 'admin'),
          )
        ).token,
      );
      const wide = bearer((await createToken(adminSession, ['admin'])).token);
      for (const path of ['/api/admin/users', '/api/audit-logs?limit=1', '/api/admin/banned-ips']) {
        expect({ path, ...refusal(await api('get', path, narrow)) }).toEqual({
          path,
          status: 403,
          code: 'insufficient_scope',
        });
        expect({ path, status: (await api('get', path, wide)).status }).toEqual({ path, status: 200 });
      }
    });

    it('refuses a token without events:read the event stream, and one without system:read the metrics', async () => {
      const tasksOnly = bearer((await createToken(adminSession, ['tasks:read'])).token);
      expect(refusal(await api('get', '/api/events', tasksOnly))).toEqual({ status: 403, code: 'insufficient_scope' });
      expect(refusal(await api('get', '/api/metrics', tasksOnly))).toEqual({ status: 403, code: 'insufficient_scope' });
      const system = bearer((await createToken(adminSession, ['system:read'])).token);
      expect((await api('get', '/api/metrics', system)).status).toBe(200);
    });
  });

  describe('never more than the owner may, now', () => {
    it("loses admin the moment its owner is demoted, and keeps the owner's remaining rights", async () => {
      const owner = await createUser(hub.app, { role: 'admin' });
      const token = bearer((await createToken(bearer(tokenFor(hub.config, owner.user)), ['admin'])).token);
      expect((await api('get', '/api/admin/users', token)).status).toBe(200);

      const demoted = await api('patch', `/api/admin/users/${owner.user.id}`, hubToken, { role: 'user' });
      expect(demoted.status).toBe(200);

      expect(refusal(await api('get', '/api/admin/users', token)).status).toBe(403);
      expect(refusal(await call(peerServer, 'get', '/api/admin/users', token)).status).toBe(403);
      expect((await api('get', '/api/tasks?limit=1', token)).status).toBe(200);
    });

    it('stops working when its owner is disabled', async () => {
      const owner = await createUser(hub.app, { role: 'user' });
      const token = bearer((await createToken(bearer(tokenFor(hub.config, owner.user)), ['tasks:read'])).token);
      expect((await api('get', '/api/tasks?limit=1', token)).status).toBe(200);
      expect((await api('patch', `/api/admin/users/${owner.user.id}`, hubToken, { disabled: true })).status).toBe(200);
      expect((await api('get', '/api/tasks?limit=1', token)).status).toBe(401);
    });

    it('is revoked on one instance and refused on the other at once; another user cannot revoke it', async () => {
      const created = await createToken(userSession, ['tasks:read']);
      const token = bearer(created.token);
      expect((await call(peerServer, 'get', '/api/tasks?limit=1', token)).status).toBe(200);

      expect(codeOf(await api('delete', `/api/profile/tokens/${created.id}`, adminSession))).toBe(
        'personal_token_not_found',
      );
      expect((await call(peerServer, 'get', '/api/tasks?limit=1', token)).status).toBe(200);

      expect((await api('delete', `/api/profile/tokens/${created.id}`, userSession)).status).toBe(204);
      expect((await call(peerServer, 'get', '/api/tasks?limit=1', token)).status).toBe(401);
      expect((await api('delete', `/api/profile/tokens/${created.id}`, userSession)).status).toBe(404);
      const [entry] = await db().query<Array<{ action: string }>>(
        `SELECT action FROM audit_logs WHERE action = 'personal_token.revoked' AND target_id = $1`,
        [created.id],
      );
      expect(entry).toEqual({ action: 'personal_token.revoked' });
    });

    it('stops working when it expires', async () => {
      const created = await createToken(userSession, ['tasks:read'], { expiresInDays: 1 });
      expect((await api('get', '/api/tasks?limit=1', bearer(created.token))).status).toBe(200);
      await db().query(`UPDATE personal_access_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        created.id,
      ]);
      expect((await api('get', '/api/tasks?limit=1', bearer(created.token))).status).toBe(401);
    });
  });

  describe("registered agents' keys", () => {
    async function registerAgent(): Promise<{ id: string; headers: Headers }> {
      const name = unique('scoped-agent');
      const response = await request(hub.server)
        .post('/api/agents/register')
        .set({ ...hubToken, 'x-forwarded-for': freshClientAddress() })
        .send({ name, url: `http://${name}.agents.test:5001` });
      const { agent, agentKey } = dataOf<KeyedRegistration>(response);
      expect(agentKey).toMatch(AGENT_KEY_SHAPE);
      return { id: agent.id, headers: bearer(agentKey) };
    }

    it('carry every scope but admin by default, which an administrator narrows, widens back, but never to admin', async () => {
      const agent = await registerAgent();
      const read = async () =>
        dataOf<{ scopes: string[] }>(await api('get', `/api/agents/${agent.id}`, hubToken)).scopes;
      expect((await read()).sort()).toEqual(ALL_SCOPES.filter((scope) => scope !== 'admin').sort());
      const claimable = [200, 204];
      expect(claimable).toContain((await api('post', '/api/tasks/claim', agent.headers, {})).status);

      expect((await api('patch', `/api/agents/${agent.id}`, hubToken, { scopes: ['tasks:read'] })).status).toBe(200);
      expect(await read()).toEqual(['tasks:read']);
      expect(refusal(await api('post', '/api/tasks/claim', agent.headers, {}))).toEqual({
        status: 403,
        code: 'insufficient_scope',
      });
      expect((await api('get', '/api/tasks?limit=1', agent.headers)).status).toBe(200);

      for (const scopes of [['admin'], ['tasks:everything'], 'tasks:read']) {
        const response = await api('patch', `/api/agents/${agent.id}`, hubToken, { scopes });
        expect({ scopes, ...refusal(response) }).toEqual({ scopes, status: 400, code: 'validation_failed' });
      }
      expect(refusal(await api('patch', `/api/agents/${agent.id}`, agent.headers, { scopes: null })).status).toBe(403);
      expect(await read()).toEqual(['tasks:read']);

      expect((await api('patch', `/api/agents/${agent.id}`, hubToken, { scopes: null })).status).toBe(200);
      expect(claimable).toContain((await api('post', '/api/tasks/claim', agent.headers, {})).status);
    });
  });
});
