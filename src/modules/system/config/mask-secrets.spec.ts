import { describe, expect, it } from '@jest/globals';
import { looksSecret, MASK, maskSecrets } from './mask-secrets.js';

const SECRET_KEYS = [
  'api_key',
  'apiKey',
  'OPENAI_API_KEY',
  'github_token',
  'db_password',
  'client_secret',
  'credentials',
];
const PLAIN_KEYS = ['template_variables_allowlist', 'max_tasks'];

/** Freezes a value and everything inside it, so any attempt to modify it throws (ES modules are strict). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) {
      deepFreeze(inner);
    }
    Object.freeze(value);
  }
  return value;
}

describe('maskSecrets / looksSecret', () => {
  it('uses "***" as the mask', () => {
    expect(MASK).toBe('***');
  });

  it.each(SECRET_KEYS)('treats %s as a secret key', (key) => {
    expect(looksSecret(key)).toBe(true);
  });

  it.each(PLAIN_KEYS)('does not treat %s as a secret key', (key) => {
    expect(looksSecret(key)).toBe(false);
  });

  it.each(SECRET_KEYS)('masks the whole value under %s, whatever its type', (key) => {
    for (const value of ['sk-live-123', 42, true, null, ['a', 'b'], { nested: { host: 'h' } }]) {
      expect(maskSecrets(key, value)).toBe('***');
    }
  });

  it.each(PLAIN_KEYS)('returns plain values under %s unchanged', (key) => {
    for (const value of ['text', 0, 7.5, false, null, [], ['colour', 'team_goal'], { limit: 5, names: ['a'] }]) {
      expect(maskSecrets(key, value)).toEqual(value);
    }
  });

  it('masks secret-looking inner keys of objects at any depth and keeps everything else', () => {
    const value = {
      db: { password: 'pw', host: 'db.internal', port: 5432 },
      apiKey: 'k-1',
      github_token: { value: 't-1', scopes: ['repo'] },
      limits: { max_tasks: 10, deep: { deeper: { client_secret: 's-1', name: 'n', OPENAI_API_KEY: 'sk-2' } } },
      credentials: ['user', 'pass'],
      enabled: true,
      nothing: null,
    };
    expect(maskSecrets('database', value)).toEqual({
      db: { password: '***', host: 'db.internal', port: 5432 },
      apiKey: '***',
      github_token: '***',
      limits: { max_tasks: 10, deep: { deeper: { client_secret: '***', name: 'n', OPENAI_API_KEY: '***' } } },
      credentials: '***',
      enabled: true,
      nothing: null,
    });
  });

  it('masks secret-looking keys inside arrays, nested arrays and arrays within objects', () => {
    const value = [
      { name: 'primary', api_key: 'k-1' },
      [{ db_password: 'p-1', user: 'u' }, 'plain', 3],
      { replicas: [{ host: 'r1', credentials: { user: 'u', password: 'p' } }, { host: 'r2' }] },
    ];
    expect(maskSecrets('servers', value)).toEqual([
      { name: 'primary', api_key: '***' },
      [{ db_password: '***', user: 'u' }, 'plain', 3],
      { replicas: [{ host: 'r1', credentials: '***' }, { host: 'r2' }] },
    ]);
  });

  it('does not modify its input', () => {
    const value = deepFreeze({
      db: { password: 'pw', host: 'h' },
      list: [{ token: 't', keep: 1 }, ['x', { secret: 's' }]],
    });
    const before = structuredClone(value);

    const masked = maskSecrets('database', value);

    expect(value).toEqual(before);
    expect(masked).toEqual({
      db: { password: '***', host: 'h' },
      list: [{ token: '***', keep: 1 }, ['x', { secret: '***' }]],
    });
    expect(masked).not.toBe(value);
  });

  it('does not modify its input when the input is mutable either', () => {
    const value = { db: { password: 'pw', host: 'h' }, list: [{ api_key: 'k' }] };
    maskSecrets('database', value);
    expect(value).toEqual({ db: { password: 'pw', host: 'h' }, list: [{ api_key: 'k' }] });
  });
});
