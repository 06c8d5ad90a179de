import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createLogger } from '../../src/logging/logger.js';
import { ProbeModule } from '../utils/probe.module.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
  err?: { message: string; stack: string };
}

describe('Structured logs (SPEC section 1, issue 2)', () => {
  let hub: TestApp;
  const lines: LogLine[] = [];

  beforeAll(async () => {
    const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
    hub = await startTestApp({ imports: [ProbeModule], logger });
  });
  afterAll(() => hub.close());

  const linesOf = (requestId: string): LogLine[] => lines.filter((line) => line.requestId === requestId);

  it('writes one JSON access line per request, under its request id', async () => {
    await request(hub.server).get('/api/probe/public').set('X-Request-Id', 'log-check-1').expect(200);
    expect(linesOf('log-check-1')).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        req: expect.objectContaining({ method: 'GET', url: '/api/probe/public' }),
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
    ]);
  });

  it('logs an unexpected error with its stack under the same request id, while the client sees none', async () => {
    const response = await request(hub.server).get('/api/probe/crash').set('X-Request-Id', 'log-check-2').expect(500);
    expect(response.text).not.toContain('password_hash');
    const error = linesOf('log-check-2').find((line) => line.msg === 'Unhandled error');
    expect(error?.err?.message).toContain('password_hash');
    expect(error?.err?.stack).toContain('crash');
    expect(error?.level).toBe(50);
  });
});
