import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import request, { type Response } from 'supertest';
import { DataSource } from 'typeorm';
import type { UserEntity } from '../../src/modules/users/user.entity.js';
import { createUser, strongPassword, tokenFor } from '../factories/user.factory.js';
import { errorBody, successBody } from '../utils/envelope.js';
import type { AuditEntry, Page, TokenPair, UserDto } from '../utils/payloads.js';
import { sleep } from '../utils/poll.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { bearer, type Headers } from '../utils/tokens.js';

// SPEC section 3 (login, brute-force protection) and the auth.* audit entries of section 9.

interface BannedIp {
  ip: string;
  reason: string;
  bannedUntil: string;
  createdAt: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** The address supertest connects from, as the hub sees it without a trusted proxy. */
const LOOPBACK = '127.0.0.1';

const login = (hub: TestApp, body: Record<string, unknown>, headers: Headers = {}) =>
  request(hub.server).post('/api/auth/login').set(headers).send(body);

const db = (hub: TestApp): DataSource => hub.app.get(DataSource);

/** The numeric `Retry-After` of a response (fails the test if it is missing or not a positive integer). */
function retryAfterOf(response: Response): number {
  const value = response.headers['retry-after'];
  expect(value).toMatch(/^\d+$/);
  return Number(value);
}

async function auditEntries(hub: TestApp, adminToken: string, query: string): Promise<AuditEntry[]> {
  const response = await request(hub.server).get(`/api/audit-logs?${query}`).set(bearer(adminToken)).expect(200);
  return successBody<Page<AuditEntry>>(response).data.items;
}

async function loginAttemptRows(hub: TestApp): Promise<Array<{ ip: string; username: string | null }>> {
  return db(hub).query<Array<{ ip: string; username: string | null }>>(
    'SELECT ip, username FROM login_attempts ORDER BY id',
  );
}

async function passwordHashOf(hub: TestApp, userId: string): Promise<string> {
  const rows = await db(hub).query<Array<{ password_hash: string }>>('SELECT password_hash FROM users WHERE id = $1', [
    userId,
  ]);
  expect(rows).toHaveLength(1);
  return rows[0].password_hash;
}

/** The cost parameters of a PHC-format argon2 hash (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). */
function argon2ParamsOf(hash: string): Record<string, number> {
  const parts = hash.split('$');
  expect(parts).toHaveLength(6);
  return Object.fromEntries(
    parts[3].split(',').map((pair) => {
      const [name, value] = pair.split('=');
      return [name, Number(value)];
    }),
  );
}

/** Forgets every failed attempt and ban, so each test starts with a clean per-IP standing. */
async function resetThrottle(hub: TestApp): Promise<void> {
  await db(hub).query('DELETE FROM login_attempts');
  await db(hub).query('DELETE FROM banned_ips');
}

describe('Login with default limits (SPEC section 3)', () => {
  let hub: TestApp;
  let admin: UserEntity;
  let adminToken: string;
  /** Every password this block sends to /api/auth/login; none may ever show up in the audit log. */
  const sentPasswords = new Set<string>();

  const attempt = (body: { username: string; password?: string; [key: string]: unknown }) => {
    if (typeof body.password === 'string') {
      sentPasswords.add(body.password);
    }
    return login(hub, body);
  };

  beforeAll(async () => {
    hub = await startTestApp();
    admin = (await createUser(hub.app, { role: 'admin' })).user;
    adminToken = tokenFor(hub.config, admin);
  });
  beforeEach(() => resetThrottle(hub));
  afterAll(() => hub.close());

  describe('a successful login', () => {
    it('answers 200 with the token pair and the user (no hash), and the access token works on /api/profile', async () => {
      const { user, password } = await createUser(hub.app, { username: 'dora.smith' });
      const response = await attempt({ username: 'dora.smith', password }).expect(200);
      const body = successBody<TokenPair>(response);
      expect(body.status).toBe('success');
      expect(body.data).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        user: {
          id: user.id,
          username: 'dora.smith',
          role: 'user',
          disabled: false,
          mfaEnabled: false,
          createdAt: expect.stringMatching(ISO_DATE),
          updatedAt: expect.stringMatching(ISO_DATE),
          lockedUntil: null,
        },
      });
      expect(body.data.accessToken).not.toBe('');
      expect(body.data.refreshToken).not.toBe('');
      const raw = JSON.stringify(response.body);
      expect(raw).not.toContain('$argon2');
      expect(raw).not.toContain(user.passwordHash);
      expect(Object.keys(body.data.user).filter((key) => /hash|secret|password/i.test(key))).toEqual([]);

      const profile = await request(hub.server).get('/api/profile').set(bearer(body.data.accessToken)).expect(200);
      expect(successBody(profile).data).toEqual({
        id: user.id,
        username: 'dora.smith',
        role: 'user',
        mfaEnabled: false,
        createdAt: body.data.user.createdAt,
      });
    });

    it('treats the username case-insensitively', async () => {
      const { user, password } = await createUser(hub.app, { username: 'Erin.Case' });
      for (const spelling of ['erin.case', 'ERIN.CASE', 'eRiN.cAsE']) {
        const response = await attempt({ username: spelling, password }).expect(200);
        const data = successBody<TokenPair>(response).data;
        expect(data.user.id).toBe(user.id);
        expect(data.user.username).toBe('Erin.Case');
        await request(hub.server).get('/api/profile').set(bearer(data.accessToken)).expect(200);
      }
    });
  });

