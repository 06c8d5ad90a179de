import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { MAX_JSON_NESTING } from '../../src/app/edge/json-body.js';
import { dataOf } from '../utils/api.js';
import { loginPair } from '../utils/sessions-helpers.js';
import { rawHttp } from '../utils/raw-http.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_ADMIN_PASSWORD, TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer } from '../utils/tokens.js';
import { uniqueAgentUrl } from '../utils/agents-helpers.js';
import { unique } from '../utils/values.js';

type Headers = Record<string, string | string[] | undefined>;

/** What every error the process sends must look like, whatever layer wrote it (issue 11). */
function edgeAnswer(status: number, headers: Headers, body: unknown) {
  const envelope = body as { status?: string; message?: unknown; data?: { code?: string; requestId?: string } };
  return {
    status,
    envelope: envelope?.status,
    message: typeof envelope?.message,
    code: envelope?.data?.code,
    requestIdMatches: envelope?.data?.requestId !== undefined && envelope.data.requestId === headers['x-request-id'],
    nosniff: headers['x-content-type-options'],
    frame: headers['x-frame-options'],
    referrer: headers['referrer-policy'],
    csp: String(headers['content-security-policy']).includes("frame-ancestors 'none'"),
    cache: headers['cache-control'],
  };
}

const expected = (status: number, code: string) => ({
  status,
  envelope: 'error',
  message: 'string',
  code,
  requestIdMatches: true,
  nosniff: 'nosniff',
  frame: 'DENY',
  referrer: 'strict-origin-when-cross-origin',
  csp: true,
  cache: 'no-store',
});

const answerOf = (response: Response) => edgeAnswer(response.status, response.headers, response.body);

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let level = 0; level < levels; level += 1) {
    value = level % 2 ? { inner: value } : [value];
  }
  return value;
};

