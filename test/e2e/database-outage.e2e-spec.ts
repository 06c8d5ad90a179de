import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { errorBody } from '../utils/envelope.js';
import { eventually } from '../utils/poll.js';
import { ProbeModule } from '../utils/probe.module.js';
import { TcpProxy } from '../utils/tcp-proxy.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { ADMIN_URL } from '../utils/test-database.js';

describe('A lost database connection (SPEC section 1: 503 database_unavailable)', () => {
  let hub: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    const admin = new URL(ADMIN_URL);
    proxy = new TcpProxy(admin.hostname, Number(admin.port || 5432));
    await proxy.start();
    hub = await startTestApp({
      imports: [ProbeModule],
      rewriteDatabaseUrl: (url) => {
        const viaProxy = new URL(url);
        viaProxy.hostname = proxy.address.host;
        viaProxy.port = String(proxy.address.port);
        return viaProxy.toString();
      },
    });
  });
  afterAll(async () => {
    await proxy.restore();
    await hub.close();
    await proxy.cut();
  });

  it('answers 503 while PostgreSQL is unreachable and recovers when it is back', async () => {
    await request(hub.server).get('/api/probe/database').expect(200);
    await request(hub.server).get('/api/ready').expect(200);

    await proxy.cut();

    for (const path of ['/api/probe/database', '/api/ready', '/api/probe/database']) {
      const response = await request(hub.server).get(path);
      expect(response.status).toBe(503);
      expect(errorBody(response).data.code).toBe('database_unavailable');
      expect(response.headers['retry-after']).toBe('5');
      expect(response.text).not.toMatch(/ECONNREFUSED|terminated|127\.0\.0\.1/);
    }
    // Liveness does not depend on the database: the process is alive and serving.
    await request(hub.server).get('/api/health').expect(200);

    await proxy.restore();
    const recovered = await eventually(
      async () => (await request(hub.server).get('/api/probe/database')).status === 200,
    );
    expect(recovered).toBe(true);
    await request(hub.server).get('/api/ready').expect(200);
  });
});
