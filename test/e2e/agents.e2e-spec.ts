import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import request from 'supertest';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app/create-app.js';
import { AgentOfflineSweepJob } from '../../src/modules/scheduler/jobs/agent-offline-sweep.job.js';
import { createUser, tokenFor } from '../factories/user.factory.js';
import {
  AGENT_FIELDS,
  AGENT_KEY_SHAPE,
  freshClientAddress,
  garbageAgentKey,
  leakedSecrets,
  uniqueAgentUrl,
} from '../utils/agents-helpers.js';
import { allAuditEntries, refusal } from '../utils/api.js';
import { errorBody, successBody } from '../utils/envelope.js';
import type { AgentDto, AuditEntry, Page, Registration } from '../utils/payloads.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN, testConfig } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { keyPathsMatching, sha256Hex, slotStart, UUID } from '../utils/values.js';

const REGISTRATION_TOKEN = 'a-registration-token-0123456789';
const OFFLINE_TIMEOUT_SECONDS = 60;
const SWEEP_JOB = 'agents.offline-sweep';
const SWEEP_PERIOD_SECONDS = 30;
/** Field names that must never appear in an agent payload. */
const SECRET_FIELD = /^(agentKey|keyHash|key_hash|token|outboundToken.*|outbound_token.*)$/i;

const registrationHeader = (token = REGISTRATION_TOKEN): Headers => ({ 'x-registration-token': token });
const hubToken = (): Headers => bearer(TEST_AGENT_TOKEN);

