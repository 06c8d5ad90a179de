import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request, { type Response } from 'supertest';
import { DataSource } from 'typeorm';
import type { UserEntity } from '../../src/modules/users/user.entity.js';
import { createUser, strongPassword, tokenFor } from '../factories/user.factory.js';
import { errorBody, successBody } from '../utils/envelope.js';
import { pollStatus } from '../utils/poll.js';
import {
  auditEntries,
  type HubPair,
  login,
  loginPair,
  pairOf,
  profile,
  refresh,
  startHubPair,
} from '../utils/sessions-helpers.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { bearer, claimsOf } from '../utils/tokens.js';
import { sha256Hex } from '../utils/values.js';

interface RefreshTokenRow {
  id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

const expectUnauthenticated = (response: Response): void => {
  expect(response.status).toBe(401);
  expect(errorBody(response).data.code).toBe('unauthenticated');
};

const expectPasswordRejected = (response: Response): void => {
  expect(response.status).toBe(400);
  expect(errorBody(response).data.code).toBe('validation_failed');
  expect(errorBody(response).data.details?.map((detail) => detail.field)).toContain('newPassword');
};

describe('Sessions on one instance (SPEC sections 2 and 3)', () => {
  let hub: TestApp;
  let dataSource: DataSource;
  let admin: UserEntity;
  let adminToken: string;

  // Every refused refresh or password re-check counts as a failure from 127.0.0.1; this file makes dozens of them
  // on purpose, so the per-IP window is widened here (it is tested on its own in the two-instance part).
  beforeAll(async () => {
    hub = await startTestApp({
      env: { AUTH_RATE_LIMIT_MAX_ATTEMPTS_SHORT: '1000', AUTH_RATE_LIMIT_MAX_ATTEMPTS_LONG: '10000' },
    });
    dataSource = hub.app.get(DataSource);
    admin = (await createUser(hub.app, { role: 'admin' })).user;
    adminToken = tokenFor(hub.config, admin);
  });
  afterAll(() => hub.close());

  const newUser = () => createUser(hub.app, { role: 'user' });

  const tokenRow = async (plainToken: string): Promise<RefreshTokenRow | undefined> => {
    const rows = await dataSource.query<RefreshTokenRow[]>('SELECT * FROM refresh_tokens WHERE token_hash = $1', [
      sha256Hex(plainToken),
    ]);
    return rows[0];
  };

  const changeOwnPassword = (accessToken: string, currentPassword: string, newPassword: string) =>
    request(hub.server).post('/api/profile/password').set(bearer(accessToken)).send({ currentPassword, newPassword });

  describe('refresh-token rotation', () => {
    it('returns a new pair whose access token works, and the old refresh token is used up', async () => {
      const { user, password } = await newUser();
      const first = await loginPair(hub.server, user.username, password);

      const second = pairOf(await refresh(hub.server, first.refreshToken));
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(second.tokenType).toBe('Bearer');
      expect(second.user.id).toBe(user.id);
      const me = await profile(hub.server, second.accessToken);
      expect(me.status).toBe(200);
      expect(successBody<{ id: string; username: string }>(me).data).toMatchObject({
        id: user.id,
        username: user.username,
      });

      // The same family continues; the presented token is marked as rotated.
      const [oldRow, newRow] = [await tokenRow(first.refreshToken), await tokenRow(second.refreshToken)];
      expect(oldRow?.rotated_at).toBeInstanceOf(Date);
      expect(newRow?.family_id).toBe(oldRow?.family_id);
      expect(newRow?.rotated_at).toBeNull();

      expectUnauthenticated(await refresh(hub.server, first.refreshToken));
    });

    it('answers 401 to a reused token, revokes the whole family (newest token included) and audits it', async () => {
      const { user, password } = await newUser();
      const first = await loginPair(hub.server, user.username, password);
      const second = pairOf(await refresh(hub.server, first.refreshToken));
      const newest = pairOf(await refresh(hub.server, second.refreshToken));
      const familyId = (await tokenRow(first.refreshToken))?.family_id;
      expect(familyId).toEqual(expect.any(String));
      expect((await tokenRow(newest.refreshToken))?.revoked_at).toBeNull();

      // The stolen (already rotated) first token is presented again.
      expectUnauthenticated(await refresh(hub.server, first.refreshToken));

      expect((await tokenRow(newest.refreshToken))?.revoked_at).toBeInstanceOf(Date);
      expectUnauthenticated(await refresh(hub.server, newest.refreshToken));
      expectUnauthenticated(await refresh(hub.server, second.refreshToken));

      const entries = await auditEntries(hub.server, adminToken, 'auth.refresh_token_reused', user.id);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        action: 'auth.refresh_token_reused',
        outcome: 'denied',
        targetType: 'user',
        targetId: user.id,
      });
      expect(entries[0].details).toMatchObject({ familyId });
      const audited = JSON.stringify(entries);
      for (const token of [first.refreshToken, second.refreshToken, newest.refreshToken]) {
        expect(audited).not.toContain(token);
      }
    });

    it('answers 401 to a refresh token it never issued', async () => {
      expectUnauthenticated(await refresh(hub.server, 'garbage-refresh-token'));
      expectUnauthenticated(await refresh(hub.server, 'A'.repeat(43)));
    });

    it('stores refresh tokens only as their SHA-256 hex hash', async () => {
      const { user, password } = await newUser();
      const first = await loginPair(hub.server, user.username, password);
      const second = pairOf(await refresh(hub.server, first.refreshToken));

      const rows = await dataSource.query<RefreshTokenRow[]>(
        'SELECT * FROM refresh_tokens WHERE user_id = $1 ORDER BY created_at',
        [user.id],
      );
      expect(rows.map((row) => row.token_hash)).toEqual(
        expect.arrayContaining([sha256Hex(first.refreshToken), sha256Hex(second.refreshToken)]),
      );
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
      }

      // No column of any stored row holds a plain token.
      for (const token of [first.refreshToken, second.refreshToken]) {
        expect(token.length).toBeGreaterThanOrEqual(43); // 256 bits in base64url
        const [{ count }] = await dataSource.query<Array<{ count: string }>>(
          'SELECT count(*) AS count FROM refresh_tokens t WHERE strpos(t::text, $1) > 0',
          [token],
        );
        expect(Number(count)).toBe(0);
      }
    });
  });

  describe('logout', () => {
    it("revokes the presented token's family while another login's family keeps working", async () => {
      const { user, password } = await newUser();
      const phone = await loginPair(hub.server, user.username, password);
      const laptop = await loginPair(hub.server, user.username, password);
      const phoneRotated = pairOf(await refresh(hub.server, phone.refreshToken));

      const logout = await request(hub.server)
        .post('/api/auth/logout')
        .send({ refreshToken: phoneRotated.refreshToken });
      expect(logout.status).toBe(204);
      expect(logout.text).toBe('');

      expectUnauthenticated(await refresh(hub.server, phoneRotated.refreshToken));
      const laptopNext = pairOf(await refresh(hub.server, laptop.refreshToken));
      expect((await profile(hub.server, laptopNext.accessToken)).status).toBe(200);
      expect(pairOf(await refresh(hub.server, laptopNext.refreshToken)).user.id).toBe(user.id);
    });
  });

  describe('log out everywhere', () => {
    it('makes the access token fail at once and every refresh token of the user; a fresh login works', async () => {
      const { user, password } = await newUser();
      const one = await loginPair(hub.server, user.username, password);
      const two = await loginPair(hub.server, user.username, password);
      const oneRotated = pairOf(await refresh(hub.server, one.refreshToken));
      expect((await profile(hub.server, oneRotated.accessToken)).status).toBe(200);
      expect((await profile(hub.server, two.accessToken)).status).toBe(200);

      const response = await request(hub.server).post('/api/auth/logout-all').set(bearer(oneRotated.accessToken));
      expect(response.status).toBe(204);

      expectUnauthenticated(await profile(hub.server, oneRotated.accessToken));
      expectUnauthenticated(await profile(hub.server, two.accessToken));
      expectUnauthenticated(await profile(hub.server, one.accessToken));
      expectUnauthenticated(await refresh(hub.server, oneRotated.refreshToken));
      expectUnauthenticated(await refresh(hub.server, two.refreshToken));

      const fresh = await loginPair(hub.server, user.username, password);
      expect((await profile(hub.server, fresh.accessToken)).status).toBe(200);
      const freshRotated = pairOf(await refresh(hub.server, fresh.refreshToken));
      expect((await profile(hub.server, freshRotated.accessToken)).status).toBe(200);
    });
  });

  describe('immediate revocation on the instance that makes the change', () => {
    const admin$ = (method: 'patch' | 'delete' | 'post', path: string, body?: object) => {
      const call = request(hub.server)[method](path).set(bearer(adminToken));
      return body ? call.send(body) : call;
    };

    const changes: Array<
      [string, (user: UserEntity, password: string, accessToken: string) => Promise<Response>, number]
    > = [
      ['an admin changes the role', (user) => admin$('patch', `/api/admin/users/${user.id}`, { role: 'admin' }), 200],
      ['an admin disables the user', (user) => admin$('patch', `/api/admin/users/${user.id}`, { disabled: true }), 200],
      ['an admin deletes the user', (user) => admin$('delete', `/api/admin/users/${user.id}`), 204],
      [
        'an admin resets the password',
        (user) => admin$('post', `/api/admin/users/${user.id}/reset-password`, { newPassword: strongPassword() }),
        204,
      ],
      [
        'the user changes their own password',
        (_user, password, accessToken) => changeOwnPassword(accessToken, password, strongPassword()),
        204,
      ],
    ];

    it.each(changes)(
      'refuses the access token on the very next request and the refresh token after %s',
      async (_label, change, expectedStatus) => {
        const { user, password } = await newUser();
        const session = await loginPair(hub.server, user.username, password);
        // Once accepted, so any cached "this token is fine" answer would show.
        expect((await profile(hub.server, session.accessToken)).status).toBe(200);
        expect((await profile(hub.server, session.accessToken)).status).toBe(200);

        expect((await change(user, password, session.accessToken)).status).toBe(expectedStatus);

        expectUnauthenticated(await profile(hub.server, session.accessToken));
        expectUnauthenticated(await refresh(hub.server, session.refreshToken));
      },
    );

    it('issues a token with the new role on the next login after a role change, and it works', async () => {
      const { user, password } = await newUser();
      const before = await loginPair(hub.server, user.username, password);
      const adminUsers = (token: string) => request(hub.server).get('/api/admin/users').set(bearer(token));
      expect((await adminUsers(before.accessToken)).status).toBe(403);

      expect((await admin$('patch', `/api/admin/users/${user.id}`, { role: 'admin' })).status).toBe(200);
      expectUnauthenticated(await profile(hub.server, before.accessToken));

      const after = await loginPair(hub.server, user.username, password);
      expect(after.user.role).toBe('admin');
      expect(claimsOf(after.accessToken).role).toBe('admin');
      const me = await profile(hub.server, after.accessToken);
      expect(me.status).toBe(200);
      expect(successBody<{ role: string }>(me).data.role).toBe('admin');
      expect((await adminUsers(after.accessToken)).status).toBe(200);
    });
  });

  describe('password change rules', () => {
    it('answers 401 to a wrong current password and changes nothing', async () => {
      const { user, password } = await newUser();
      const session = await loginPair(hub.server, user.username, password);

      expectUnauthenticated(await changeOwnPassword(session.accessToken, `${password}x`, strongPassword()));

      expect((await profile(hub.server, session.accessToken)).status).toBe(200);
      expect((await login(hub.server, user.username, password)).status).toBe(200);
    });

    it.each([
      ['too short', 'Sh0rt-pass!'],
      ['without an upper-case letter', 'no-upper-case-1!'],
      ['without a lower-case letter', 'NO-LOWER-CASE-1!'],
      ['without a digit', 'No-Digits-Here-!'],
      ['without a special character', 'NoSpecialChars123'],
      ['longer than 128 characters', `Aa1!${'x'.repeat(125)}`],
    ])('rejects a new password %s with 400 validation_failed naming newPassword', async (_label, newPassword) => {
      const { user, password } = await newUser();
      const session = await loginPair(hub.server, user.username, password);

      expectPasswordRejected(await changeOwnPassword(session.accessToken, password, newPassword));
      expect((await login(hub.server, user.username, password)).status).toBe(200);
    });

    it('rejects the current password as the new one (400)', async () => {
      const { user, password } = await newUser();
      const session = await loginPair(hub.server, user.username, password);

      expectPasswordRejected(await changeOwnPassword(session.accessToken, password, password));
      expect((await profile(hub.server, session.accessToken)).status).toBe(200);
    });

    it('rejects each of the last 3 passwords (A→B→C→D, then A, B, C) and accepts a new one', async () => {
      const { user, password: a } = await newUser();
      const [b, c, d] = [strongPassword(), strongPassword(), strongPassword()];
      let current = a;
      for (const next of [b, c, d]) {
        const session = await loginPair(hub.server, user.username, current);
        expect((await changeOwnPassword(session.accessToken, current, next)).status).toBe(204);
        current = next;
      }

      const session = await loginPair(hub.server, user.username, d);
      for (const previous of [a, b, c]) {
        expectPasswordRejected(await changeOwnPassword(session.accessToken, d, previous));
      }
      expect((await login(hub.server, user.username, a)).status).toBe(401);
      expect((await changeOwnPassword(session.accessToken, d, strongPassword())).status).toBe(204);
    });

    it('audits auth.password_changed without any password', async () => {
      const { user, password } = await newUser();
      const newPassword = strongPassword();
      const session = await loginPair(hub.server, user.username, password);
      expect((await changeOwnPassword(session.accessToken, password, newPassword)).status).toBe(204);

      const entries = await auditEntries(hub.server, adminToken, 'auth.password_changed', user.id);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        action: 'auth.password_changed',
        outcome: 'success',
        actorType: 'user',
        actorId: user.id,
        targetType: 'user',
        targetId: user.id,
      });
      const audited = JSON.stringify(entries);
      expect(audited).not.toContain(password);
      expect(audited).not.toContain(newPassword);

      // Nor anywhere in the stored audit trail.
      for (const secret of [password, newPassword]) {
        const [{ count }] = await dataSource.query<Array<{ count: string }>>(
          'SELECT count(*) AS count FROM audit_logs a WHERE strpos(a::text, $1) > 0',
          [secret],
        );
        expect(Number(count)).toBe(0);
      }
    });
  });
});