  describe('a failed login', () => {
    it('answers an unknown username exactly like a wrong password (401 unauthenticated, same message)', async () => {
      const { user } = await createUser(hub.app);
      const wrongPassword = await attempt({ username: user.username, password: strongPassword() });
      const unknownUser = await attempt({ username: 'nobody-by-this-name', password: strongPassword() });

      expect(wrongPassword.status).toBe(401);
      expect(unknownUser.status).toBe(401);
      const wrong = errorBody(wrongPassword);
      const unknown = errorBody(unknownUser);
      expect(wrong.status).toBe('error');
      expect(wrong.data.code).toBe('unauthenticated');
      expect(unknown.data.code).toBe('unauthenticated');
      expect(wrong.message).not.toBe('');
      expect(unknown.message).toBe(wrong.message);
      // Beyond the request id, nothing in the answers differs.
      const strip = (body: typeof wrong) => ({ ...body, data: { ...body.data, requestId: undefined } });
      expect(strip(unknown)).toEqual(strip(wrong));
      expect(JSON.stringify(wrongPassword.body)).not.toContain('accessToken');
    });

    it('rejects a missing password with 400 validation_failed naming the field', async () => {
      const { user } = await createUser(hub.app);
      const response = await attempt({ username: user.username }).expect(400);
      const body = errorBody(response);
      expect(body.data.code).toBe('validation_failed');
      expect(body.data.details).toEqual(
        expect.arrayContaining([{ field: 'password', message: expect.stringContaining('password') }]),
      );
    });

    it('rejects unknown body fields with 400 validation_failed', async () => {
      const { user, password } = await createUser(hub.app);
      const response = await attempt({ username: user.username, password, role: 'admin' }).expect(400);
      const body = errorBody(response);
      expect(body.data.code).toBe('validation_failed');
      expect(body.data.details).toEqual([{ field: 'role', message: 'property role should not exist' }]);
    });
  });

  it('refuses a disabled user with the right password: 403 account_disabled and no tokens', async () => {
    const { user, password } = await createUser(hub.app);
    const patched = await request(hub.server)
      .patch(`/api/admin/users/${user.id}`)
      .set(bearer(adminToken))
      .send({ disabled: true })
      .expect(200);
    expect(successBody<UserDto>(patched).data.disabled).toBe(true);

    const response = await attempt({ username: user.username, password });
    expect(response.status).toBe(403);
    expect(errorBody(response).status).toBe('error');
    expect(errorBody(response).data.code).toBe('account_disabled');
    const raw = JSON.stringify(response.body);
    expect(raw).not.toContain('accessToken');
    expect(raw).not.toContain('refreshToken');
    const [{ count }] = await db(hub).query<Array<{ count: string }>>(
      'SELECT count(*) FROM refresh_tokens WHERE user_id = $1',
      [user.id],
    );
    expect(Number(count)).toBe(0);
  });

  it('upgrades a hash made with other argon2 parameters on the next successful login', async () => {
    const { user, password } = await createUser(hub.app);
    const oldHash = await argon2.hash(password, {
      type: argon2.argon2id,
      memoryCost: 2048,
      timeCost: 1,
      parallelism: 1,
    });
    await db(hub).query('UPDATE users SET password_hash = $1 WHERE id = $2', [oldHash, user.id]);
    expect(argon2ParamsOf(await passwordHashOf(hub, user.id))).toEqual({ m: 2048, t: 1, p: 1 });

    await attempt({ username: user.username, password }).expect(200);

    const newHash = await passwordHashOf(hub, user.id);
    expect(newHash).not.toBe(oldHash);
    expect(newHash).toMatch(/^\$argon2id\$/);
    // argon2 writes the parameters in its own order (m=1024,p=1,t=1): compare them, not the text.
    expect(argon2ParamsOf(newHash)).toEqual({ m: 1024, t: 1, p: 1 });
    expect(await argon2.verify(newHash, password)).toBe(true);
    await attempt({ username: user.username, password }).expect(200);
  });