describe('Agent registry (SPEC sections 2, 4, 8, 12)', () => {
  let hub: TestApp;
  /** A second instance on the same database, without REGISTRATION_TOKEN. */
  let peer: NestFastifyApplication;
  let peerServer: Server;
  let userToken: string;
  let adminUserToken: string;
  /** Every agent key, outbound token and credential this file uses: none may be stored or echoed. */
  const secrets = new Set<string>([REGISTRATION_TOKEN, TEST_AGENT_TOKEN]);
  const remember = (secret: string): string => {
    secrets.add(secret);
    return secret;
  };

  beforeAll(async () => {
    // Every request comes from 127.0.0.1 and this file registers far more than 20 agents a minute, so the
    // hub trusts X-Forwarded-For and each registration names its own client address; the rate limit itself
    // is tested on a separate hub below.
    const env = { TRUST_PROXY: 'true', AGENT_OFFLINE_TIMEOUT_SECONDS: String(OFFLINE_TIMEOUT_SECONDS) };
    hub = await startTestApp({ env: { ...env, REGISTRATION_TOKEN } });
    peer = await createApp(testConfig({ DATABASE_URL: hub.database.url, ...env }), {
      logger: pino({ level: 'silent' }),
    });
    peerServer = peer.getHttpServer();
    userToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'user' })).user);
    adminUserToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'admin' })).user);
  });
  afterAll(async () => {
    await peer?.close();
    await hub?.close();
  });

  const db = (): DataSource => hub.app.get(DataSource);

  const register = (body: object, headers: Headers = {}, server: Server = hub.server) =>
    request(server)
      .post('/api/agents/register')
      .set({ 'x-forwarded-for': freshClientAddress(), ...headers })
      .send(body);

  interface NewAgent {
    agent: AgentDto;
    key: string;
  }

  /** Registers a new agent with the registration token; returns it and its key. */
  async function newAgent(label: string, extra: object = {}): Promise<NewAgent> {
    const response = await register(
      { name: label, url: uniqueAgentUrl(label), capabilities: ['python'], ...extra },
      registrationHeader(),
    );
    expect(response.status).toBe(200);
    const { agent, agentKey } = successBody<Registration>(response).data;
    expect(agentKey).toMatch(AGENT_KEY_SHAPE);
    return { agent, key: remember(agentKey!) };
  }

  const getAgent = (id: string, headers: Headers) => request(hub.server).get(`/api/agents/${id}`).set(headers);

  async function rowsForUrl(url: string): Promise<Array<Record<string, unknown>>> {
    return db().query<Array<Record<string, unknown>>>('SELECT * FROM agents WHERE url = $1', [url]);
  }

  async function storedAgent(id: string): Promise<Record<string, unknown>> {
    const rows = await db().query<Array<Record<string, unknown>>>('SELECT * FROM agents WHERE id = $1', [id]);
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  /** The whole row as text, every column included. */
  async function rowText(table: 'agents', id: string): Promise<string> {
    const rows = await db().query<Array<{ text: string }>>(
      `SELECT row_to_json(t)::text AS text FROM ${table} t WHERE id = $1`,
      [id],
    );
    expect(rows).toHaveLength(1);
    return rows[0].text;
  }

  async function setLastSeen(ids: string[], secondsAgo: number): Promise<void> {
    await db().query(`UPDATE agents SET last_seen_at = now() - make_interval(secs => $2) WHERE id = ANY($1::uuid[])`, [
      ids,
      secondsAgo,
    ]);
  }

  const lastSeenOf = async (id: string): Promise<Date> => (await storedAgent(id)).last_seen_at as Date;

  describe('registration with REGISTRATION_TOKEN set', () => {
    it('refuses a request with neither the header nor a credential: 401 unauthenticated, nothing stored', async () => {
      const url = uniqueAgentUrl('anonymous');
      const response = await register({ name: 'anonymous', url });
      expect(refusal(response)).toEqual({ status: 401, code: 'unauthenticated' });
      expect(await rowsForUrl(url)).toHaveLength(0);
    });

    it('refuses a wrong registration token: 401 unauthenticated, nothing stored', async () => {
      const url = uniqueAgentUrl('wrong-header');
      for (const wrong of [`${REGISTRATION_TOKEN}x`, 'a-registration-token-9876543210', 'x']) {
        const response = await register({ name: 'wrong', url }, registrationHeader(wrong));
        expect(refusal(response)).toEqual({ status: 401, code: 'unauthenticated' });
      }
      expect(await rowsForUrl(url)).toHaveLength(0);
    });

    it('accepts the right registration token: 200 with the agent (exactly its public fields) and a fresh ak_ key', async () => {
      const url = uniqueAgentUrl('self-registered');
      const response = await register(
        { name: 'self-registered', url, role: 'coder', capabilities: ['python', 'shell'], version: '1.4.2' },
        registrationHeader(),
      );
      expect(response.status).toBe(200);
      const { agent, agentKey } = successBody<Registration>(response).data;
      expect(Object.keys(successBody<Registration>(response).data).sort()).toEqual(['agent', 'agentKey']);
      expect(agentKey).toMatch(AGENT_KEY_SHAPE);
      remember(agentKey!);
      expect(Object.keys(agent).sort()).toEqual(AGENT_FIELDS);
      expect(agent).toMatchObject({
        name: 'self-registered',
        url,
        role: 'coder',
        status: 'online',
        capabilities: ['python', 'shell'],
        version: '1.4.2',
      });
      expect(agent.id).toMatch(UUID);
      expect(agent.lastSeenAt).toEqual(expect.any(String));
      expect(await rowsForUrl(url)).toHaveLength(1);
      // The key works at once.
      expect((await getAgent(agent.id, bearer(agentKey!))).status).toBe(200);
    });

    it('defaults role to worker and capabilities to [] and version to null', async () => {
      const url = uniqueAgentUrl('defaults');
      const response = await register({ name: 'defaults', url }, registrationHeader());
      expect(response.status).toBe(200);
      remember(successBody<Registration>(response).data.agentKey!);
      expect(successBody<Registration>(response).data.agent).toMatchObject({
        role: 'worker',
        capabilities: [],
        version: null,
        status: 'online',
      });
    });

    it('lets an admin register without the header: the AGENT_TOKEN and an admin user', async () => {
      for (const credential of [TEST_AGENT_TOKEN, adminUserToken]) {
        const url = uniqueAgentUrl('admin-registered');
        const response = await register({ name: 'admin-registered', url }, bearer(credential));
        expect(response.status).toBe(200);
        const { agent, agentKey } = successBody<Registration>(response).data;
        expect(agentKey).toMatch(AGENT_KEY_SHAPE);
        remember(agentKey!);
        expect(agent.url).toBe(url);
        expect(await rowsForUrl(url)).toHaveLength(1);
      }
    });

    it('refuses a non-admin user without the header: 403 forbidden, nothing stored', async () => {
      const url = uniqueAgentUrl('user-registered');
      const response = await register({ name: 'user-registered', url }, bearer(userToken));
      expect(refusal(response)).toEqual({ status: 403, code: 'forbidden' });
      expect(await rowsForUrl(url)).toHaveLength(0);
    });

    it("refuses a registered agent's own key without the header: 403 forbidden (an agent key is not admin)", async () => {
      const { key } = await newAgent('key-registrar');
      const url = uniqueAgentUrl('registered-by-agent');
      const response = await register({ name: 'registered-by-agent', url }, bearer(key));
      expect(refusal(response)).toEqual({ status: 403, code: 'forbidden' });
      expect(await rowsForUrl(url)).toHaveLength(0);
    });
  });

  describe('registration with REGISTRATION_TOKEN unset (a second instance on the same database)', () => {
    it('refuses anonymous callers with 401, even when they send some X-Registration-Token', async () => {
      const url = uniqueAgentUrl('peer-anonymous');
      const bare = await register({ name: 'peer-anonymous', url }, {}, peerServer);
      expect(refusal(bare)).toEqual({ status: 401, code: 'unauthenticated' });
      const withHeader = await register({ name: 'peer-anonymous', url }, registrationHeader(), peerServer);
      expect(refusal(withHeader)).toEqual({ status: 401, code: 'unauthenticated' });
      expect(await rowsForUrl(url)).toHaveLength(0);
    });

    it('refuses a non-admin user with 403', async () => {
      const url = uniqueAgentUrl('peer-user');
      const response = await register({ name: 'peer-user', url }, bearer(userToken), peerServer);
      expect(refusal(response)).toEqual({ status: 403, code: 'forbidden' });
      expect(await rowsForUrl(url)).toHaveLength(0);
    });

    it('accepts an admin (AGENT_TOKEN and admin user): 200 with the agent and a key', async () => {
      for (const credential of [TEST_AGENT_TOKEN, adminUserToken]) {
        const url = uniqueAgentUrl('peer-admin');
        const response = await register({ name: 'peer-admin', url }, bearer(credential), peerServer);
        expect(response.status).toBe(200);
        const { agent, agentKey } = successBody<Registration>(response).data;
        expect(agentKey).toMatch(AGENT_KEY_SHAPE);
        remember(agentKey!);
        expect(agent.url).toBe(url);
        expect(await rowsForUrl(url)).toHaveLength(1);
      }
    });
  });

  describe('upsert by URL', () => {
    it('updates name, role, capabilities and version of the agent with that URL, keeps its id, issues no key, and the first key still works', async () => {
      const first = await newAgent('upsert-original', { role: 'worker', version: '1.0.0' });
      const response = await register(
        {
          name: 'upsert-renamed',
          url: first.agent.url,
          role: 'reviewer',
          capabilities: ['go', 'rust'],
          version: '2.0.0',
        },
        registrationHeader(),
      );
      expect(response.status).toBe(200);
      const data = successBody<Registration>(response).data;
      expect(Object.keys(data)).toEqual(['agent']);
      expect(data.agentKey).toBeUndefined();
      expect(data.agent).toMatchObject({
        id: first.agent.id,
        name: 'upsert-renamed',
        url: first.agent.url,
        role: 'reviewer',
        capabilities: ['go', 'rust'],
        version: '2.0.0',
        createdAt: first.agent.createdAt,
      });
      expect(await rowsForUrl(first.agent.url)).toHaveLength(1);
      const read = await getAgent(first.agent.id, bearer(first.key));
      expect(read.status).toBe(200);
      expect(successBody<AgentDto>(read).data.name).toBe('upsert-renamed');
    });

    it('with rotateKey: true returns a new key; the old one stops working (401) and the new one works', async () => {
      const first = await newAgent('upsert-rotate');
      const response = await register(
        { name: 'upsert-rotate', url: first.agent.url, rotateKey: true },
        registrationHeader(),
      );
      expect(response.status).toBe(200);
      const { agent, agentKey } = successBody<Registration>(response).data;
      expect(agent.id).toBe(first.agent.id);
      expect(agentKey).toMatch(AGENT_KEY_SHAPE);
      expect(agentKey).not.toBe(first.key);
      remember(agentKey!);
      expect(refusal(await getAgent(first.agent.id, bearer(first.key)))).toEqual({
        status: 401,
        code: 'unauthenticated',
      });
      expect((await getAgent(first.agent.id, bearer(agentKey!))).status).toBe(200);
      expect((await storedAgent(first.agent.id)).key_hash).toBe(sha256Hex(agentKey!));
    });

    it('10 concurrent registrations of one new URL give one agent row, one id, and exactly one response with a key', async () => {
      const url = uniqueAgentUrl('concurrent');
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          register({ name: `concurrent-${index}`, url, capabilities: [`c${index}`] }, registrationHeader()),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array<number>(10).fill(200));
      const bodies = responses.map((response) => successBody<Registration>(response).data);
      bodies.forEach((body) => body.agentKey && remember(body.agentKey));
      const rows = await rowsForUrl(url);
      expect(rows).toHaveLength(1);
      expect(new Set(bodies.map((body) => body.agent.id))).toEqual(new Set([rows[0].id]));
      const keys = bodies.map((body) => body.agentKey).filter((key): key is string => key !== undefined);
      expect(keys).toHaveLength(1);
      expect(rows[0].key_hash).toBe(sha256Hex(keys[0]));
      expect((await getAgent(rows[0].id as string, bearer(keys[0]))).status).toBe(200);
    });
  });

  describe('validation: 400 validation_failed naming the field', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['an ftp:// url', { name: 'v', url: 'ftp://x' }, 'url'],
      ['a url that is not a URL', { name: 'v', url: 'not a url' }, 'url'],
      ['a javascript: url', { name: 'v', url: 'javascript:alert(1)' }, 'url'],
      ['a missing name', { url: 'http://missing-name.agents.test:5001' }, 'name'],
      [
        'capabilities that are not an array',
        { name: 'v', url: 'http://caps-string.agents.test', capabilities: 'python' },
        'capabilities',
      ],
      [
        'capabilities that are not strings',
        { name: 'v', url: 'http://caps-numbers.agents.test', capabilities: [1, 2] },
        'capabilities',
      ],
      ['an unknown body field', { name: 'v', url: 'http://unknown-field.agents.test', isAdmin: true }, 'isAdmin'],
    ];

    it.each(cases)('rejects %s', async (_label, body, field) => {
      const response = await register(body, registrationHeader());
      expect(refusal(response)).toEqual({ status: 400, code: 'validation_failed' });
      const details = errorBody(response).data.details ?? [];
      expect(details.map((detail) => detail.field)).toContain(field);
      if (typeof body.url === 'string') {
        expect(await rowsForUrl(body.url)).toHaveLength(0);
      }
    });
  });

  describe('keys and outbound tokens at rest and in responses', () => {
    it('stores the key only as its SHA-256 hex hash; the plain key is in no column', async () => {
      const { agent, key } = await newAgent('hash-only');
      const row = await storedAgent(agent.id);
      expect(row.key_hash).toBe(sha256Hex(key));
      expect(await rowText('agents', agent.id)).not.toContain(key);
    });

    it('stores the outbound token sealed, never returns it, and replaces or clears it through PATCH', async () => {
      const token = remember(`outbound-${randomBytes(16).toString('hex')}`);
      const url = uniqueAgentUrl('outbound');
      const response = await register({ name: 'outbound', url, token }, registrationHeader());
      expect(response.status).toBe(200);
      const { agent, agentKey } = successBody<Registration>(response).data;
      remember(agentKey!);
      expect(JSON.stringify(response.body)).not.toContain(token);
      const sealed = (await storedAgent(agent.id)).outbound_token_sealed;
      expect(typeof sealed).toBe('string');
      expect(sealed).not.toContain(token);
      expect(await rowText('agents', agent.id)).not.toContain(token);

      const replacement = remember(`outbound-${randomBytes(16).toString('hex')}`);
      const patched = await request(hub.server)
        .patch(`/api/agents/${agent.id}`)
        .set(hubToken())
        .send({ outboundToken: replacement });
      expect(patched.status).toBe(200);
      expect(leakedSecrets(JSON.stringify(patched.body), [token, replacement])).toEqual([]);
      const resealed = (await storedAgent(agent.id)).outbound_token_sealed;
      expect(typeof resealed).toBe('string');
      expect(resealed).not.toBe(sealed);
      expect(await rowText('agents', agent.id)).not.toContain(replacement);

      const cleared = await request(hub.server)
        .patch(`/api/agents/${agent.id}`)
        .set(hubToken())
        .send({ outboundToken: null });
      expect(cleared.status).toBe(200);
      expect((await storedAgent(agent.id)).outbound_token_sealed).toBeNull();
    });

    describe('list and read responses (admin, user, agent key)', () => {
      let agent: AgentDto;
      let agentKey: string;
      const credentials = (): Array<[string, string]> => [
        ['AGENT_TOKEN', TEST_AGENT_TOKEN],
        ['admin user', adminUserToken],
        ['user', userToken],
        ['agent key', agentKey],
      ];

      beforeAll(async () => {
        const token = remember(`outbound-${randomBytes(16).toString('hex')}`);
        const registered = await register(
          { name: 'no-leak', url: uniqueAgentUrl('no-leak'), token },
          registrationHeader(),
        );
        expect(registered.status).toBe(200);
        ({ agent } = successBody<Registration>(registered).data);
        agentKey = remember(successBody<Registration>(registered).data.agentKey!);
      });

      /** No secret field name anywhere, and no secret of this file (the caller's own included) in the text. */
      const expectNoSecrets = (response: Response): void => {
        expect(keyPathsMatching(response.body, SECRET_FIELD)).toEqual([]);
        expect(leakedSecrets(JSON.stringify(response.body), secrets)).toEqual([]);
      };

      it('GET /api/agents/:id carries exactly the public fields and no secret', async () => {
        for (const [, credential] of credentials()) {
          const read = await getAgent(agent.id, bearer(credential));
          expect(read.status).toBe(200);
          expect(Object.keys(successBody<AgentDto>(read).data).sort()).toEqual(AGENT_FIELDS);
          expectNoSecrets(read);
        }
      });

      it('GET /api/agents carries exactly the public fields and no secret', async () => {
        const statuses: Record<string, number> = {};
        for (const [label, credential] of credentials()) {
          const list = await request(hub.server).get('/api/agents?limit=500').set(bearer(credential));
          statuses[label] = list.status;
          if (list.status === 200) {
            const page = successBody<Page<AgentDto>>(list).data;
            expect(page.items.map((item) => item.id)).toContain(agent.id);
            page.items.forEach((item) => expect(Object.keys(item).sort()).toEqual(AGENT_FIELDS));
          }
          expectNoSecrets(list);
        }
        expect(statuses).toEqual({ AGENT_TOKEN: 200, 'admin user': 200, user: 200, 'agent key': 200 });
      });
    });
  });

  describe('listing', () => {
    it('answers a page {items, total, limit, offset} and filters by role and status', async () => {
      const role = `r${randomBytes(4).toString('hex')}`;
      const first = await newAgent('filter-a', { role });
      const second = await newAgent('filter-b', { role });
      await request(hub.server)
        .patch(`/api/agents/${second.agent.id}`)
        .set(hubToken())
        .send({ status: 'busy' })
        .expect(200);
      const byRole = successBody<Page<AgentDto>>(
        await request(hub.server).get(`/api/agents?role=${role}`).set(hubToken()).expect(200),
      ).data;
      expect(byRole).toEqual({ items: expect.any(Array), total: 2, limit: 50, offset: 0 });
      expect(byRole.items.map((item) => item.id).sort()).toEqual([first.agent.id, second.agent.id].sort());
      const busy = successBody<Page<AgentDto>>(
        await request(hub.server).get(`/api/agents?role=${role}&status=busy`).set(hubToken()).expect(200),
      ).data;
      expect(busy.items.map((item) => item.id)).toEqual([second.agent.id]);
      expect(busy.total).toBe(1);
    });
  });

  describe('what an agent key may do', () => {
    let self: NewAgent;
    let other: NewAgent;

    beforeAll(async () => {
      self = await newAgent('scoped-self');
      other = await newAgent('scoped-other');
    });

    it('reads an agent with its key', async () => {
      const read = await getAgent(other.agent.id, bearer(self.key));
      expect(read.status).toBe(200);
      expect(successBody<AgentDto>(read).data.id).toBe(other.agent.id);
    });

    it('lists agents with its key', async () => {
      const list = await request(hub.server).get('/api/agents?limit=500').set(bearer(self.key));
      expect(list.status).toBe(200);
      expect(successBody<Page<AgentDto>>(list).data.items.map((item) => item.id)).toEqual(
        expect.arrayContaining([self.agent.id, other.agent.id]),
      );
    });

    it('heartbeats itself: 200, lastSeenAt moves forward, status busy and load are stored; a bare heartbeat means online', async () => {
      await setLastSeen([self.agent.id], 3600);
      const before = await lastSeenOf(self.agent.id);
      const load = { cpu: 0.42, runningTasks: 2, queue: ['a', 'b'] };
      const response = await request(hub.server)
        .post(`/api/agents/${self.agent.id}/heartbeat`)
        .set(bearer(self.key))
        .send({ status: 'busy', load });
      expect(response.status).toBe(200);
      const agent = successBody<AgentDto>(response).data;
      expect(agent).toMatchObject({ id: self.agent.id, status: 'busy', load });
      expect(new Date(agent.lastSeenAt!).getTime()).toBeGreaterThan(before.getTime());
      const row = await storedAgent(self.agent.id);
      expect(row).toMatchObject({ status: 'busy', load });
      expect((row.last_seen_at as Date).getTime()).toBeGreaterThan(before.getTime());

      const bare = await request(hub.server)
        .post(`/api/agents/${self.agent.id}/heartbeat`)
        .set(bearer(self.key))
        .send({});
      expect(bare.status).toBe(200);
      expect(successBody<AgentDto>(bare).data.status).toBe('online');
    });

    it('cannot heartbeat another agent: 403, and the other agent is untouched', async () => {
      await setLastSeen([other.agent.id], 3600);
      const before = await storedAgent(other.agent.id);
      const response = await request(hub.server)
        .post(`/api/agents/${other.agent.id}/heartbeat`)
        .set(bearer(self.key))
        .send({ status: 'busy' });
      expect(refusal(response)).toEqual({ status: 403, code: 'forbidden' });
      const after = await storedAgent(other.agent.id);
      expect(after.status).toBe(before.status);
      expect((after.last_seen_at as Date).getTime()).toBe((before.last_seen_at as Date).getTime());
    });

    it("cannot rotate another agent's key: 403, and the other key still works", async () => {
      const before = (await storedAgent(other.agent.id)).key_hash;
      const response = await request(hub.server).post(`/api/agents/${other.agent.id}/rotate-key`).set(bearer(self.key));
      expect(refusal(response)).toEqual({ status: 403, code: 'forbidden' });
      expect(JSON.stringify(response.body)).not.toMatch(/ak_[A-Za-z0-9_-]{43}/);
      expect((await storedAgent(other.agent.id)).key_hash).toBe(before);
      expect((await getAgent(other.agent.id, bearer(other.key))).status).toBe(200);
    });

    it('cannot PATCH or DELETE agents, itself included: 403 each, nothing changes', async () => {
      for (const target of [self.agent.id, other.agent.id]) {
        const patched = await request(hub.server)
          .patch(`/api/agents/${target}`)
          .set(bearer(self.key))
          .send({ name: 'hijacked', status: 'online' });
        expect(refusal(patched)).toEqual({ status: 403, code: 'forbidden' });
        const deleted = await request(hub.server).delete(`/api/agents/${target}`).set(bearer(self.key));
        expect(refusal(deleted)).toEqual({ status: 403, code: 'forbidden' });
        expect((await storedAgent(target)).name).not.toBe('hijacked');
      }
    });

    it('cannot reach admin routes: GET /api/admin/users, GET /api/audit-logs, POST /api/admin/agent-token/rotate (403 each)', async () => {
      const users = await request(hub.server).get('/api/admin/users').set(bearer(self.key));
      expect(refusal(users)).toEqual({ status: 403, code: 'forbidden' });
      const audit = await request(hub.server).get('/api/audit-logs').set(bearer(self.key));
      expect(refusal(audit)).toEqual({ status: 403, code: 'forbidden' });
      const rotate = await request(hub.server).post('/api/admin/agent-token/rotate').set(bearer(self.key)).send({});
      expect(refusal(rotate)).toEqual({ status: 403, code: 'forbidden' });
      // The hub token was not rotated away.
      expect((await request(hub.server).get('/api/admin/users').set(hubToken())).status).toBe(200);
    });

    it('cannot use user-only routes: GET /api/profile → 401', async () => {
      const response = await request(hub.server).get('/api/profile').set(bearer(self.key));
      expect(refusal(response)).toEqual({ status: 401, code: 'unauthenticated' });
    });

    it('is refused with 401 for a garbage key of the right shape', async () => {
      const garbage = garbageAgentKey();
      for (const response of [
        await request(hub.server).get('/api/agents').set(bearer(garbage)),
        await getAgent(self.agent.id, bearer(garbage)),
        await request(hub.server).post(`/api/agents/${self.agent.id}/heartbeat`).set(bearer(garbage)).send({}),
      ]) {
        expect(refusal(response)).toEqual({ status: 401, code: 'unauthenticated' });
      }
    });

    it('rotates its own key: a new key that works, and the old one is refused (401) at once', async () => {
      const oldKey = self.key;
      const response = await request(hub.server).post(`/api/agents/${self.agent.id}/rotate-key`).set(bearer(oldKey));
      expect(response.status).toBe(200);
      const { agentKey } = successBody<{ agentKey: string }>(response).data;
      expect(Object.keys(successBody<{ agentKey: string }>(response).data)).toEqual(['agentKey']);
      expect(agentKey).toMatch(AGENT_KEY_SHAPE);
      expect(agentKey).not.toBe(oldKey);
      self.key = remember(agentKey);
      expect(refusal(await getAgent(self.agent.id, bearer(oldKey)))).toEqual({ status: 401, code: 'unauthenticated' });
      expect((await getAgent(self.agent.id, bearer(agentKey))).status).toBe(200);
      expect((await storedAgent(self.agent.id)).key_hash).toBe(sha256Hex(agentKey));
    });

    it('lets an admin heartbeat and rotate any agent (AGENT_TOKEN and admin user)', async () => {
      for (const credential of [TEST_AGENT_TOKEN, adminUserToken]) {
        await setLastSeen([other.agent.id], 3600);
        const before = await lastSeenOf(other.agent.id);
        const beat = await request(hub.server)
          .post(`/api/agents/${other.agent.id}/heartbeat`)
          .set(bearer(credential))
          .send({ status: 'busy', load: { by: 'admin' } });
        expect(beat.status).toBe(200);
        expect(successBody<AgentDto>(beat).data).toMatchObject({ status: 'busy', load: { by: 'admin' } });
        expect((await lastSeenOf(other.agent.id)).getTime()).toBeGreaterThan(before.getTime());

        const oldKey = other.key;
        const rotated = await request(hub.server)
          .post(`/api/agents/${other.agent.id}/rotate-key`)
          .set(bearer(credential));
        expect(rotated.status).toBe(200);
        const { agentKey } = successBody<{ agentKey: string }>(rotated).data;
        expect(agentKey).toMatch(AGENT_KEY_SHAPE);
        other.key = remember(agentKey);
        expect(refusal(await getAgent(other.agent.id, bearer(oldKey)))).toEqual({
          status: 401,
          code: 'unauthenticated',
        });
        expect((await getAgent(other.agent.id, bearer(agentKey))).status).toBe(200);
      }
    });

    it('lets no non-admin user PATCH, DELETE, heartbeat or rotate an agent (403 each)', async () => {
      const user = bearer(userToken);
      const responses = [
        await request(hub.server).patch(`/api/agents/${other.agent.id}`).set(user).send({ name: 'by-user' }),
        await request(hub.server).delete(`/api/agents/${other.agent.id}`).set(user),
        await request(hub.server).post(`/api/agents/${other.agent.id}/heartbeat`).set(user).send({}),
        await request(hub.server).post(`/api/agents/${other.agent.id}/rotate-key`).set(user),
      ];
      expect(responses.map(refusal)).toEqual(Array.from({ length: 4 }, () => ({ status: 403, code: 'forbidden' })));
      expect((await getAgent(other.agent.id, bearer(other.key))).status).toBe(200);
    });

    it('refuses the key of a deleted agent (401); the agent is gone (404 agent_not_found)', async () => {
      const doomed = await newAgent('doomed');
      expect((await getAgent(doomed.agent.id, bearer(doomed.key))).status).toBe(200);
      const deleted = await request(hub.server).delete(`/api/agents/${doomed.agent.id}`).set(hubToken());
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect(refusal(await request(hub.server).get('/api/agents').set(bearer(doomed.key)))).toEqual({
        status: 401,
        code: 'unauthenticated',
      });
      expect(refusal(await getAgent(doomed.agent.id, hubToken()))).toEqual({ status: 404, code: 'agent_not_found' });
      expect(await rowsForUrl(doomed.agent.url)).toHaveLength(0);
    });

    it("refuses a disabled agent's key (401)", async () => {
      const disabled = await newAgent('disabled');
      const patched = await request(hub.server)
        .patch(`/api/agents/${disabled.agent.id}`)
        .set(hubToken())
        .send({ status: 'disabled' });
      expect(patched.status).toBe(200);
      expect(successBody<AgentDto>(patched).data.status).toBe('disabled');
      for (const response of [
        await request(hub.server).get('/api/agents').set(bearer(disabled.key)),
        await request(hub.server).post(`/api/agents/${disabled.agent.id}/heartbeat`).set(bearer(disabled.key)).send({}),
      ]) {
        expect(refusal(response)).toEqual({ status: 401, code: 'unauthenticated' });
      }
      expect((await storedAgent(disabled.agent.id)).status).toBe('disabled');
    });
  });

  describe('admin changes and the audit trail', () => {
    const auditFor = (action: string, targetId: string): Promise<AuditEntry[]> =>
      allAuditEntries(hub.server, TEST_AGENT_TOKEN, `action=${encodeURIComponent(action)}&targetId=${targetId}`);

    it('PATCH changes the fields and writes agent.updated', async () => {
      const { agent } = await newAgent('patch-me', { role: 'worker', version: '1.0.0' });
      const changes = { name: 'patched', role: 'planner', capabilities: ['plan'], version: '3.1.0', status: 'busy' };
      const response = await request(hub.server).patch(`/api/agents/${agent.id}`).set(hubToken()).send(changes);
      expect(response.status).toBe(200);
      expect(successBody<AgentDto>(response).data).toMatchObject({ id: agent.id, url: agent.url, ...changes });
      expect(successBody<AgentDto>(await getAgent(agent.id, bearer(userToken)).expect(200)).data).toMatchObject(
        changes,
      );
      const entries = await auditFor('agent.updated', agent.id);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ targetType: 'agent', targetId: agent.id, actorType: 'hub-token' });
    });

    it('registration writes agent.registered', async () => {
      const { agent } = await newAgent('audited-registration');
      const entries = await auditFor('agent.registered', agent.id);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ action: 'agent.registered', targetType: 'agent', targetId: agent.id });
    });

    it('deletion writes agent.deleted', async () => {
      const { agent } = await newAgent('audited-deletion');
      await request(hub.server).delete(`/api/agents/${agent.id}`).set(bearer(adminUserToken)).expect(204);
      const entries = await auditFor('agent.deleted', agent.id);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ targetType: 'agent', targetId: agent.id, actorType: 'user' });
    });

    it('key rotation writes agent.key_rotated, naming the agent as actor when it rotates its own key', async () => {
      const { agent, key } = await newAgent('audited-rotation');
      const response = await request(hub.server).post(`/api/agents/${agent.id}/rotate-key`).set(bearer(key));
      expect(response.status).toBe(200);
      remember(successBody<{ agentKey: string }>(response).data.agentKey);
      const entries = await auditFor('agent.key_rotated', agent.id);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        targetType: 'agent',
        targetId: agent.id,
        actorType: 'agent',
        actorId: agent.id,
      });
    });
  });

  describe('offline detection', () => {
    let slot: Date;
    /** An agent the first sweep test left offline. */
    let sweptOffline: string | undefined;

    beforeAll(() => {
      // Slots far from the real clock, so no timer-driven tick could have claimed them.
      slot = slotStart(new Date(Date.now() + 365 * 24 * 3600 * 1000), SWEEP_PERIOD_SECONDS);
    });

    const sweep = (app: NestFastifyApplication) => app.get(AgentOfflineSweepJob, { strict: false });
    const at = (offsetSeconds: number): Date => new Date(slot.getTime() + offsetSeconds * 1000);

    async function claimsFor(fireAt: Date): Promise<Array<{ outcome: string | null }>> {
      return db().query<Array<{ outcome: string | null }>>(
        'SELECT outcome FROM system_job_runs WHERE job = $1 AND fire_at = $2',
        [SWEEP_JOB, fireAt],
      );
    }

    const statusOf = async (id: string): Promise<unknown> => (await storedAgent(id)).status;

    it('marks agents silent for longer than AGENT_OFFLINE_TIMEOUT_SECONDS offline; recent and disabled ones keep their status; a heartbeat brings one back online', async () => {
      const staleOnline = await newAgent('stale-online');
      const staleBusy = await newAgent('stale-busy');
      const staleDisabled = await newAgent('stale-disabled');
      const recent = await newAgent('recent');
      await request(hub.server)
        .post(`/api/agents/${staleBusy.agent.id}/heartbeat`)
        .set(bearer(staleBusy.key))
        .send({ status: 'busy' })
        .expect(200);
      await request(hub.server)
        .patch(`/api/agents/${staleDisabled.agent.id}`)
        .set(hubToken())
        .send({ status: 'disabled' })
        .expect(200);
      await setLastSeen(
        [staleOnline.agent.id, staleBusy.agent.id, staleDisabled.agent.id],
        OFFLINE_TIMEOUT_SECONDS + 60,
      );
      await setLastSeen([recent.agent.id], OFFLINE_TIMEOUT_SECONDS - 30);

      expect(await sweep(hub.app).tick(at(0))).toBe(true);

      expect(await statusOf(staleOnline.agent.id)).toBe('offline');
      expect(await statusOf(staleBusy.agent.id)).toBe('offline');
      expect(await statusOf(staleDisabled.agent.id)).toBe('disabled');
      expect(await statusOf(recent.agent.id)).toBe('online');
      expect(await claimsFor(at(0))).toEqual([{ outcome: 'succeeded' }]);
      expect(successBody<AgentDto>(await getAgent(staleBusy.agent.id, hubToken()).expect(200)).data.status).toBe(
        'offline',
      );
      sweptOffline = staleBusy.agent.id;

      // An offline agent's key still authenticates it, and its heartbeat brings it back.
      const beat = await request(hub.server)
        .post(`/api/agents/${staleOnline.agent.id}/heartbeat`)
        .set(bearer(staleOnline.key))
        .send({});
      expect(beat.status).toBe(200);
      expect(successBody<AgentDto>(beat).data.status).toBe('online');
      expect(await statusOf(staleOnline.agent.id)).toBe('online');
    });

    it('lists the swept agent under GET /api/agents?status=offline', async () => {
      expect(sweptOffline).toEqual(expect.any(String));
      const response = await request(hub.server).get('/api/agents?status=offline&limit=500').set(hubToken());
      expect(response.status).toBe(200);
      expect(successBody<Page<AgentDto>>(response).data.items.map((item) => item.id)).toContain(sweptOffline);
    });

    it('runs a tick exactly once across two instances on one database, not again within the slot, and again in the next slot', async () => {
      const first = await newAgent('two-instances-1');
      await setLastSeen([first.agent.id], OFFLINE_TIMEOUT_SECONDS + 60);

      const claimed = await Promise.all([sweep(hub.app).tick(at(60)), sweep(peer).tick(at(60))]);
      expect(claimed.filter(Boolean)).toHaveLength(1);
      expect(await claimsFor(at(60))).toEqual([{ outcome: 'succeeded' }]);
      expect(await statusOf(first.agent.id)).toBe('offline');

      // Later in the same slot: already claimed, on both instances.
      const again = await Promise.all([sweep(hub.app).tick(at(60 + 29)), sweep(peer).tick(at(60 + 15))]);
      expect(again).toEqual([false, false]);
      expect(await claimsFor(at(60))).toHaveLength(1);

      const second = await newAgent('two-instances-2');
      await setLastSeen([second.agent.id], OFFLINE_TIMEOUT_SECONDS + 60);
      const next = await Promise.all([sweep(peer).tick(at(90)), sweep(hub.app).tick(at(90))]);
      expect(next.filter(Boolean)).toHaveLength(1);
      expect(await claimsFor(at(90))).toEqual([{ outcome: 'succeeded' }]);
      expect(await statusOf(second.agent.id)).toBe('offline');
    });
  });

  describe('secrets in the audit trail', () => {
    it('no audit entry (through the API or in the table) contains an agent key, outbound token or registration token', async () => {
      const entries = await allAuditEntries(hub.server, TEST_AGENT_TOKEN);
      expect(entries.filter((entry) => entry.action.startsWith('agent.')).length).toBeGreaterThan(10);
      const agentSecrets = [...secrets].filter((secret) => secret !== TEST_AGENT_TOKEN);
      expect(agentSecrets.length).toBeGreaterThan(20);
      expect(leakedSecrets(JSON.stringify(entries), secrets)).toEqual([]);
      const rows = await db().query<Array<{ text: string }>>('SELECT row_to_json(a)::text AS text FROM audit_logs a');
      expect(leakedSecrets(rows.map((row) => row.text).join('\n'), secrets)).toEqual([]);
    });
  });
});

