import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startTestApp, type TestApp } from '../utils/test-app.js';

describe('HSTS behind a trusted proxy (SPEC section 1)', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await startTestApp({ env: { TRUST_PROXY: 'true' } });
  });
  afterAll(() => hub.close());

  it('sends Strict-Transport-Security when the trusted proxy says the request came over HTTPS', async () => {
    const viaHttps = await request(hub.server).get('/api/health').set('X-Forwarded-Proto', 'https').expect(200);
    expect(viaHttps.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('does not send it for plain HTTP, even behind the trusted proxy', async () => {
    const viaHttp = await request(hub.server).get('/api/health').set('X-Forwarded-Proto', 'http').expect(200);
    expect(viaHttp.headers['strict-transport-security']).toBeUndefined();
  });
});