  describe('audit', () => {
    it('records auth.login_succeeded and auth.login_failed (outcome failure, the tried username)', async () => {
      const { user, password } = await createUser(hub.app);
      const wrong = `Wrong-${strongPassword()}`;
      const unknownName = `ghost-${user.username}`;
      const unknownPassword = `Ghost-${strongPassword()}`;

      await attempt({ username: user.username, password: wrong }).expect(401);
      await attempt({ username: unknownName, password: unknownPassword }).expect(401);
      await attempt({ username: user.username, password }).expect(200);

      const succeeded = await auditEntries(hub, adminToken, 'action=auth.login_succeeded&limit=500');
      expect(succeeded).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'auth.login_succeeded',
            outcome: 'success',
            username: user.username,
            targetType: 'user',
            targetId: user.id,
            ip: LOOPBACK,
          }),
        ]),
      );

      const failed = await auditEntries(hub, adminToken, 'action=auth.login_failed&limit=500');
      expect(failed).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'auth.login_failed',
            outcome: 'failure',
            username: user.username,
            targetId: user.id,
          }),
          expect.objectContaining({ action: 'auth.login_failed', outcome: 'failure', username: unknownName }),
        ]),
      );
    });

    it('never stores a password that was sent to login', async () => {
      const { user, password } = await createUser(hub.app);
      await attempt({ username: user.username, password: `password=${strongPassword()}` }).expect(401);
      await attempt({ username: `nobody-${user.username}`, password: `token: ${strongPassword()}` }).expect(401);
      await attempt({ username: user.username, password }).expect(200);
      expect(sentPasswords.size).toBeGreaterThanOrEqual(3);
      const response = await request(hub.server).get('/api/audit-logs?limit=500').set(bearer(adminToken)).expect(200);
      const page = successBody<Page<AuditEntry>>(response).data;
      expect(page.total).toBeLessThanOrEqual(500);
      expect(page.items.some((item) => item.action === 'auth.login_failed')).toBe(true);
      const everything = JSON.stringify(page.items);
      for (const password of sentPasswords) {
        expect(everything).not.toContain(password);
      }
    });
  });
});

describe('Per-IP short window (AUTH_RATE_LIMIT_MAX_ATTEMPTS_SHORT=3, TRUST_PROXY off)', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await startTestApp({ env: { AUTH_RATE_LIMIT_MAX_ATTEMPTS_SHORT: '3' } });
  });
  beforeEach(() => resetThrottle(hub));
  afterAll(() => hub.close());

  it('answers the 4th request after 3 failures with 429 rate_limited and Retry-After, even with the right password', async () => {
    const { user, password } = await createUser(hub.app);
    for (let i = 0; i < 3; i += 1) {
      const failure = await login(hub, { username: user.username, password: strongPassword() });
      expect(failure.status).toBe(401);
    }
    const rows = await loginAttemptRows(hub);
    expect(rows).toEqual([
      { ip: LOOPBACK, username: user.username },
      { ip: LOOPBACK, username: user.username },
      { ip: LOOPBACK, username: user.username },
    ]);

    const blocked = await login(hub, { username: user.username, password });
    expect(blocked.status).toBe(429);
    expect(errorBody(blocked).data.code).toBe('rate_limited');
    expect(retryAfterOf(blocked)).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(blocked.body)).not.toContain('accessToken');
  });

  it('ignores a forged X-Forwarded-For: varying it does not escape the limit', async () => {
    const { user, password } = await createUser(hub.app);
    for (const forged of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      const failure = await login(
        hub,
        { username: user.username, password: strongPassword() },
        { 'X-Forwarded-For': forged },
      );
      expect(failure.status).toBe(401);
    }
    const blocked = await login(hub, { username: user.username, password }, { 'X-Forwarded-For': '203.0.113.4' });
    expect(blocked.status).toBe(429);
    expect(errorBody(blocked).data.code).toBe('rate_limited');
    expect(retryAfterOf(blocked)).toBeGreaterThanOrEqual(1);

    const rows = await loginAttemptRows(hub);
    expect(rows.map((row) => row.ip)).toEqual([LOOPBACK, LOOPBACK, LOOPBACK]);
  });

  it('counts wrong current passwords of a password change with login failures: the 4th check is a 429 too', async () => {
    const { user, password } = await createUser(hub.app);
    const change = (currentPassword: string) =>
      request(hub.server)
        .post('/api/profile/password')
        .set(bearer(tokenFor(hub.config, user)))
        .send({ currentPassword, newPassword: strongPassword() });
    await login(hub, { username: user.username, password: strongPassword() }).expect(401);
    await change(strongPassword()).expect(401);
    await change(strongPassword()).expect(401);

    const blocked = await change(password);
    expect(blocked.status).toBe(429);
    expect(errorBody(blocked).data.code).toBe('rate_limited');
    expect(retryAfterOf(blocked)).toBeGreaterThanOrEqual(1);
  });
});

