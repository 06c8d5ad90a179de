import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import type { RequestContext } from '../../src/common/auth/request-context.js';
import { createLogger } from '../../src/logging/logger.js';
import type { UserEntity } from '../../src/modules/users/user.entity.js';
import { createUser, tokenFor } from '../factories/user.factory.js';
import { errorBody, successBody } from '../utils/envelope.js';
import { ProbeModule } from '../utils/probe.module.js';
import { registerAgent } from '../utils/queue-helpers.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { agentJwt, bearer, claimsOf, type Headers, unsignedToken, userAccessToken } from '../utils/tokens.js';

type Level = 'public' | 'principal' | 'people' | 'user' | 'admin' | 'metrics' | 'undeclared';
const LEVELS: Level[] = ['public', 'principal', 'people', 'user', 'admin', 'metrics', 'undeclared'];
const METRICS_TOKEN = 'metrics-token-for-the-level-matrix-0123456789';

describe('Auth levels and credentials (SPEC section 2)', () => {
  let hub: TestApp;
  const logLines: string[] = [];
  let user: UserEntity;
  let admin: UserEntity;
  const userToken = (overrides: Parameters<typeof userAccessToken>[1] = {}): string =>
    userAccessToken(hub.config, { sub: user.id, username: user.username, role: 'user', ...overrides });
  const adminToken = (): string =>
    userAccessToken(hub.config, { sub: admin.id, username: admin.username, role: 'admin' });

  beforeAll(async () => {
    const logger = createLogger('info', { write: (line: string) => logLines.push(line) });
    hub = await startTestApp({ imports: [ProbeModule], logger, env: { METRICS_TOKEN } });
    user = (await createUser(hub.app, { username: 'carol', role: 'user' })).user;
    admin = (await createUser(hub.app, { role: 'admin' })).user;
  });
  afterAll(() => hub.close());

  const call = (level: Level, headers: Headers = {}, query = '') =>
    request(hub.server).get(`/api/probe/${level}${query}`).set(headers);

  async function statuses(headers: Headers, query = ''): Promise<Record<Level, number>> {
    const entries = await Promise.all(LEVELS.map(async (level) => [level, (await call(level, headers, query)).status]));
    return Object.fromEntries(entries) as Record<Level, number>;
  }

  describe('the level matrix', () => {
    it('lets anonymous callers reach only public routes (401 elsewhere, never 403)', async () => {
      expect(await statuses({})).toEqual({
        public: 200,
        principal: 401,
        people: 401,
        user: 401,
        admin: 401,
        metrics: 401,
        undeclared: 401,
      });
    });

    it('treats a user JWT as agent-or-user, people and user, but not admin or metrics', async () => {
      const token = userToken();
      expect(await statuses(bearer(token))).toEqual({
        public: 200,
        principal: 200,
        people: 200,
        user: 200,
        admin: 403,
        metrics: 403,
        undeclared: 200,
      });
    });

    it('lets an admin user JWT through every level', async () => {
      const token = adminToken();
      expect(await statuses(bearer(token))).toEqual({
        public: 200,
        principal: 200,
        people: 200,
        user: 200,
        admin: 200,
        metrics: 200,
        undeclared: 200,
      });
    });

    it('treats the static AGENT_TOKEN as admin, but not as a user (401 on user-only routes)', async () => {
      expect(await statuses(bearer(TEST_AGENT_TOKEN))).toEqual({
        public: 200,
        principal: 200,
        people: 200,
        user: 401,
        admin: 200,
        metrics: 200,
        undeclared: 200,
      });
    });

    it('treats a registered agent key as agent-or-user only (403 on people, admin and metrics routes, and where no scope is named)', async () => {
      const agent = await registerAgent(hub.server, bearer(TEST_AGENT_TOKEN), 'level-matrix');
      expect(await statuses(agent.headers)).toEqual({
        public: 200,
        principal: 200,
        people: 403,
        user: 401,
        admin: 403,
        metrics: 403,
        undeclared: 403,
      });
    });

    it("treats a personal access token as its owner's session within its scopes, never as user-only", async () => {
      const mint = async (owner: UserEntity, scopes: string[]): Promise<Headers> => {
        const session = bearer(
          userAccessToken(hub.config, { sub: owner.id, username: owner.username, role: owner.role }),
        );
        const response = await request(hub.server)
          .post('/api/profile/tokens')
          .set(session)
          .send({ name: `matrix-${scopes.join('-')}`, scopes });
        expect(response.status).toBe(201);
        return bearer((response.body as { data: { token: string } }).data.token);
      };
      // The probe's checked routes name tasks:read, admin (its admin route) and system:read (metrics); the
      // owner's role does not widen a narrow token.
      for (const owner of [user, admin]) {
        expect(await statuses(await mint(owner, ['tasks:read']))).toEqual({
          public: 200,
          principal: 200,
          people: 200,
          user: 401,
          admin: 403,
          metrics: 403,
          undeclared: 403,
        });
      }
      expect(await statuses(await mint(admin, ['admin']))).toEqual({
        public: 200,
        principal: 200,
        people: 200,
        user: 401,
        admin: 200,
        metrics: 200,
        undeclared: 403,
      });
    });

    it('treats METRICS_TOKEN as the metrics level only (401 everywhere else, and as ?token=)', async () => {
      expect(await statuses(bearer(METRICS_TOKEN))).toEqual({
        public: 200,
        principal: 401,
        people: 401,
        user: 401,
        admin: 401,
        metrics: 200,
        undeclared: 401,
      });
      expect((await call('metrics', {}, `?token=${METRICS_TOKEN}`)).status).toBe(401);
    });

    it('accepts AGENT_TOKEN as ?token= on agent-or-user, people and admin routes only', async () => {
      expect(await statuses({}, `?token=${TEST_AGENT_TOKEN}`)).toEqual({
        public: 200,
        principal: 200,
        people: 200,
        user: 401,
        admin: 200,
        metrics: 401,
        undeclared: 200,
      });
    });

    it('does not accept a user JWT as ?token= on user-only routes (header only, as in the seed)', async () => {
      const token = adminToken();
      expect((await call('principal', {}, `?token=${token}`)).status).toBe(200);
      expect((await call('user', {}, `?token=${token}`)).status).toBe(401);
    });

    it('treats a JWT signed with AGENT_TOKEN like the token itself', async () => {
      const token = agentJwt(TEST_AGENT_TOKEN, hub.config);
      expect(await statuses(bearer(token))).toEqual({
        public: 200,
        principal: 200,
        people: 200,
        user: 401,
        admin: 200,
        metrics: 200,
        undeclared: 200,
      });
    });
  });

  describe('the request context', () => {
    it('describes a user caller', async () => {
      const response = await call('principal', bearer(userToken())).expect(200);
      const ctx = successBody<RequestContext>(response).data;
      expect(ctx).toEqual({
        principal: { kind: 'user', id: user.id, username: 'carol', role: 'user' },
        isAdmin: false,
        requestId: response.headers['x-request-id'],
        ip: '127.0.0.1',
      });
    });

    it('describes the hub token as an administrator', async () => {
      const response = await call('admin', bearer(TEST_AGENT_TOKEN)).expect(200);
      expect(successBody<RequestContext>(response).data).toMatchObject({
        principal: { kind: 'hub-token', id: 'hub-token' },
        isAdmin: true,
      });
    });

    it('ignores a forged X-Forwarded-For when TRUST_PROXY is off', async () => {
      const response = await call('principal', { ...bearer(TEST_AGENT_TOKEN), 'X-Forwarded-For': '203.0.113.9' });
      expect(successBody<RequestContext>(response).data.ip).toBe('127.0.0.1');
    });
  });

  describe('rejected user tokens (401 unauthenticated)', () => {
    const now = () => Math.floor(Date.now() / 1000);
    // Valid in every respect but the one each case changes: an admin's token, so any acceptance shows.
    const forge = (
      overrides: Parameters<typeof userAccessToken>[1] = {},
      key?: jwt.Secret,
      algorithm?: jwt.Algorithm,
    ) =>
      userAccessToken(
        hub.config,
        { sub: admin.id, username: admin.username, role: 'admin', ...overrides },
        key,
        algorithm,
      );

    it('accepts the unmodified token the cases below are forged from', async () => {
      await call('admin', bearer(forge())).expect(200);
    });

    const forged: Array<[string, () => string]> = [
      ['signed with another secret', () => forge({}, 'another-secret-that-is-long-enough-123456')],
      ['expired beyond the 30 s tolerance', () => forge({ iat: now() - 1000, exp: now() - 31 })],
      ['without exp', () => forge({ exp: undefined })],
      ['with alg none', () => unsignedToken(claimsOf(forge()))],
      ['signed with HS512 (algorithm not pinned)', () => forge({}, hub.config.jwt.key, 'HS512')],
      [
        'signed with RS256 (RS/HS confusion)',
        () => {
          const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
          return forge({}, privateKey, 'RS256');
        },
      ],
      ['for another audience', () => forge({ aud: 'another-service' })],
      ['from another issuer', () => forge({ iss: 'someone-else' })],
      ['that is not an access token', () => forge({ typ: 'refresh' })],
      ['with an unknown role', () => forge({ role: 'superuser' })],
      ['without a subject', () => forge({ sub: undefined })],
      ['that is garbage', () => 'not.a.token'],
    ];

    it.each(forged)('rejects a token %s', async (_label, make) => {
      const token = make();
      for (const level of ['principal', 'user', 'admin'] as const) {
        const response = await call(level, bearer(token));
        expect(response.status).toBe(401);
        expect(errorBody(response).data.code).toBe('unauthenticated');
      }
    });

    it('accepts a token that expired within the 30 s clock tolerance', async () => {
      const token = userToken({ iat: now() - 900, exp: now() - 10 });
      await call('user', bearer(token)).expect(200);
    });

    it('rejects a malformed Authorization header', async () => {
      const token = forge();
      await call('principal', { authorization: `Basic ${token}` }).expect(401);
      await call('principal', { authorization: `Bearer` }).expect(401);
      await call('principal', { authorization: `Bearer ${token} extra` }).expect(401);
    });
  });

  describe('rejected agent tokens (401 unauthenticated)', () => {
    const cases: Array<[string, () => string]> = [
      ['a JWT without exp', () => agentJwt(TEST_AGENT_TOKEN, hub.config, { exp: undefined })],
      ['a JWT for another audience', () => agentJwt(TEST_AGENT_TOKEN, hub.config, { aud: 'elsewhere' })],
      ['a JWT signed with HS512', () => agentJwt(TEST_AGENT_TOKEN, hub.config, {}, 'HS512')],
      ['an expired JWT', () => agentJwt(TEST_AGENT_TOKEN, hub.config, { exp: Math.floor(Date.now() / 1000) - 60 })],
      ['an unsigned JWT', () => unsignedToken({ sub: 'worker', aud: 'ananta-hub', exp: 4102444800 })],
      ['a near miss of the static token', () => `${TEST_AGENT_TOKEN.slice(0, -1)}x`],
      ['the static token with a suffix', () => `${TEST_AGENT_TOKEN}x`],
    ];

    it.each(cases)('rejects %s', async (_label, make) => {
      const response = await call('admin', bearer(make()));
      expect(response.status).toBe(401);
    });

    it('does not let a JWT signed with AGENT_TOKEN pose as a user', async () => {
      const token = jwt.sign(claimsOf(adminToken()), TEST_AGENT_TOKEN);
      await call('user', bearer(token)).expect(401);
    });
  });

  it('never writes ?token= or the Authorization header into the logs', async () => {
    await call('admin', {}, `?token=${TEST_AGENT_TOKEN}&x=1`).expect(200);
    await call('admin', bearer(TEST_AGENT_TOKEN)).expect(200);
    const log = logLines.join('\n');
    expect(log).toContain('/api/probe/admin?token=[REDACTED]&x=1');
    expect(log).not.toContain(TEST_AGENT_TOKEN);
  });
});

describe('With AGENT_TOKEN unset', () => {
  let hub: TestApp;
  let admin: UserEntity;

  beforeAll(async () => {
    hub = await startTestApp({ imports: [ProbeModule], env: { AGENT_TOKEN: undefined } });
    admin = (await createUser(hub.app, { role: 'admin' })).user;
  });
  afterAll(() => hub.close());

  it('accepts no hub token in any form and opens nothing', async () => {
    for (const headers of [bearer(TEST_AGENT_TOKEN), bearer(agentJwt(TEST_AGENT_TOKEN, hub.config))]) {
      await request(hub.server).get('/api/probe/admin').set(headers).expect(401);
      await request(hub.server).get('/api/probe/principal').set(headers).expect(401);
    }
    await request(hub.server).get('/api/probe/principal').expect(401);
  });

  it('still accepts user tokens', async () => {
    const token = tokenFor(hub.config, admin);
    await request(hub.server).get('/api/probe/admin').set(bearer(token)).expect(200);
  });
});
