import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app/create-app.js';
import { UsersRepository } from '../../src/modules/users/users.repository.js';
import { successBody } from '../utils/envelope.js';
import { testConfig } from '../utils/test-config.js';

describe('Embedded PostgreSQL (no DATABASE_URL)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ananta-embedded-'));
  // No DATABASE_URL and no SECRET_KEY: the hub must pick the embedded database and generate its own key.
  const config = () => testConfig({ DATABASE_URL: undefined, SECRET_KEY: undefined, DATA_DIR: dataDir });
  const start = (): Promise<NestFastifyApplication> => createApp(config(), { logger: pino({ level: 'silent' }) });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('migrates, keeps data across a restart, and reports itself ready', async () => {
    const first = await start();
    const ready = await request(first.getHttpServer()).get('/api/ready').expect(200);
    expect(successBody<{ database: string }>(ready).data.database).toBe('embedded');
    const created = await first
      .get(UsersRepository, { strict: false })
      .create({ username: 'persisted.user', passwordHash: 'not-a-real-hash', role: 'user' });
    await first.close();

    expect(existsSync(join(dataDir, 'pgdata'))).toBe(true);
    expect(statSync(join(dataDir, 'secret_key')).mode & 0o777).toBe(0o600);

    const second = await start();
    try {
      const found = await second.get(UsersRepository, { strict: false }).getByUsername('PERSISTED.USER');
      expect(found?.id).toBe(created.id);
      await request(second.getHttpServer()).get('/api/ready').expect(200);
    } finally {
      await second.close();
    }
  });
});