describe('Per-IP long window → ban (SHORT=100, LONG=4)', () => {
  let hub: TestApp;
  let adminToken: string;
  let userToken: string;
  let victim: { user: UserEntity; password: string };
  const failureStatuses: number[] = [];
  let banned: Response;
  let stillBanned: Response;

  beforeAll(async () => {
    hub = await startTestApp({
      env: { AUTH_RATE_LIMIT_MAX_ATTEMPTS_SHORT: '100', AUTH_RATE_LIMIT_MAX_ATTEMPTS_LONG: '4' },
    });
    adminToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'admin' })).user);
    userToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'user' })).user);
    victim = await createUser(hub.app);
    for (let i = 0; i < 4; i += 1) {
      failureStatuses.push((await login(hub, { username: victim.user.username, password: strongPassword() })).status);
    }
    banned = await login(hub, { username: victim.user.username, password: victim.password });
    stillBanned = await login(hub, { username: victim.user.username, password: victim.password });
  });
  afterAll(() => hub.close());

  it('answers 429 after 4 failures and stores a ban with a reason', async () => {
    expect(failureStatuses).toEqual([401, 401, 401, 401]);
    expect(banned.status).toBe(429);
    expect(errorBody(banned).data.code).toBe('rate_limited');
    // The ban lasts AUTH_IP_BAN_DURATION_SECONDS (default 86400), far longer than the short window.
    expect(retryAfterOf(banned)).toBeGreaterThan(3600);
    expect(stillBanned.status).toBe(429);
    expect(errorBody(stillBanned).data.code).toBe('rate_limited');

    const rows = await db(hub).query<Array<{ ip: string; reason: string; banned_until: Date }>>(
      'SELECT ip, reason, banned_until FROM banned_ips',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].ip).toBe(LOOPBACK);
    expect(rows[0].reason).toEqual(expect.any(String));
    expect(rows[0].reason.trim()).not.toBe('');
    expect(rows[0].banned_until.getTime()).toBeGreaterThan(Date.now() + 3600_000);
  });

  it('lists the ban for admins with {ip, reason, bannedUntil, createdAt}', async () => {
    const response = await request(hub.server).get('/api/admin/banned-ips').set(bearer(adminToken)).expect(200);
    const page = successBody<Page<BannedIp>>(response).data;
    expect(page.total).toBe(1);
    expect(page.items).toEqual([
      {
        ip: LOOPBACK,
        reason: expect.any(String),
        bannedUntil: expect.stringMatching(ISO_DATE),
        createdAt: expect.stringMatching(ISO_DATE),
      },
    ]);
    expect(new Date(page.items[0].bannedUntil).getTime()).toBeGreaterThan(Date.now() + 3600_000);
  });

  it('audits the ban as auth.ip_banned', async () => {
    const entries = await auditEntries(hub, adminToken, 'action=auth.ip_banned');
    expect(entries.length).toBeGreaterThanOrEqual(1);
    expect(entries[0]).toMatchObject({ action: 'auth.ip_banned', targetType: 'ip', targetId: LOOPBACK, ip: LOOPBACK });
  });

  it('refuses the ban routes to a non-admin user (403 forbidden)', async () => {
    const list = await request(hub.server).get('/api/admin/banned-ips').set(bearer(userToken));
    expect(list.status).toBe(403);
    expect(errorBody(list).data.code).toBe('forbidden');
    const remove = await request(hub.server).delete(`/api/admin/banned-ips/${LOOPBACK}`).set(bearer(userToken));
    expect(remove.status).toBe(403);
    expect(errorBody(remove).data.code).toBe('forbidden');
    const [{ count }] = await db(hub).query<Array<{ count: string }>>('SELECT count(*) FROM banned_ips');
    expect(Number(count)).toBe(1);
  });

  it('answers 404 banned_ip_not_found when lifting a ban that does not exist', async () => {
    const response = await request(hub.server).delete('/api/admin/banned-ips/192.0.2.55').set(bearer(adminToken));
    expect(response.status).toBe(404);
    expect(errorBody(response).data.code).toBe('banned_ip_not_found');
  });

  it('lifts the ban: 204, audited as auth.ip_unbanned, and login is no longer blocked', async () => {
    const response = await request(hub.server).delete(`/api/admin/banned-ips/${LOOPBACK}`).set(bearer(adminToken));
    expect(response.status).toBe(204);
    expect(response.text).toBe('');

    const unbanned = await auditEntries(hub, adminToken, 'action=auth.ip_unbanned');
    expect(unbanned).toEqual([expect.objectContaining({ action: 'auth.ip_unbanned', targetId: LOOPBACK })]);
    const list = await request(hub.server).get('/api/admin/banned-ips').set(bearer(adminToken)).expect(200);
    expect(successBody<Page<BannedIp>>(list).data.items).toEqual([]);

    // The 4 failures are still inside the long window and would ban again at once: forget them.
    await db(hub).query('DELETE FROM login_attempts');
    await login(hub, { username: victim.user.username, password: victim.password }).expect(200);
  });
});