describe('Sessions across two instances on one database', () => {
  describe('revocation reaches the other instance within 5 s', () => {
    let pair: HubPair;
    let adminToken: string;

    beforeAll(async () => {
      pair = await startHubPair();
      adminToken = tokenFor(pair.a.config, (await createUser(pair.a.app, { role: 'admin' })).user);
    });
    afterAll(() => pair.close());

    async function expectRefusedOnBWithin5s(accessToken: string): Promise<void> {
      const result = await pollStatus(async () => (await profile(pair.b.server, accessToken)).status, 401, {
        everyMs: 250,
        withinMs: 5_000,
      });
      expect(result.status).toBe(401);
      // Until the change arrives B may still accept the token; it must never answer anything else.
      expect(result.seen.filter((status) => status !== 200 && status !== 401)).toEqual([]);
    }

    it('refuses on B the access token of a user an admin disabled on A', async () => {
      const { user, password } = await createUser(pair.a.app);
      const session = await loginPair(pair.a.server, user.username, password);
      expect((await profile(pair.b.server, session.accessToken)).status).toBe(200);

      const disable = await request(pair.a.server)
        .patch(`/api/admin/users/${user.id}`)
        .set(bearer(adminToken))
        .send({ disabled: true });
      expect(disable.status).toBe(200);

      await expectRefusedOnBWithin5s(session.accessToken);
      expectUnauthenticated(await refresh(pair.b.server, session.refreshToken));
    });

    it('refuses on B the access token of a user who logged out everywhere on A', async () => {
      const { user, password } = await createUser(pair.a.app);
      const session = await loginPair(pair.b.server, user.username, password);
      expect((await profile(pair.b.server, session.accessToken)).status).toBe(200);

      const logoutAll = await request(pair.a.server).post('/api/auth/logout-all').set(bearer(session.accessToken));
      expect(logoutAll.status).toBe(204);

      await expectRefusedOnBWithin5s(session.accessToken);
      expectUnauthenticated(await refresh(pair.b.server, session.refreshToken));
    });

    it('still refuses the token at once on A, the instance that made the change, while B runs beside it', async () => {
      const { user, password } = await createUser(pair.a.app);
      const session = await loginPair(pair.a.server, user.username, password);
      expect((await profile(pair.a.server, session.accessToken)).status).toBe(200);
      expect((await profile(pair.b.server, session.accessToken)).status).toBe(200);

      const disable = await request(pair.a.server)
        .patch(`/api/admin/users/${user.id}`)
        .set(bearer(adminToken))
        .send({ disabled: true });
      expect(disable.status).toBe(200);

      expectUnauthenticated(await profile(pair.a.server, session.accessToken));
    });
  });

  describe('account lockout counts failures from every instance', () => {
    let pair: HubPair;

    beforeAll(async () => {
      pair = await startHubPair({ AUTH_USER_LOCKOUT_THRESHOLD: '3' });
    });
    afterAll(() => pair.close());

    it('locks after two wrong passwords on A and one on B; the right password then gets 403 on both', async () => {
      const { user, password } = await createUser(pair.a.app);
      const wrong = `${password}-wrong`;
      expectUnauthenticated(await login(pair.a.server, user.username, wrong));
      expectUnauthenticated(await login(pair.a.server, user.username, wrong));
      expectUnauthenticated(await login(pair.b.server, user.username, wrong));

      for (const server of [pair.a.server, pair.b.server] as Server[]) {
        const response = await login(server, user.username, password);
        expect(response.status).toBe(403);
        expect(errorBody(response).data.code).toBe('account_locked');
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        expect(response.body).not.toHaveProperty('data.accessToken');
      }
    });
  });

  describe('the per-IP short window is shared by every instance', () => {
    let pair: HubPair;

    beforeAll(async () => {
      pair = await startHubPair({ AUTH_RATE_LIMIT_MAX_ATTEMPTS_SHORT: '4' });
    });
    afterAll(() => pair.close());

    it('answers 429 on either instance after two failures on A and two on B', async () => {
      const { user, password } = await createUser(pair.a.app);
      for (const server of [pair.a.server, pair.a.server, pair.b.server, pair.b.server] as Server[]) {
        expectUnauthenticated(await login(server, 'nobody-here', `${password}-wrong`));
      }

      for (const server of [pair.a.server, pair.b.server] as Server[]) {
        const response = await login(server, user.username, password);
        expect(response.status).toBe(429);
        expect(errorBody(response).data.code).toBe('rate_limited');
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      }
    });
  });
});
