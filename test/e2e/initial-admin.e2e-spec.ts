import { afterEach, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { pino } from 'pino';
import { createApp } from '../../src/app/create-app.js';
import { createLogger } from '../../src/logging/logger.js';
import { successBody } from '../utils/envelope.js';
import { startTestApp } from '../utils/test-app.js';
import { testConfig } from '../utils/test-config.js';

const BANNER = /Initial administrator "admin" created with the generated password:\s+(\S+)\s/;

describe('First-start administrator with a generated password (issue 3)', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('prints the password once to standard output, never into the log, and never again', async () => {
    const printed: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    const logLines: string[] = [];
    const logger = createLogger('debug', { write: (line: string) => logLines.push(line) });
    const hub = await startTestApp({ env: { INITIAL_ADMIN_PASSWORD: undefined }, logger });
    try {
      const banners = printed.filter((text) => BANNER.test(text));
      expect(banners).toHaveLength(1);
      const password = BANNER.exec(banners[0])![1];
      expect(logLines.some((line) => line.includes('Created the initial administrator'))).toBe(true);
      expect(logLines.join('\n')).not.toContain(password);

      const login = await request(hub.server).post('/api/auth/login').send({ username: 'admin', password }).expect(200);
      expect(successBody<{ user: { role: string } }>(login).data.user.role).toBe('admin');

      // A restart (here: a second instance on the same database) finds the admin and prints nothing.
      printed.length = 0;
      const again = await createApp(testConfig({ DATABASE_URL: hub.database.url, INITIAL_ADMIN_PASSWORD: undefined }), {
        logger: pino({ level: 'silent' }),
      });
      await again.close();
      expect(printed.filter((text) => BANNER.test(text))).toEqual([]);
    } finally {
      await hub.close();
    }
  });
});