describe('Client IP behind a trusted proxy (TRUST_PROXY=true, SHORT=3)', () => {
  let hub: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    hub = await startTestApp({ env: { TRUST_PROXY: 'true', AUTH_RATE_LIMIT_MAX_ATTEMPTS_SHORT: '3' } });
    adminToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'admin' })).user);
  });
  afterAll(() => hub.close());

  it('counts each X-Forwarded-For address separately and audits the forwarded address', async () => {
    const { user, password } = await createUser(hub.app);
    const limited = { 'X-Forwarded-For': '198.51.100.7' };
    const other = { 'X-Forwarded-For': '198.51.100.8' };

    for (let i = 0; i < 3; i += 1) {
      const failure = await login(hub, { username: user.username, password: strongPassword() }, limited);
      expect(failure.status).toBe(401);
    }
    expect((await loginAttemptRows(hub)).map((row) => row.ip)).toEqual([
      '198.51.100.7',
      '198.51.100.7',
      '198.51.100.7',
    ]);

    const blocked = await login(hub, { username: user.username, password }, limited);
    expect(blocked.status).toBe(429);
    expect(errorBody(blocked).data.code).toBe('rate_limited');

    const allowed = await login(hub, { username: user.username, password }, other);
    expect(allowed.status).toBe(200);

    const succeeded = await auditEntries(hub, adminToken, 'action=auth.login_succeeded');
    expect(succeeded).toEqual([expect.objectContaining({ targetId: user.id, ip: '198.51.100.8' })]);
    const failed = await auditEntries(hub, adminToken, 'action=auth.login_failed');
    expect(failed).toHaveLength(3);
    expect(failed.map((entry) => entry.ip)).toEqual(['198.51.100.7', '198.51.100.7', '198.51.100.7']);
  });

  it('takes no hop of X-Forwarded-For that is not an address as the client (the nearest address counts)', async () => {
    const { user } = await createUser(hub.app);
    await db(hub).query('DELETE FROM login_attempts');
    const forwarded = ['garbage', 'a'.repeat(300), '198.51.100.20, <script>', 'evil, 198.51.100.21'];

    const statuses = [];
    for (const value of forwarded) {
      const failure = await login(
        hub,
        { username: user.username, password: strongPassword() },
        { 'X-Forwarded-For': value },
      );
      statuses.push(failure.status);
    }

    expect(statuses).toEqual([401, 401, 401, 401]);
    expect((await loginAttemptRows(hub)).map((row) => row.ip)).toEqual([LOOPBACK, LOOPBACK, LOOPBACK, '198.51.100.21']);
  });
});