describe('Edge layer: router, parser and connection errors are envelopes with the security headers', () => {
  let hub: TestApp;
  let port: number;

  beforeAll(async () => {
    hub = await startTestApp({ env: { HTTP_REQUEST_TIMEOUT_SECONDS: '1' } });
    await hub.app.listen({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(await hub.app.getUrl()).port);
  });
  afterAll(() => hub.close());

  describe('the router', () => {
    it.each(['%ED%A0%80', '%FF%FE'])(
      'answers a path with bad percent-encoding (%s) with 400 validation_failed',
      async (bad) => {
        const response = await request(hub.server).get(`/api/admin/users/${bad}`).set(bearer(TEST_AGENT_TOKEN));
        expect(answerOf(response)).toEqual(expected(400, 'validation_failed'));
        expect((response.body as { data: { details: unknown } }).data.details).toEqual([
          { field: 'path', message: expect.any(String) },
        ]);
      },
    );

    it('answers a 257-character path parameter with 414 uri_too_long', async () => {
      const response = await request(hub.server)
        .get(`/api/config/${'k'.repeat(257)}`)
        .set(bearer(TEST_AGENT_TOKEN));
      expect(answerOf(response)).toEqual(expected(414, 'uri_too_long'));
    });

    it('answers an unknown path with 404 route_not_found', async () => {
      expect(answerOf(await request(hub.server).get('/api/no/such/thing'))).toEqual(expected(404, 'route_not_found'));
    });

    it('answers a known path with the wrong method with 405 method_not_allowed and Allow', async () => {
      const health = await request(hub.server).put('/api/health');
      expect(answerOf(health)).toEqual(expected(405, 'method_not_allowed'));
      expect(health.headers.allow).toBe('GET, HEAD');
      const tasks = await request(hub.server).delete('/api/tasks').set(bearer(TEST_AGENT_TOKEN));
      expect(answerOf(tasks)).toEqual(expected(405, 'method_not_allowed'));
      expect(tasks.headers.allow).toBe('GET, POST, HEAD');
    });
  });

  describe('the body parsers', () => {
    const login = () => request(hub.server).post('/api/auth/login');

    it('answers malformed JSON, an empty JSON body and prototype keys with 400 validation_failed', async () => {
      for (const body of [
        '{"username": ',
        '',
        '{"__proto__": {"isAdmin": true}}',
        '{"constructor": {"prototype": {}}}',
      ]) {
        const response = await login().set('Content-Type', 'application/json').send(body);
        expect([body, answerOf(response)]).toEqual([body, expected(400, 'validation_failed')]);
      }
    });

    it('answers bodies that are not JSON, or have no content type, with 415 unsupported_media_type', async () => {
      for (const type of [
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
      ]) {
        const response = await login().set('Content-Type', type).send('username=admin');
        expect([type, answerOf(response)]).toEqual([type, expected(415, 'unsupported_media_type')]);
      }
      const untyped = await rawHttp(port, [
        'POST /api/auth/login HTTP/1.1\r\nHost: hub\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}',
      ]);
      expect(edgeAnswer(untyped.status, untyped.headers, JSON.parse(untyped.body))).toEqual(
        expected(415, 'unsupported_media_type'),
      );
    });

    it('answers a body over 1 MiB with 413 payload_too_large', async () => {
      const response = await login()
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ username: 'x'.repeat(1024 * 1024) }));
      expect(answerOf(response)).toEqual(expected(413, 'payload_too_large'));
    });

    it(`accepts JSON nested ${MAX_JSON_NESTING} levels deep and refuses deeper bodies with 400, storing nothing`, async () => {
      const admin = bearer(TEST_AGENT_TOKEN);
      const key = unique('deep');
      // The body {"value": …} is one level itself.
      await request(hub.server)
        .put(`/api/config/${key}`)
        .set(admin)
        .send({ value: nested(MAX_JSON_NESTING - 1) })
        .expect(200);
      for (const levels of [MAX_JSON_NESTING, 1_000, 3_000, 100_000]) {
        const refused = await request(hub.server)
          .put(`/api/config/${key}-${levels}`)
          .set(admin)
          .set('Content-Type', 'application/json')
          .send(`{"value":${'['.repeat(levels)}${']'.repeat(levels)}}`);
        expect([levels, answerOf(refused)]).toEqual([levels, expected(400, 'validation_failed')]);
        await request(hub.server).get(`/api/config/${key}-${levels}`).set(admin).expect(404);
      }
    });

    it('answers a string or key with an unpaired UTF-16 surrogate with 400 validation_failed, storing nothing', async () => {
      // Text columns would have stored U+FFFD in its place (and the audit entry's jsonb then failed, after the write).
      const admin = bearer(TEST_AGENT_TOKEN);
      const rows = async (): Promise<unknown> =>
        hub.app
          .get(DataSource)
          .query('SELECT (SELECT count(*) FROM team_types) AS types, (SELECT count(*) FROM config) AS config');
      const before = await rows();
      for (const [path, body] of [
        ['/api/team-types', `{"name":"${unique('type')} \\ud800"}`],
        ['/api/team-types', `{"name":"${unique('type')}","description":"x\\udc00\\ud800"}`],
        [`/api/config/${unique('surrogate')}`, '{"value":{"x\\udfff":1}}'],
      ]) {
        const method = path.startsWith('/api/config') ? 'put' : 'post';
        const refused = await request(hub.server)
          [method](path)
          .set(admin)
          .set('Content-Type', 'application/json')
          .send(body);
        expect([body, answerOf(refused)]).toEqual([body, expected(400, 'validation_failed')]);
      }
      expect(await rows()).toEqual(before);
      const paired = await request(hub.server)
        .post('/api/team-types')
        .set(admin)
        .set('Content-Type', 'application/json')
        .send(`{"name":"${unique('pair')} \\ud83d\\ude00"}`)
        .expect(201);
      expect(dataOf<{ name: string }>(paired).name).toMatch(/ 😀$/);
    });

    it('answers a NUL character PostgreSQL cannot store (text or jsonb) with 400 validation_failed, storing nothing', async () => {
      const admin = bearer(TEST_AGENT_TOKEN);
      const key = unique('nul');
      const inJsonb = await request(hub.server).put(`/api/config/${key}`).set(admin).send({ value: 'a\u0000b' });
      const name = unique('nul');
      const inText = await request(hub.server)
        .post('/api/templates')
        .set(admin)
        .send({ name: `${name}\u0000`, promptTemplate: 'x' });
      expect([answerOf(inJsonb), answerOf(inText)]).toEqual([
        expected(400, 'validation_failed'),
        expected(400, 'validation_failed'),
      ]);
      await request(hub.server).get(`/api/config/${key}`).set(admin).expect(404);
      const templates = await request(hub.server).get('/api/templates?limit=500').set(admin).expect(200);
      expect(dataOf<{ items: Array<{ name: string }> }>(templates).items.map((item) => item.name)).not.toContain(
        `${name}\u0000`,
      );
    });

    it('does not count brackets inside strings as nesting', async () => {
      const key = unique('brackets');
      const value = `${'['.repeat(500)}"\\"{${'{'.repeat(500)}`;
      const response = await request(hub.server)
        .put(`/api/config/${key}`)
        .set(bearer(TEST_AGENT_TOKEN))
        .send({ value })
        .expect(200);
      expect(dataOf<{ value: string }>(response).value).toBe(value);
    });
  });

  describe("Node's HTTP parser and timeouts (no request object exists yet)", () => {
    it('answers oversized headers with 431 headers_too_large', async () => {
      const answer = await rawHttp(port, [
        `GET /api/health HTTP/1.1\r\nHost: hub\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
      ]);
      expect(edgeAnswer(answer.status, answer.headers, JSON.parse(answer.body))).toEqual(
        expected(431, 'headers_too_large'),
      );
    });

    it('answers bytes that are not HTTP with 400 validation_failed', async () => {
      const answer = await rawHttp(port, ['NOT HTTP AT ALL\r\n\r\n']);
      expect(edgeAnswer(answer.status, answer.headers, JSON.parse(answer.body))).toEqual(
        expected(400, 'validation_failed'),
      );
    });

    it('answers a GET that carries a body only once the body has arrived, so no unread bytes reset the answer', async () => {
      const started = Date.now();
      const answer = await rawHttp(
        port,
        ['GET /api/health HTTP/1.1\r\nHost: hub\r\nConnection: close\r\nContent-Length: 10\r\n\r\nfirst', 'later'],
        300,
      );
      expect([answer.status, (JSON.parse(answer.body) as { status: string }).status]).toEqual([200, 'success']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    });

    it('answers a request that is not sent completely in time with 408 request_timeout', async () => {
      const answer = await rawHttp(
        port,
        [
          'POST /api/auth/login HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n',
          'Content-Length: 50\r\n\r\n{"us',
        ],
        400,
      );
      expect(edgeAnswer(answer.status, answer.headers, JSON.parse(answer.body))).toEqual(
        expected(408, 'request_timeout'),
      );
    });
  });

  it('allows no cross-origin access when CORS_ORIGINS is empty (a preflight is a 405 without CORS headers)', async () => {
    const simple = await request(hub.server).get('/api/health').set('Origin', 'https://console.example.test');
    const preflight = await request(hub.server)
      .options('/api/tasks')
      .set('Origin', 'https://console.example.test')
      .set('Access-Control-Request-Method', 'POST');
    expect([simple.status, simple.headers['access-control-allow-origin']]).toEqual([200, undefined]);
    expect(answerOf(preflight)).toEqual(expected(405, 'method_not_allowed'));
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  describe('Cache-Control: no-store (RFC 6749 §5.1, ASVS 8.1.1)', () => {
    it('is sent with every response that carries a credential or secret', async () => {
      const login = await request(hub.server)
        .post('/api/auth/login')
        .send({ username: 'admin', password: TEST_ADMIN_PASSWORD })
        .expect(200);
      const pair = await loginPair(hub.server, 'admin', TEST_ADMIN_PASSWORD);
      const refreshed = await request(hub.server).post('/api/auth/refresh').send({ refreshToken: pair.refreshToken });
      const setup = await request(hub.server).post('/api/profile/mfa/setup').set(bearer(pair.accessToken));
      const registered = await request(hub.server)
        .post('/api/agents/register')
        .set(bearer(TEST_AGENT_TOKEN))
        .send({ name: unique('agent'), url: uniqueAgentUrl('edge') });
      const agentId = dataOf<{ agent: { id: string } }>(registered).agent.id;
      const rotated = await request(hub.server).post(`/api/agents/${agentId}/rotate-key`).set(bearer(TEST_AGENT_TOKEN));
      const answers = { login, refreshed, setup, registered, rotated };
      expect(
        Object.fromEntries(
          Object.entries(answers).map(([name, response]) => [
            name,
            [response.status, response.headers['cache-control']],
          ]),
        ),
      ).toEqual({
        login: [200, 'no-store'],
        refreshed: [200, 'no-store'],
        setup: [200, 'no-store'],
        registered: [200, 'no-store'],
        rotated: [200, 'no-store'],
      });
      expect(login.headers.pragma).toBe('no-cache');
    });
  });
});
