import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app/create-app.js';
import { strongPassword } from '../factories/user.factory.js';
import { successBody } from '../utils/envelope.js';
import { TEST_AGENT_TOKEN, testConfig } from '../utils/test-config.js';
import { bearer } from '../utils/tokens.js';

describe('Embedded PostgreSQL (no DATABASE_URL)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ananta-embedded-'));
  // No DATABASE_URL and no SECRET_KEY: the hub must pick the embedded database and generate its own key.
  const config = () => testConfig({ DATABASE_URL: undefined, SECRET_KEY: undefined, DATA_DIR: dataDir });
  const start = (): Promise<NestFastifyApplication> => createApp(config(), { logger: pino({ level: 'silent' }) });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('migrates, keeps data written over HTTP across a restart, and reports itself ready', async () => {
    const password = strongPassword();
    const first = await start();
    const ready = await request(first.getHttpServer()).get('/api/ready').expect(200);
    expect(successBody<{ database: string }>(ready).data.database).toBe('embedded');
    const created = await request(first.getHttpServer())
      .post('/api/admin/users')
      .set(bearer(TEST_AGENT_TOKEN))
      .send({ username: 'persisted.user', password, role: 'user' })
      .expect(201);
    const userId = successBody<{ id: string }>(created).data.id;
    const login = await request(first.getHttpServer())
      .post('/api/auth/login')
      .send({ username: 'persisted.user', password })
      .expect(200);
    const { accessToken } = successBody<{ accessToken: string }>(login).data;
    await first.close();

    expect(existsSync(join(dataDir, 'pgdata'))).toBe(true);
    expect(statSync(join(dataDir, 'secret_key')).mode & 0o777).toBe(0o600);

    const second = await start();
    try {
      const read = await request(second.getHttpServer())
        .get(`/api/admin/users/${userId}`)
        .set(bearer(TEST_AGENT_TOKEN))
        .expect(200);
      expect(successBody<{ username: string }>(read).data.username).toBe('persisted.user');
      // The generated SECRET_KEY survived too: a token issued before the restart is still accepted.
      await request(second.getHttpServer()).get('/api/profile').set(bearer(accessToken)).expect(200);
    } finally {
      await second.close();
    }
  });

  it('serves a waiting claim on the embedded database too, where it looks again every half second', async () => {
    const hub = await start();
    try {
      const server = hub.getHttpServer();
      const registered = await request(server)
        .post('/api/agents/register')
        .set(bearer(TEST_AGENT_TOKEN))
        .send({ name: 'embedded-waiter', url: 'http://embedded-waiter.agents.test:5001' })
        .expect(200);
      const agent = bearer(successBody<{ agentKey: string }>(registered).data.agentKey);
      const waiting = request(server).post('/api/tasks/claim?waitSeconds=10').set(agent).send({});
      const claimed = waiting.then((response) => response);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const task = await request(server)
        .post('/api/tasks')
        .set(bearer(TEST_AGENT_TOKEN))
        .send({ title: 'for the embedded waiter' })
        .expect(201);
      const response = await claimed;
      expect(response.status).toBe(200);
      expect(successBody<{ id: string }>(response).data.id).toBe(successBody<{ id: string }>(task).data.id);
    } finally {
      await hub.close();
    }
  });
});