describe('Account lockout (threshold 3, 2 s; IP limits high)', () => {
  let hub: TestApp;
  let adminToken: string;
  const sentPasswords = new Set<string>();

  const attempt = (username: string, password: string) => {
    sentPasswords.add(password);
    return login(hub, { username, password });
  };

  /** Three wrong passwords: the account is locked afterwards. */
  async function lockOut(username: string): Promise<void> {
    for (let i = 0; i < 3; i += 1) {
      const failure = await attempt(username, strongPassword());
      expect(failure.status).toBe(401);
      expect(errorBody(failure).data.code).toBe('unauthenticated');
    }
  }

  async function expectLocked(username: string, password: string): Promise<void> {
    const response = await attempt(username, password);
    expect(response.status).toBe(403);
    expect(errorBody(response).data.code).toBe('account_locked');
    const retryAfter = retryAfterOf(response);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(JSON.stringify(response.body)).not.toContain('accessToken');
  }

  beforeAll(async () => {
    hub = await startTestApp({
      env: {
        AUTH_USER_LOCKOUT_THRESHOLD: '3',
        AUTH_USER_LOCKOUT_DURATION_SECONDS: '2',
        AUTH_RATE_LIMIT_MAX_ATTEMPTS_SHORT: '1000',
        AUTH_RATE_LIMIT_MAX_ATTEMPTS_LONG: '1000',
      },
    });
    adminToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'admin' })).user);
  });
  afterAll(() => hub.close());

  it('locks after 3 wrong passwords (403 account_locked with Retry-After, even with the right password), then expires with a fresh counter', async () => {
    const first = await createUser(hub.app);
    const second = await createUser(hub.app);
    await lockOut(first.user.username);
    await lockOut(second.user.username);
    await expectLocked(first.user.username, first.password);
    await expectLocked(second.user.username, second.password);

    await sleep(2500); // the lock lasts AUTH_USER_LOCKOUT_DURATION_SECONDS=2

    // The right password works again.
    const again = await attempt(first.user.username, first.password);
    expect(again.status).toBe(200);
    expect(successBody<TokenPair>(again).data.user.lockedUntil).toBeNull();
    // The counter started over: two more failures (5 in all since the first) do not lock the account again.
    for (let i = 0; i < 2; i += 1) {
      const failure = await attempt(second.user.username, strongPassword());
      expect(failure.status).toBe(401);
      expect(errorBody(failure).data.code).toBe('unauthenticated');
    }
    const after = await attempt(second.user.username, second.password);
    expect(after.status).toBe(200);
    expect(successBody<TokenPair>(after).data.user.lockedUntil).toBeNull();
  });

  it('audits the lockout as auth.account_locked', async () => {
    const { user } = await createUser(hub.app);
    await lockOut(user.username);
    const [row] = await db(hub).query<Array<{ locked_until: Date | null }>>(
      'SELECT locked_until FROM users WHERE id = $1',
      [user.id],
    );
    expect(row.locked_until?.getTime()).toBeGreaterThan(Date.now());

    const locked = await auditEntries(hub, adminToken, `action=auth.account_locked&targetId=${user.id}`);
    expect(locked).toEqual([
      expect.objectContaining({
        action: 'auth.account_locked',
        outcome: 'denied',
        targetType: 'user',
        targetId: user.id,
        username: user.username,
      }),
    ]);
  });

  it('lets an admin clear an active lock (POST /api/admin/users/:id/unlock), audited as user.unlocked', async () => {
    const { user, password } = await createUser(hub.app);
    await lockOut(user.username);
    await expectLocked(user.username, password);

    const unlocked = await request(hub.server)
      .post(`/api/admin/users/${user.id}/unlock`)
      .set(bearer(adminToken))
      .expect(200);
    expect(successBody<UserDto>(unlocked).data).toMatchObject({ id: user.id, lockedUntil: null });

    await attempt(user.username, password).expect(200);

    const entries = await auditEntries(hub, adminToken, 'action=user.unlocked');
    expect(entries).toEqual([expect.objectContaining({ action: 'user.unlocked', targetId: user.id })]);
  });

  it('keeps every password sent in this block out of the audit log', async () => {
    const { user, password } = await createUser(hub.app);
    await lockOut(user.username);
    await expectLocked(user.username, password);
    expect(sentPasswords.size).toBeGreaterThanOrEqual(4);
    const response = await request(hub.server).get('/api/audit-logs?limit=500').set(bearer(adminToken)).expect(200);
    const everything = JSON.stringify(successBody<Page<AuditEntry>>(response).data.items);
    expect(everything).toContain('"reason":"locked"');
    for (const password of sentPasswords) {
      expect(everything).not.toContain(password);
    }
  });
});