describe('Registration rate limit (SPEC section 4: 20 requests per 60 s per client address)', () => {
  let hub: TestApp;

  beforeAll(async () => {
    // Its own database, so the shared counters of the hub above are not involved; TRUST_PROXY stays false.
    hub = await startTestApp({ env: { REGISTRATION_TOKEN } });
  });
  afterAll(() => hub?.close());

  const register = (body: object, headers: Headers = {}) =>
    request(hub.server).post('/api/agents/register').set(headers).send(body);

  it('counts every request to the route (refused, invalid and valid alike) and answers the 21st with 429 rate_limited and Retry-After', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 20; index += 1) {
      const kind = index % 3;
      const response =
        kind === 0
          ? await register({ name: `limited-${index}`, url: uniqueAgentUrl('limited') })
          : kind === 1
            ? await register({ name: `limited-${index}`, url: 'ftp://x' }, registrationHeader())
            : await register({ name: `limited-${index}`, url: uniqueAgentUrl('limited') }, registrationHeader());
      statuses.push(response.status);
    }
    expect(statuses).toEqual(Array.from({ length: 20 }, (_, index) => [401, 400, 200][index % 3]));

    const url = uniqueAgentUrl('over-the-limit');
    const blocked = await register({ name: 'over-the-limit', url }, registrationHeader());
    expect(refusal(blocked)).toEqual({ status: 429, code: 'rate_limited' });
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const rows = await hub.app
      .get(DataSource)
      .query<Array<{ id: string }>>('SELECT id FROM agents WHERE url = $1', [url]);
    expect(rows).toHaveLength(0);
  });

  it('applies to admins too, and X-Forwarded-For does not escape it while TRUST_PROXY is false', async () => {
    const asAdmin = await register({ name: 'admin-limited', url: uniqueAgentUrl('admin-limited') }, hubToken());
    expect(refusal(asAdmin)).toEqual({ status: 429, code: 'rate_limited' });
    const spoofed = await register(
      { name: 'spoofed', url: uniqueAgentUrl('spoofed') },
      { ...registrationHeader(), 'x-forwarded-for': '203.0.113.99' },
    );
    expect(refusal(spoofed)).toEqual({ status: 429, code: 'rate_limited' });
    expect(Number(spoofed.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('limits only the registration route', async () => {
    const response = await request(hub.server).get(`/api/agents/${randomUUID()}`).set(hubToken());
    expect(refusal(response)).toEqual({ status: 404, code: 'agent_not_found' });
  });
});
