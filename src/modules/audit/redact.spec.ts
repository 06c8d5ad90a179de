import { describe, expect, it } from '@jest/globals';
import { REDACTED, redactDetails } from './redact.js';

describe(redactDetails.name, () => {
  it('removes values under secret-looking keys at any depth', () => {
    const details = {
      username: 'alice',
      password: 'p',
      newPassword: 'p',
      nested: { accessToken: 't', refresh_token: 't', apiKey: 'k', code: '123456', list: [{ secret: 's', ok: 1 }] },
      backupCodes: ['a', 'b'],
      Authorization: 'Bearer x',
    };
    expect(redactDetails(details)).toEqual({
      username: 'alice',
      password: REDACTED,
      newPassword: REDACTED,
      nested: {
        accessToken: REDACTED,
        refresh_token: REDACTED,
        apiKey: REDACTED,
        code: REDACTED,
        list: [{ secret: REDACTED, ok: 1 }],
      },
      backupCodes: REDACTED,
      Authorization: REDACTED,
    });
  });

  it('masks key=value fragments inside strings', () => {
    expect(redactDetails('login with password=hunter2 and token: abc')).toBe(
      `login with password=${REDACTED} and token: ${REDACTED}`,
    );
  });

  it('keeps harmless values and does not modify its input', () => {
    const input = { role: 'admin', count: 3, when: new Date('2026-01-01T00:00:00Z'), password: 'x' };
    expect(redactDetails(input)).toEqual({
      role: 'admin',
      count: 3,
      when: '2026-01-01T00:00:00.000Z',
      password: REDACTED,
    });
    expect(input.password).toBe('x');
  });

  it('stops at a depth limit instead of recursing forever', () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let level = 0; level < 10; level += 1) {
      cursor.next = {};
      cursor = cursor.next as Record<string, unknown>;
    }
    expect(JSON.stringify(redactDetails(deep))).toContain(REDACTED);
  });
});
