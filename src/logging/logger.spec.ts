import { describe, expect, it } from '@jest/globals';
import { createLogger, redactUrl } from './logger.js';

interface LogLine {
  level: number;
  time: string;
  service: string;
  msg?: string;
  req?: { method?: string; url?: string; remoteAddress?: string };
  res?: { statusCode?: number; headers?: Record<string, unknown> };
}

/** A logger writing into memory; `lines` are the raw JSON lines, `parsed` the decoded ones. */
function memoryLogger(level = 'info') {
  const lines: string[] = [];
  const logger = createLogger(level, {
    write: (line: string) => {
      lines.push(line);
    },
  });
  const parsed = (): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine);
  return { logger, lines, parsed };
}

describe(redactUrl.name, () => {
  it('redacts ?token= and keeps the other parameters', () => {
    expect(redactUrl('/api/x?token=abc&limit=5')).toBe('/api/x?token=[REDACTED]&limit=5');
  });

  it.each([
    ['/api/x?limit=5&token=abc', '/api/x?limit=5&token=[REDACTED]'],
    ['/api/auth?refresh_token=r1&x=1', '/api/auth?refresh_token=[REDACTED]&x=1'],
    ['/api/auth?access_token=a1', '/api/auth?access_token=[REDACTED]'],
    ['/api/x?TOKEN=abc', '/api/x?TOKEN=[REDACTED]'],
    ['/api/x?token=a&token=b', '/api/x?token=[REDACTED]&token=[REDACTED]'],
  ])('redacts %p as %p', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  // Fastify's query parser decodes names and reads the query from the first "?" or "#" up to the end, so
  // each of these hands the access guard a token: the log must not show it either.
  it.each([
    ['/api/x?%74oken=abc', '/api/x?token=[REDACTED]'],
    ['/api/x?tok%65n=abc&limit=5', '/api/x?token=[REDACTED]&limit=5'],
    ['/api/x?refresh%5Ftoken=abc', '/api/x?refresh_token=[REDACTED]'],
    ['/api/x#token=abc', '/api/x#token=[REDACTED]'],
    ['/api/x?limit=5#&token=abc', '/api/x?limit=5#&token=[REDACTED]'],
    ['/api/x?key=k1#frag', '/api/x?key=[REDACTED]'],
    ['/api/x?token%3Dabc', '/api/x?token=[REDACTED]'],
    ['/api/x?%74oken=%E0abc', '/api/x?token=[REDACTED]'],
  ])('redacts %p, a credential under an encoded name or behind "#", as %p', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('keeps a parameter whose name is not valid percent-encoding as it is', () => {
    expect(redactUrl('/api/x?%E0%A4%A=1&limit=5')).toBe('/api/x?%E0%A4%A=1&limit=5');
  });

  it('leaves URLs without credentials, and parameters that merely end in "token", unchanged', () => {
    expect(redactUrl('/api/tasks?limit=5&offset=10')).toBe('/api/tasks?limit=5&offset=10');
    expect(redactUrl('/api/x?mytoken=abc')).toBe('/api/x?mytoken=abc');
  });

  it('passes undefined through', () => {
    expect(redactUrl(undefined)).toBeUndefined();
  });
});

describe(createLogger.name, () => {
  it('writes one JSON line per call with level, ISO time, service and message', () => {
    const { logger, lines, parsed } = memoryLogger();

    logger.info('hello');

    expect(lines).toHaveLength(1);
    const [line] = parsed();
    expect(line).toMatchObject({ level: 30, service: 'ananta-hub', msg: 'hello' });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });

  it('drops calls below the configured level', () => {
    const { logger, parsed } = memoryLogger('warn');

    logger.info('quiet');
    logger.warn('loud');

    expect(parsed().map((line) => line.msg)).toEqual(['loud']);
  });

  it('logs a request as method, redacted URL and remote address only', () => {
    const { logger, lines, parsed } = memoryLogger();
    const req = {
      method: 'GET',
      url: '/api/a?token=secret',
      headers: { authorization: 'Bearer secret', cookie: 'sid=secret', 'x-agent-key': 'secret' },
      socket: { remoteAddress: '127.0.0.1' },
    };

    logger.info({ req }, 'incoming request');

    expect(lines.join('')).not.toContain('secret');
    expect(parsed()[0].req).toEqual({ method: 'GET', url: '/api/a?token=[REDACTED]', remoteAddress: '127.0.0.1' });
  });

  it('never writes request headers bound to a child logger', () => {
    const { logger, lines } = memoryLogger();

    logger.child({ req: { url: '/api/b', headers: { authorization: 'Bearer secret' } } }).info('in child');

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('secret');
  });

  it('logs a response as its status code only, so its headers (Set-Cookie) never reach a line', () => {
    const { logger, lines, parsed } = memoryLogger();

    logger.info({ res: { statusCode: 200, headers: { 'set-cookie': 'sid=secret', 'content-type': 'text/plain' } } });

    expect(lines[0]).not.toContain('secret');
    expect(parsed()[0].res).toEqual({ statusCode: 200 });
  });

  it('redacts credentials in headers logged at the top level or under request/response', () => {
    const { logger, lines } = memoryLogger();

    logger.info({ headers: { authorization: 'Bearer secret-1' } });
    logger.info({ request: { headers: { 'x-registration-token': 'secret-2' } } });
    logger.info({ response: { headers: { 'set-cookie': 'secret-3' } } });

    expect(lines).toHaveLength(3);
    expect(lines.join('')).not.toMatch(/secret-\d/);
    expect(lines.join('')).toContain('[REDACTED]');
  });

  it('redacts an Authorization header carried by a logged error', () => {
    const { logger, lines } = memoryLogger();
    const error = Object.assign(new Error('upstream failed'), {
      req: { headers: { authorization: 'Bearer secret' } },
    });

    logger.error({ err: error }, 'Unhandled error');

    expect(lines[0]).not.toContain('secret');
  });
});
