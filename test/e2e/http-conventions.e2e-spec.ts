import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { errorBody, successBody } from '../utils/envelope.js';
import { ProbeModule } from '../utils/probe.module.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

describe('HTTP conventions (SPEC section 1)', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await startTestApp({ imports: [ProbeModule], env: { CORS_ORIGINS: 'https://console.example.test' } });
  });
  afterAll(() => hub.close());

  describe('envelope', () => {
    it('wraps success payloads in {status: "success", data}', async () => {
      const response = await request(hub.server).get('/api/probe/public').expect(200);
      expect(response.body).toEqual({ status: 'success', data: { ok: true } });
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    });

    it('answers 201 for creation and 204 with an empty body', async () => {
      await request(hub.server).post('/api/probe/echo').send({ name: 'x' }).expect(201);
      const empty = await request(hub.server).post('/api/probe/nothing').expect(204);
      expect(empty.text).toBe('');
    });

    it('serves only under the /api prefix', async () => {
      await request(hub.server).get('/probe/public').expect(404);
    });

    it('answers unknown routes with 404 route_not_found in the error envelope', async () => {
      const response = await request(hub.server).get('/api/no/such/route').expect(404);
      expect(errorBody(response)).toEqual({
        status: 'error',
        message: expect.any(String),
        data: { code: 'route_not_found', requestId: response.headers['x-request-id'] },
      });
    });
  });

  describe('request ids', () => {
    it('generates an X-Request-Id and repeats it in the error envelope', async () => {
      const response = await request(hub.server).get('/api/probe/admin').expect(401);
      const id = response.headers['x-request-id'];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(errorBody(response).data.requestId).toBe(id);
    });

    it('keeps a sane caller id and replaces one that is not', async () => {
      const kept = await request(hub.server).get('/api/probe/public').set('X-Request-Id', 'trace-abc.123:x');
      expect(kept.headers['x-request-id']).toBe('trace-abc.123:x');
      const replaced = await request(hub.server).get('/api/probe/public').set('X-Request-Id', 'bad id <script>');
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const tooLong = await request(hub.server).get('/api/probe/public').set('X-Request-Id', 'a'.repeat(200));
      expect(tooLong.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('validation (400 validation_failed)', () => {
    it('names each invalid field', async () => {
      const response = await request(hub.server).post('/api/probe/echo').send({ name: '', count: -1 }).expect(400);
      const body = errorBody(response);
      expect(body.data.code).toBe('validation_failed');
      expect(body.data.details).toEqual(
        expect.arrayContaining([
          { field: 'name', message: expect.stringContaining('name') },
          { field: 'count', message: expect.stringContaining('count') },
        ]),
      );
    });

    it('rejects unknown body fields', async () => {
      const response = await request(hub.server)
        .post('/api/probe/echo')
        .send({ name: 'ok', role: 'admin' })
        .expect(400);
      expect(errorBody(response).data.details).toEqual([{ field: 'role', message: 'property role should not exist' }]);
    });

    it('rejects malformed JSON with 400', async () => {
      const response = await request(hub.server)
        .post('/api/probe/echo')
        .set('Content-Type', 'application/json')
        .send('{"name": ')
        .expect(400);
      expect(errorBody(response).data).toMatchObject({ code: 'validation_failed', details: [{ field: 'body' }] });
    });

    it('maps invalid input that reaches PostgreSQL to 400, not 500', async () => {
      const response = await request(hub.server).get('/api/probe/bad-uuid').expect(400);
      expect(errorBody(response).data.code).toBe('validation_failed');
    });
  });

  describe('other status codes', () => {
    it('answers 413 payload_too_large for bodies over 1 MiB', async () => {
      const response = await request(hub.server)
        .post('/api/probe/echo')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ name: 'x'.repeat(1024 * 1024) }))
        .expect(413);
      expect(errorBody(response).data.code).toBe('payload_too_large');
    });

    it('answers 415 for bodies that are not JSON', async () => {
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
        const response = await request(hub.server)
          .post('/api/probe/echo')
          .set('Content-Type', contentType)
          .send('name=x')
          .expect(415);
        expect(errorBody(response).data.code).toBe('unsupported_media_type');
      }
    });

    it('answers 409 conflict for a unique violation', async () => {
      const response = await request(hub.server).get('/api/probe/duplicate').expect(409);
      expect(errorBody(response).data.code).toBe('conflict');
    });

    it('answers 429 rate_limited with Retry-After', async () => {
      const response = await request(hub.server).get('/api/probe/rate-limited').expect(429);
      expect(response.headers['retry-after']).toBe('42');
      expect(errorBody(response).data.code).toBe('rate_limited');
    });

    it('answers 500 internal_error without stack traces or SQL', async () => {
      const response = await request(hub.server).get('/api/probe/crash').expect(500);
      expect(errorBody(response).data.code).toBe('internal_error');
      expect(response.text).not.toMatch(/SELECT|password_hash|at .*\.ts|stack/i);
    });
  });

  describe('headers', () => {
    it('sends security headers on every response, errors included', async () => {
      for (const path of ['/api/probe/public', '/api/no/such/route', '/api/probe/admin']) {
        const response = await request(hub.server).get(path);
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['x-frame-options']).toBe('DENY');
        expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
        expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(response.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('sends HSTS only when the request came over HTTPS', async () => {
      const plain = await request(hub.server).get('/api/probe/public');
      expect(plain.headers['strict-transport-security']).toBeUndefined();
      // Without TRUST_PROXY a forwarded protocol is not believed.
      const forged = await request(hub.server).get('/api/probe/public').set('X-Forwarded-Proto', 'https');
      expect(forged.headers['strict-transport-security']).toBeUndefined();
    });

    it('allows CORS only for configured origins', async () => {
      const allowed = await request(hub.server)
        .options('/api/probe/public')
        .set('Origin', 'https://console.example.test')
        .set('Access-Control-Request-Method', 'GET');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example.test');
      const actual = await request(hub.server).get('/api/probe/public').set('Origin', 'https://console.example.test');
      expect(actual.headers['access-control-expose-headers']).toBe('X-Request-Id, Retry-After, Idempotent-Replayed');
      const other = await request(hub.server).get('/api/probe/public').set('Origin', 'https://evil.example.test');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  it('returns success payloads as-is inside data', async () => {
    const response = await request(hub.server).get('/api/probe/database').expect(200);
    expect(successBody<{ answer: number }>(response).data).toEqual({ answer: 42 });
  });
});
