import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { generate } from 'otplib';
import { pino } from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app/create-app.js';
import { createUser, strongPassword, tokenFor } from '../factories/user.factory.js';
import { allAuditEntries, fieldsOf } from '../utils/api.js';
import { errorBody, successBody } from '../utils/envelope.js';
import { leaks, type LoginAnswer, type MfaSetup, totpNextStep, totpNow, totpWrong } from '../utils/mfa-helpers.js';
import type { AuditEntry, Page, TokenPair, UserDto } from '../utils/payloads.js';
import { pollUntil, sleep } from '../utils/poll.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN, testConfig } from '../utils/test-config.js';
import { agentJwt, bearer, type Headers } from '../utils/tokens.js';
import { unique, UUID } from '../utils/values.js';

const GRACE_SECONDS = 2;

describe('MFA, admin user management, AGENT_TOKEN rotation and the audit log (SPEC sections 2, 3, 9, 12)', () => {
  let hub: TestApp;
  /** Every password, TOTP secret, code, backup code and token this file uses: none may reach the audit log. */
  const usedSecrets = new Set<string>();
  const remember = <T extends string>(secret: T): T => {
    usedSecrets.add(secret);
    return secret;
  };

  beforeAll(async () => {
    hub = await startTestApp({
      env: {
        AGENT_TOKEN_ROTATION_GRACE_SECONDS: String(GRACE_SECONDS),
        // Every request comes from 127.0.0.1, and this file fails logins on purpose more often than the
        // per-IP limits allow in a minute; the limits are not what it tests.
        AUTH_RATE_LIMIT_MAX_ATTEMPTS_SHORT: '1000',
        AUTH_RATE_LIMIT_MAX_ATTEMPTS_LONG: '1000',
      },
    });
    remember(TEST_AGENT_TOKEN);
  });
  afterAll(() => hub.close());

  const agent = (): Headers => bearer(TEST_AGENT_TOKEN);
  /** The AGENT_TOKEN issued by the rotation test. */
  let rotatedAgentToken: string | undefined;
  const rotatedToken = (): string => {
    if (rotatedAgentToken === undefined) {
      throw new Error('the rotation test has not issued a token');
    }
    return rotatedAgentToken;
  };
  const db = (): DataSource => hub.app.get(DataSource);

  const login = (username: string, password: string, mfaCode?: string) =>
    request(hub.server)
      .post('/api/auth/login')
      .send({ username, password, ...(mfaCode === undefined ? {} : { mfaCode }) });

  async function loginTokens(username: string, password: string, mfaCode?: string): Promise<TokenPair> {
    const response = await login(username, password, mfaCode);
    expect(response.status).toBe(200);
    const pair = successBody<TokenPair>(response).data;
    expect(typeof pair.accessToken).toBe('string');
    remember(pair.accessToken);
    remember(pair.refreshToken);
    return pair;
  }

  interface Account {
    id: string;
    username: string;
    password: string;
    accessToken: string;
  }

  /** A plain user, logged in through the API. */
  async function newAccount(): Promise<Account> {
    const { user, password } = await createUser(hub.app, { role: 'user' });
    remember(password);
    const { accessToken } = await loginTokens(user.username, password);
    return { id: user.id, username: user.username, password, accessToken };
  }

  const profilePost = (account: Account, path: string, body: object = {}) =>
    request(hub.server).post(`/api/profile/mfa/${path}`).set(bearer(account.accessToken)).send(body);

  interface Enrolled extends Account {
    secret: string;
    enableCode: string;
    backupCodes: string[];
  }

  /** Setup and enable with the current code. */
  async function enrol(account: Account): Promise<Enrolled> {
    const setup = successBody<MfaSetup>(await profilePost(account, 'setup').expect(200)).data;
    const secret = remember(setup.secret);
    const enableCode = remember(await totpNow(secret));
    const enabled = await profilePost(account, 'enable', { code: enableCode }).expect(200);
    const { backupCodes } = successBody<{ backupCodes: string[] }>(enabled).data;
    backupCodes.forEach(remember);
    return { ...account, secret, enableCode, backupCodes };
  }

  async function storedUser(id: string): Promise<Record<string, unknown>> {
    const rows = await db().query<Array<Record<string, unknown>>>('SELECT * FROM users WHERE id = $1', [id]);
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  async function auditFor(action: string, adminToken: string, targetId?: string): Promise<AuditEntry[]> {
    const query = `action=${encodeURIComponent(action)}${targetId ? `&targetId=${targetId}` : ''}`;
    return allAuditEntries(hub.server, adminToken, query);
  }

  describe('MFA (TOTP) through the profile', () => {
    describe('enrolment, login with codes, replay and backup codes', () => {
      let alice: Account;
      let setup: MfaSetup;
      let enableCode: string;
      let backupCodes: string[];
      let freshCode: string;

      beforeAll(async () => {
        alice = await newAccount();
      });

      it('setup returns {secret, otpauthUrl, qrCode}: an otpauth://totp/ URI with issuer Ananta and a PNG data URL', async () => {
        const response = await profilePost(alice, 'setup').expect(200);
        setup = successBody<MfaSetup>(response).data;
        remember(setup.secret);
        expect(setup).toEqual({
          secret: expect.any(String),
          otpauthUrl: expect.any(String),
          qrCode: expect.any(String),
        });
        expect(setup.secret).toMatch(/^[A-Z2-7]{16,}=*$/);
        expect(setup.otpauthUrl.startsWith('otpauth://totp/')).toBe(true);
        expect(setup.otpauthUrl).toContain('issuer=Ananta');
        expect(new URL(setup.otpauthUrl).searchParams.get('secret')).toBe(setup.secret);
        expect(setup.qrCode.startsWith('data:image/png;base64,')).toBe(true);
        const png = Buffer.from(setup.qrCode.slice('data:image/png;base64,'.length), 'base64');
        expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      });

      it('enable rejects a wrong or malformed code with 400 and leaves MFA off', async () => {
        const wrong = await profilePost(alice, 'enable', { code: await totpWrong(setup.secret) }).expect(400);
        expect(errorBody(wrong).data.code).toBe('validation_failed');
        // A code computed from some other secret is just as wrong.
        const foreign = await generate({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' });
        if (foreign !== (await totpNow(setup.secret))) {
          await profilePost(alice, 'enable', { code: foreign }).expect(400);
        }
        await profilePost(alice, 'enable', { code: '12345' }).expect(400);
        await profilePost(alice, 'enable', {}).expect(400);
        const profile = await request(hub.server).get('/api/profile').set(bearer(alice.accessToken)).expect(200);
        expect(successBody<{ mfaEnabled: boolean }>(profile).data.mfaEnabled).toBe(false);
        // Still no second factor at login.
        await loginTokens(alice.username, alice.password);
      });

      it('enable with the current code (computed from the returned secret) returns 10 backup codes', async () => {
        enableCode = remember(await totpNow(setup.secret));
        const response = await profilePost(alice, 'enable', { code: enableCode }).expect(200);
        const data = successBody<{ backupCodes: string[] }>(response).data;
        expect(Object.keys(data)).toEqual(['backupCodes']);
        backupCodes = data.backupCodes;
        backupCodes.forEach(remember);
        expect(backupCodes).toHaveLength(10);
        for (const code of backupCodes) {
          expect(typeof code).toBe('string');
          expect(code.length).toBeGreaterThanOrEqual(8);
        }
        expect(new Set(backupCodes).size).toBe(10);
        const profile = await request(hub.server).get('/api/profile').set(bearer(alice.accessToken)).expect(200);
        expect(successBody<{ mfaEnabled: boolean }>(profile).data.mfaEnabled).toBe(true);
      });

      it('stores the TOTP secret encrypted (not the plain secret) and the backup codes not in plain text', async () => {
        const row = await storedUser(alice.id);
        const sealed = row.mfa_secret_encrypted;
        expect(typeof sealed).toBe('string');
        expect(sealed).not.toBe(setup.secret);
        expect(String(sealed)).not.toContain(setup.secret);
        expect(String(sealed).toLowerCase()).not.toContain(setup.secret.toLowerCase());
        expect(row.mfa_enabled).toBe(true);
        const hashes = row.mfa_backup_code_hashes;
        expect(Array.isArray(hashes)).toBe(true);
        expect(hashes).toHaveLength(10);
        const wholeRow = JSON.stringify(row).toLowerCase();
        for (const code of backupCodes) {
          expect(wholeRow).not.toContain(code.toLowerCase());
          expect(wholeRow).not.toContain(code.toLowerCase().replace(/[\s-]/g, ''));
        }
      });

      it('login without mfaCode answers 200 {mfaRequired: true} and issues no tokens', async () => {
        const response = await login(alice.username, alice.password).expect(200);
        const data = successBody<LoginAnswer>(response).data;
        expect(data.mfaRequired).toBe(true);
        expect(data.accessToken).toBeUndefined();
        expect(data.refreshToken).toBeUndefined();
        expect(JSON.stringify(response.body)).not.toMatch(/token/i);
      });

      it('login with the right password but a wrong code answers 401', async () => {
        const response = await login(alice.username, alice.password, await totpWrong(setup.secret)).expect(401);
        expect(errorBody(response).data.code).toBe('unauthenticated');
        expect(JSON.stringify(response.body)).not.toMatch(/accessToken/);
      });

      it('rejects the code that enabled MFA when it is used again for login (replay of the same step, 401)', async () => {
        await login(alice.username, alice.password, enableCode).expect(401);
      });

      it('accepts a fresh code (the next step, within the ±1 step tolerance) and issues tokens', async () => {
        freshCode = remember(await totpNextStep(setup.secret));
        const pair = await loginTokens(alice.username, alice.password, freshCode);
        expect(pair.user).toMatchObject({ id: alice.id, username: alice.username, mfaEnabled: true });
        await request(hub.server).get('/api/profile').set(bearer(pair.accessToken)).expect(200);
      });

      it('rejects the same code a second time (replay, 401)', async () => {
        await login(alice.username, alice.password, freshCode).expect(401);
      });

      it('a backup code logs in once; the same backup code again answers 401', async () => {
        const [first] = backupCodes;
        await loginTokens(alice.username, alice.password, first);
        await login(alice.username, alice.password, first).expect(401);
        // The others are unaffected.
        await loginTokens(alice.username, alice.password, backupCodes[1]);
        const row = await storedUser(alice.id);
        expect(row.mfa_backup_code_hashes).toHaveLength(8);
      });

      it('audits the use of a backup code as auth.mfa_backup_code_used', async () => {
        const entries = await auditFor('auth.mfa_backup_code_used', TEST_AGENT_TOKEN, alice.id);
        expect(entries).toHaveLength(2);
        for (const entry of entries) {
          expect(entry).toMatchObject({ action: 'auth.mfa_backup_code_used', targetId: alice.id, outcome: 'success' });
        }
        const enabled = await auditFor('auth.mfa_enabled', TEST_AGENT_TOKEN, alice.id);
        expect(enabled).toHaveLength(1);
      });
    });

    describe('regenerating backup codes', () => {
      let bob: Enrolled;

      beforeAll(async () => {
        bob = await enrol(await newAccount());
      });

      it('needs the password (401 when wrong) and a valid code (401 when wrong)', async () => {
        await profilePost(bob, 'backup-codes', {
          password: remember(strongPassword()),
          code: await totpWrong(bob.secret),
        }).expect(401);
        const wrongCode = await profilePost(bob, 'backup-codes', {
          password: bob.password,
          code: await totpWrong(bob.secret),
        }).expect(401);
        expect(errorBody(wrongCode).data.code).toBe('unauthenticated');
        // Nothing changed: an old backup code still works.
        await loginTokens(bob.username, bob.password, bob.backupCodes[0]);
      });

      it('returns 10 new codes with the password and a current code, and the old codes stop working', async () => {
        const code = remember(await totpNextStep(bob.secret));
        const response = await profilePost(bob, 'backup-codes', { password: bob.password, code }).expect(200);
        const fresh = successBody<{ backupCodes: string[] }>(response).data.backupCodes;
        fresh.forEach(remember);
        expect(fresh).toHaveLength(10);
        expect(new Set(fresh).size).toBe(10);
        for (const old of bob.backupCodes) {
          expect(fresh).not.toContain(old);
        }
        await login(bob.username, bob.password, bob.backupCodes[1]).expect(401);
        await login(bob.username, bob.password, bob.backupCodes[9]).expect(401);
        await loginTokens(bob.username, bob.password, fresh[0]);
        await login(bob.username, bob.password, fresh[0]).expect(401);
        const row = await storedUser(bob.id);
        expect(row.mfa_backup_code_hashes).toHaveLength(9);
        const wholeRow = JSON.stringify(row).toLowerCase();
        for (const code of fresh) {
          expect(wholeRow).not.toContain(code.toLowerCase());
        }
      });
    });

    describe('disabling MFA', () => {
      let carol: Enrolled;

      beforeAll(async () => {
        carol = await enrol(await newAccount());
      });

      it('answers 401 for a wrong password (even with a valid code) and MFA stays on', async () => {
        const code = remember(await totpNextStep(carol.secret));
        const wrongPassword = remember(strongPassword());
        const response = await profilePost(carol, 'disable', { password: wrongPassword, code }).expect(401);
        expect(errorBody(response).data.code).toBe('unauthenticated');
        await login(carol.username, carol.password).expect(200, { status: 'success', data: { mfaRequired: true } });
      });

      it('answers 401 for the right password with a wrong code and MFA stays on', async () => {
        await profilePost(carol, 'disable', { password: carol.password, code: await totpWrong(carol.secret) }).expect(
          401,
        );
        await login(carol.username, carol.password).expect(200, { status: 'success', data: { mfaRequired: true } });
      });

      it('answers 204 with the right password and a current code; afterwards login needs no code', async () => {
        const code = await totpNextStep(carol.secret);
        const response = await profilePost(carol, 'disable', { password: carol.password, code }).expect(204);
        expect(response.text).toBe('');
        const pair = await loginTokens(carol.username, carol.password);
        expect(pair.user.mfaEnabled).toBe(false);
        const profile = await request(hub.server).get('/api/profile').set(bearer(pair.accessToken)).expect(200);
        expect(successBody<{ mfaEnabled: boolean }>(profile).data.mfaEnabled).toBe(false);
        const row = await storedUser(carol.id);
        expect(row.mfa_enabled).toBe(false);
        expect(row.mfa_backup_code_hashes).toEqual([]);
        // The old backup codes are gone with it: regenerating needs MFA on.
        await profilePost(carol, 'backup-codes', { password: carol.password, code: carol.backupCodes[0] }).expect(409);
      });
    });

    describe('agent credentials on the user-only profile routes', () => {
      const routes: Array<[string, string, object]> = [
        ['GET', '/api/profile', {}],
        ['POST', '/api/profile/password', { currentPassword: 'x', newPassword: 'y' }],
        ['POST', '/api/profile/mfa/setup', {}],
        ['POST', '/api/profile/mfa/enable', { code: '123456' }],
        ['POST', '/api/profile/mfa/disable', { password: 'x', code: '123456' }],
        ['POST', '/api/profile/mfa/backup-codes', { password: 'x', code: '123456' }],
      ];

      it.each(routes)(
        '%s %s answers 401 to the AGENT_TOKEN (as a bearer, a JWT signed with it, or ?token=)',
        async (method, path, body) => {
          const send = (url: string, headers: Headers) =>
            method === 'GET'
              ? request(hub.server).get(url).set(headers)
              : request(hub.server).post(url).set(headers).send(body);
          const asBearer = await send(path, agent());
          expect(asBearer.status).toBe(401);
          expect(errorBody(asBearer).data.code).toBe('unauthenticated');
          expect((await send(path, bearer(agentJwt(TEST_AGENT_TOKEN, hub.config)))).status).toBe(401);
          expect((await send(`${path}?token=${TEST_AGENT_TOKEN}`, {})).status).toBe(401);
        },
      );
    });
  });

  describe('admin user management (/api/admin/users)', () => {
    const users = () => request(hub.server);
    const create = (body: object, headers: Headers = agent()) =>
      users().post('/api/admin/users').set(headers).send(body);
    const get = (id: string, headers: Headers = agent()) => users().get(`/api/admin/users/${id}`).set(headers);
    const patch = (id: string, body: object, headers: Headers = agent()) =>
      users().patch(`/api/admin/users/${id}`).set(headers).send(body);
    const remove = (id: string, headers: Headers = agent()) => users().delete(`/api/admin/users/${id}`).set(headers);

    async function createOk(
      role: 'admin' | 'user' = 'user',
      username = unique('usr'),
    ): Promise<UserDto & { password: string }> {
      const password = remember(strongPassword());
      const response = await create({ username, password, role }).expect(201);
      return { ...successBody<UserDto>(response).data, password };
    }

    async function activeAdmins(): Promise<UserDto[]> {
      const response = await users().get('/api/admin/users?limit=500').set(agent()).expect(200);
      const page = successBody<Page<UserDto>>(response).data;
      expect(page.items).toHaveLength(page.total);
      return page.items.filter((user) => user.role === 'admin' && !user.disabled);
    }

    describe('create', () => {
      it('answers 201 with {id, username, role, disabled, mfaEnabled, createdAt, updatedAt} and no hash', async () => {
        const username = unique('Dave');
        const password = remember(strongPassword());
        const response = await create({ username, password, role: 'user' }).expect(201);
        const user = successBody<UserDto>(response).data;
        expect(user).toMatchObject({
          id: expect.stringMatching(UUID),
          username,
          role: 'user',
          disabled: false,
          mfaEnabled: false,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        });
        expect(new Date(user.createdAt).toISOString()).toBe(user.createdAt);
        expect(new Date(user.updatedAt).toISOString()).toBe(user.updatedAt);
        for (const key of Object.keys(user)) {
          expect(key).not.toMatch(/hash|password|secret|backup|token/i);
        }
        expect(JSON.stringify(response.body)).not.toContain(password);
        expect(JSON.stringify(response.body)).not.toContain('$argon2');
        // The new user can log in with that password.
        await loginTokens(username, password);
      });

      it('also lets an admin user (not only the AGENT_TOKEN) create users, with role admin', async () => {
        const admin = await createOk('admin');
        expect(admin.role).toBe('admin');
        const { accessToken } = await loginTokens(admin.username, admin.password);
        const response = await create(
          { username: unique('by-admin'), password: remember(strongPassword()), role: 'user' },
          bearer(accessToken),
        ).expect(201);
        expect(successBody<UserDto>(response).data.role).toBe('user');
      });

      it('answers 409 for a username that differs from an existing one only in case', async () => {
        const username = unique('casey');
        await create({ username, password: remember(strongPassword()), role: 'user' }).expect(201);
        const response = await create({ username: username.toUpperCase(), password: remember(strongPassword()) });
        expect(response.status).toBe(409);
        expect(errorBody(response).status).toBe('error');
      });

      it.each(['a b', 'ab', 'x'.repeat(65), 'bad/name', 'ümlaut', ''])(
        'answers 400 naming username for the invalid username %p',
        async (username) => {
          const response = await create({ username, password: remember(strongPassword()), role: 'user' }).expect(400);
          expect(errorBody(response).data.code).toBe('validation_failed');
          expect(fieldsOf(response)).toContain('username');
        },
      );

      it.each([
        ['too short', 'Aa1!aaaa'],
        ['no upper case', 'lowercase-only-1!'],
        ['no lower case', 'UPPERCASE-ONLY-1!'],
        ['no digit', 'No-Digits-Here-At-All!'],
        ['no special character', 'NoSpecial1234567'],
        ['too long', `Aa1!${'x'.repeat(125)}`],
      ])('answers 400 naming password for a weak password (%s)', async (_why, password) => {
        const response = await create({ username: unique('weak'), password, role: 'user' }).expect(400);
        expect(errorBody(response).data.code).toBe('validation_failed');
        expect(fieldsOf(response)).toContain('password');
      });

      it('answers 400 for an unknown role or an unknown field', async () => {
        const base = { username: unique('role'), password: remember(strongPassword()) };
        await create({ ...base, role: 'root' }).expect(400);
        await create({ ...base, role: 'user', passwordHash: 'x' }).expect(400);
      });
    });

    describe('list', () => {
      const infix = `lst${randomBytes(3).toString('hex')}`;
      const names = [`${infix}-one`, `A.${infix.toUpperCase()}.two`, `zz_${infix}_three`];

      beforeAll(async () => {
        for (const username of names) {
          await create({ username, password: remember(strongPassword()), role: 'user' }).expect(201);
        }
      });

      const list = (query: string) => users().get(`/api/admin/users?${query}`).set(agent());

      it('filters by a case-insensitive part of the username', async () => {
        const response = await list(`username=${encodeURIComponent(`${infix.toUpperCase()}-O`)}`).expect(200);
        expect(successBody<Page<UserDto>>(response).data.items.map((u) => u.username)).toEqual([names[0]]);
        const all = successBody<Page<UserDto>>(await list(`username=${infix.toUpperCase()}`).expect(200)).data;
        expect(all.total).toBe(3);
        expect(all.items.map((u) => u.username).sort()).toEqual([...names].sort());
        const none = successBody<Page<UserDto>>(await list(`username=${infix}-nobody`).expect(200)).data;
        expect(none).toEqual({ items: [], total: 0, limit: 50, offset: 0 });
      });

      it('pages with limit and offset and reports the total', async () => {
        const first = successBody<Page<UserDto>>(await list(`username=${infix}&limit=2`).expect(200)).data;
        expect(first).toMatchObject({ total: 3, limit: 2, offset: 0 });
        expect(first.items).toHaveLength(2);
        const second = successBody<Page<UserDto>>(await list(`username=${infix}&limit=2&offset=2`).expect(200)).data;
        expect(second).toMatchObject({ total: 3, limit: 2, offset: 2 });
        expect(second.items).toHaveLength(1);
        const seen = [...first.items, ...second.items].map((u) => u.username).sort();
        expect(seen).toEqual([...names].sort());
        const beyond = successBody<Page<UserDto>>(await list(`username=${infix}&offset=3`).expect(200)).data;
        expect(beyond).toMatchObject({ items: [], total: 3 });
        const everyone = successBody<Page<UserDto>>(await list('limit=500').expect(200)).data;
        expect(everyone.total).toBeGreaterThanOrEqual(3);
        expect(everyone.items).toHaveLength(everyone.total);
        for (const user of everyone.items) {
          expect(Object.keys(user).join(',')).not.toMatch(/hash|password|secret|backup/i);
        }
      });

      it.each(['limit=0', 'limit=501', 'limit=-1', 'limit=abc', 'offset=-1'])('answers 400 for %s', async (query) => {
        const response = await list(query).expect(400);
        expect(errorBody(response).data.code).toBe('validation_failed');
      });
    });

    describe('read one', () => {
      it('answers 200 with the user, 404 user_not_found for an unknown id and 400 for a malformed id', async () => {
        const created = await createOk();
        const { password: _password, ...expected } = created;
        const response = await get(created.id).expect(200);
        expect(successBody<UserDto>(response).data).toEqual(expected);
        const unknown = await get('3f1e1c2a-8d7b-4c55-9a0e-2b6f4d8e9a11').expect(404);
        expect(errorBody(unknown).data.code).toBe('user_not_found');
        const malformed = await get('not-a-uuid').expect(400);
        expect(errorBody(malformed).data.code).toBe('validation_failed');
      });
    });

    describe('update', () => {
      it('changes role and disabled, answers with the user and audits user.updated', async () => {
        const target = await createOk();
        const promoted = successBody<UserDto>(await patch(target.id, { role: 'admin' }).expect(200)).data;
        expect(promoted).toMatchObject({ id: target.id, role: 'admin', disabled: false });
        const disabled = successBody<UserDto>(await patch(target.id, { disabled: true }).expect(200)).data;
        expect(disabled).toMatchObject({ id: target.id, role: 'admin', disabled: true });
        expect(successBody<UserDto>(await get(target.id).expect(200)).data).toMatchObject({
          role: 'admin',
          disabled: true,
        });
        const back = successBody<UserDto>(await patch(target.id, { role: 'user', disabled: false }).expect(200)).data;
        expect(back).toMatchObject({ role: 'user', disabled: false });

        const entries = await auditFor('user.updated', TEST_AGENT_TOKEN, target.id);
        expect(entries).toHaveLength(3);
        for (const entry of entries) {
          expect(entry).toMatchObject({
            action: 'user.updated',
            actorType: 'hub-token',
            targetType: 'user',
            targetId: target.id,
            outcome: 'success',
          });
        }
      });

      it('answers 404 for an unknown user and 400 for an invalid role or disabled value', async () => {
        const target = await createOk();
        const unknown = await patch('3f1e1c2a-8d7b-4c55-9a0e-2b6f4d8e9a11', { disabled: true }).expect(404);
        expect(errorBody(unknown).data.code).toBe('user_not_found');
        await patch(target.id, { role: 'superuser' }).expect(400);
        await patch(target.id, { disabled: 'yes' }).expect(400);
        await patch(target.id, { username: 'renamed' }).expect(400);
      });
    });

    describe('the last active admin', () => {
      let only: UserDto;

      beforeAll(async () => {
        // A fresh hub has the initial admin only (created at start), unless the earlier tests added admins:
        // act on the real set and leave exactly one active admin.
        let admins = await activeAdmins();
        if (admins.length === 0) {
          await createOk('admin');
          admins = await activeAdmins();
        }
        for (const extra of admins.slice(1)) {
          await patch(extra.id, { role: 'user' }).expect(200);
        }
        admins = await activeAdmins();
        expect(admins).toHaveLength(1);
        only = admins[0];
      });

      it('cannot be deleted, demoted or disabled (409 last_admin) and stays as it was', async () => {
        for (const response of [
          await remove(only.id),
          await patch(only.id, { role: 'user' }),
          await patch(only.id, { disabled: true }),
          await patch(only.id, { role: 'user', disabled: true }),
        ]) {
          expect(response.status).toBe(409);
          expect(errorBody(response).data.code).toBe('last_admin');
        }
        expect(successBody<UserDto>(await get(only.id).expect(200)).data).toMatchObject({
          role: 'admin',
          disabled: false,
        });
        expect(await activeAdmins()).toHaveLength(1);
      });

      it('with two active admins one can be demoted; then the other is the last one', async () => {
        const second = await createOk('admin');
        expect(await activeAdmins()).toHaveLength(2);
        expect(successBody<UserDto>(await patch(only.id, { role: 'user' }).expect(200)).data.role).toBe('user');
        const last = await patch(second.id, { role: 'user' });
        expect(last.status).toBe(409);
        expect(errorBody(last).data.code).toBe('last_admin');
        expect(errorBody(await remove(second.id)).data.code).toBe('last_admin');
      });

      it('does not count a disabled admin as active', async () => {
        const [current] = await activeAdmins();
        // `only` becomes an admin again, but disabled: it does not keep the hub administered.
        await patch(only.id, { role: 'admin', disabled: true }).expect(200);
        expect(await activeAdmins()).toHaveLength(1);
        const response = await patch(current.id, { disabled: true });
        expect(response.status).toBe(409);
        expect(errorBody(response).data.code).toBe('last_admin');
        // Enabled again, there are two, and deleting one is allowed.
        await patch(only.id, { disabled: false }).expect(200);
        await remove(current.id).expect(204);
        expect((await activeAdmins()).map((u) => u.id)).toEqual([only.id]);
      });
    });

    describe('delete and reset-password', () => {
      it('delete answers 204 and the user is gone (404, and can no longer log in)', async () => {
        const target = await createOk();
        await loginTokens(target.username, target.password);
        const response = await remove(target.id).expect(204);
        expect(response.text).toBe('');
        expect(errorBody(await get(target.id).expect(404)).data.code).toBe('user_not_found');
        await login(target.username, target.password).expect(401);
        expect(errorBody(await remove(target.id).expect(404)).data.code).toBe('user_not_found');
        const deleted = await auditFor('user.deleted', TEST_AGENT_TOKEN, target.id);
        expect(deleted).toHaveLength(1);
      });

      it('reset-password answers 204; the new password logs in and the old one does not', async () => {
        const target = await createOk();
        const newPassword = remember(strongPassword());
        const response = await users()
          .post(`/api/admin/users/${target.id}/reset-password`)
          .set(agent())
          .send({ newPassword })
          .expect(204);
        expect(response.text).toBe('');
        await login(target.username, target.password).expect(401);
        await loginTokens(target.username, newPassword);
      });

      it('reset-password applies the policy (400 naming newPassword) and answers 404 for an unknown user', async () => {
        const target = await createOk();
        const weak = await users()
          .post(`/api/admin/users/${target.id}/reset-password`)
          .set(agent())
          .send({ newPassword: 'weak' })
          .expect(400);
        expect((errorBody(weak).data.details ?? []).map((d) => d.field)).toContain('newPassword');
        await users()
          .post('/api/admin/users/3f1e1c2a-8d7b-4c55-9a0e-2b6f4d8e9a11/reset-password')
          .set(agent())
          .send({ newPassword: remember(strongPassword()) })
          .expect(404);
        await loginTokens(target.username, target.password);
      });
    });

    describe('access', () => {
      let plain: Account;
      let target: UserDto & { password: string };
      const routes = (id: string): Array<[string, string, object | undefined]> => [
        ['get', '/api/admin/users', undefined],
        ['post', '/api/admin/users', { username: unique('nope'), password: strongPassword(), role: 'admin' }],
        ['get', `/api/admin/users/${id}`, undefined],
        ['patch', `/api/admin/users/${id}`, { role: 'admin' }],
        ['delete', `/api/admin/users/${id}`, undefined],
        ['post', `/api/admin/users/${id}/reset-password`, { newPassword: strongPassword() }],
        ['post', `/api/admin/users/${id}/unlock`, {}],
        ['get', '/api/admin/banned-ips', undefined],
        ['delete', '/api/admin/banned-ips/203.0.113.7', undefined],
        ['post', '/api/admin/agent-token/rotate', {}],
        ['get', '/api/audit-logs', undefined],
      ];
      const call = (method: string, path: string, body: object | undefined, headers: Headers) => {
        const server = request(hub.server);
        const test =
          method === 'get'
            ? server.get(path)
            : method === 'post'
              ? server.post(path)
              : method === 'patch'
                ? server.patch(path)
                : server.delete(path);
        return body === undefined ? test.set(headers) : test.set(headers).send(body);
      };

      beforeAll(async () => {
        plain = await newAccount();
        target = await createOk();
      });

      it('answers 403 to a plain user token on every admin route, and changes nothing', async () => {
        for (const [method, path, body] of routes(target.id)) {
          const response = await call(method, path, body, bearer(plain.accessToken));
          expect({ route: `${method} ${path}`, status: response.status }).toEqual({
            route: `${method} ${path}`,
            status: 403,
          });
          expect(errorBody(response).data.code).toBe('forbidden');
        }
        expect(successBody<UserDto>(await get(target.id).expect(200)).data).toMatchObject({ role: 'user' });
        await loginTokens(target.username, target.password);
      });

      it('answers 403 to a plain user token made the way login makes it, too', async () => {
        const entity = (await createUser(hub.app, { role: 'user' })).user;
        const response = await users()
          .get('/api/admin/users')
          .set(bearer(tokenFor(hub.config, entity)));
        expect(response.status).toBe(403);
      });

      it('answers 401 without a token on every admin route', async () => {
        for (const [method, path, body] of routes(target.id)) {
          const response = await call(method, path, body, {});
          expect({ route: `${method} ${path}`, status: response.status }).toEqual({
            route: `${method} ${path}`,
            status: 401,
          });
          expect(errorBody(response).data.code).toBe('unauthenticated');
        }
      });
    });
  });

  describe('AGENT_TOKEN rotation (grace period 2 s)', () => {
    let rotated: string;
    let rotatedAt: number;
    const adminRoute = (headers: Headers) => request(hub.server).get('/api/admin/users?limit=1').set(headers);

    it('rotate returns a new token of at least 32 characters; the new one works, the old one still does', async () => {
      const response = await request(hub.server).post('/api/admin/agent-token/rotate').set(agent()).expect(200);
      rotatedAt = Date.now();
      const data = successBody<{ token: string }>(response).data;
      expect(Object.keys(data)).toEqual(['token']);
      rotated = remember(data.token);
      rotatedAgentToken = rotated;
      expect(typeof rotated).toBe('string');
      expect(rotated.length).toBeGreaterThanOrEqual(32);
      expect(rotated).not.toBe(TEST_AGENT_TOKEN);
      await adminRoute(bearer(rotated)).expect(200);
      await adminRoute(agent()).expect(200);
      await adminRoute(bearer(agentJwt(rotated, hub.config))).expect(200);
      await request(hub.server)
        .get(`/api/admin/users?limit=1&token=${encodeURIComponent(rotated)}`)
        .expect(200);
    });

    it('stores the token encrypted (hub_agent_token.current_sealed does not contain it)', async () => {
      const rows = await db().query<Array<{ current_sealed: string; previous_sealed: string | null }>>(
        'SELECT current_sealed, previous_sealed FROM hub_agent_token',
      );
      expect(rows).toHaveLength(1);
      const [row] = rows;
      expect(typeof row.current_sealed).toBe('string');
      expect(row.current_sealed).not.toContain(rotated);
      expect(row.current_sealed).not.toContain(Buffer.from(rotated).toString('base64'));
      expect(row.previous_sealed ?? '').not.toContain(TEST_AGENT_TOKEN);
      const everything = JSON.stringify(await db().query('SELECT * FROM hub_agent_token'));
      expect(everything).not.toContain(rotated);
      expect(everything).not.toContain(TEST_AGENT_TOKEN);
    });

    it('audits auth.agent_token_rotated without the token', async () => {
      const entries = await auditFor('auth.agent_token_rotated', rotated);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        action: 'auth.agent_token_rotated',
        actorType: 'hub-token',
        outcome: 'success',
      });
      const text = JSON.stringify(entries);
      expect(text).not.toContain(rotated);
      expect(text).not.toContain(TEST_AGENT_TOKEN);
    });

    it('rejects the old token (401) once the grace period is over, while the new one keeps working', async () => {
      await sleep(Math.max(0, rotatedAt + GRACE_SECONDS * 1000 + 500 - Date.now()));
      const rejected = await pollUntil(async () => (await adminRoute(agent())).status === 401, 3000);
      expect(rejected).toBe(true);
      const response = await adminRoute(agent());
      expect(response.status).toBe(401);
      expect(errorBody(response).data.code).toBe('unauthenticated');
      await adminRoute(bearer(agentJwt(TEST_AGENT_TOKEN, hub.config))).expect(401);
      await request(hub.server).get(`/api/admin/users?limit=1&token=${TEST_AGENT_TOKEN}`).expect(401);
      await adminRoute(bearer(rotated)).expect(200);
    });
  });

  describe('audit log (/api/audit-logs)', () => {
    let adminToken: string;
    let adminId: string;
    let plainToken: string;
    const list = (query: string, headers: Headers = bearer(adminToken)) =>
      request(hub.server)
        .get(`/api/audit-logs${query ? `?${query}` : ''}`)
        .set(headers);

    beforeAll(async () => {
      const { user: admin } = await createUser(hub.app, { role: 'admin' });
      adminId = admin.id;
      adminToken = remember(tokenFor(hub.config, admin));
      const { user: plain } = await createUser(hub.app, { role: 'user' });
      plainToken = remember(tokenFor(hub.config, plain));
    });

    it('is admin-only: a user gets 403, no credential 401, an admin 200', async () => {
      expect(errorBody(await list('', bearer(plainToken)).expect(403)).data.code).toBe('forbidden');
      expect(errorBody(await list('', {}).expect(401)).data.code).toBe('unauthenticated');
      await list('').expect(200);
    });

    it('gives entries {id, at, actorType, actorId, username, ip, action, targetType, targetId, outcome, requestId, details}', async () => {
      const entries = await allAuditEntries(hub.server, adminToken);
      expect(entries.length).toBeGreaterThan(20);
      for (const entry of entries) {
        expect(Object.keys(entry).sort()).toEqual(
          expect.arrayContaining(
            [
              'id',
              'at',
              'actorType',
              'actorId',
              'username',
              'ip',
              'action',
              'targetType',
              'targetId',
              'outcome',
              'requestId',
              'details',
            ].sort(),
          ),
        );
        expect(entry.id).toMatch(UUID);
        expect(new Date(entry.at).toISOString()).toBe(entry.at);
        expect(['user', 'agent', 'hub-token', 'system', 'anonymous']).toContain(entry.actorType);
        expect(['success', 'failure', 'denied']).toContain(entry.outcome);
        expect(typeof entry.action).toBe('string');
        expect(typeof entry.details).toBe('object');
        expect(entry.details).not.toBeNull();
      }
    });

    it('lists newest first and pages with limit and offset', async () => {
      const entries = await allAuditEntries(hub.server, adminToken);
      for (let i = 1; i < entries.length; i += 1) {
        expect(Date.parse(entries[i - 1].at)).toBeGreaterThanOrEqual(Date.parse(entries[i].at));
      }
      const first = successBody<Page<AuditEntry>>(await list('limit=5').expect(200)).data;
      expect(first).toMatchObject({ limit: 5, offset: 0, total: entries.length });
      const second = successBody<Page<AuditEntry>>(await list('limit=5&offset=5').expect(200)).data;
      expect(second).toMatchObject({ limit: 5, offset: 5, total: entries.length });
      expect([...first.items, ...second.items].map((e) => e.id)).toEqual(entries.slice(0, 10).map((e) => e.id));
      const defaults = successBody<Page<AuditEntry>>(await list('').expect(200)).data;
      expect(defaults).toMatchObject({ limit: 50, offset: 0 });
      await list('limit=0').expect(400);
      await list('limit=501').expect(400);
    });

    it('shows the most recent action first', async () => {
      const target = (await createUser(hub.app, { role: 'user' })).user;
      await request(hub.server)
        .patch(`/api/admin/users/${target.id}`)
        .set(bearer(adminToken))
        .send({ disabled: true })
        .expect(200);
      await request(hub.server).delete(`/api/admin/users/${target.id}`).set(bearer(adminToken)).expect(204);
      const [newest, older] = successBody<Page<AuditEntry>>(await list('limit=2').expect(200)).data.items;
      expect(newest).toMatchObject({ action: 'user.deleted', targetId: target.id });
      expect(older).toMatchObject({ action: 'user.updated', targetId: target.id });
    });

    it('filters by action, actorType, actorId and targetId', async () => {
      const entries = await allAuditEntries(hub.server, adminToken);
      const check = async (query: string, matches: (entry: AuditEntry) => boolean) => {
        const expected = entries.filter(matches).map((e) => e.id);
        expect(expected.length).toBeGreaterThan(0);
        const page = successBody<Page<AuditEntry>>(await list(`${query}&limit=500`).expect(200)).data;
        expect({ query, ids: page.items.map((e) => e.id), total: page.total }).toEqual({
          query,
          ids: expected,
          total: expected.length,
        });
      };
      await check('action=user.updated', (e) => e.action === 'user.updated');
      await check('action=auth.login_failed', (e) => e.action === 'auth.login_failed');
      await check('actorType=hub-token', (e) => e.actorType === 'hub-token');
      await check('actorType=user', (e) => e.actorType === 'user');
      await check(`actorId=${adminId}`, (e) => e.actorId === adminId);
      const someTarget = entries.find((e) => e.action === 'user.updated')?.targetId ?? '';
      await check(`targetId=${someTarget}`, (e) => e.targetId === someTarget);
      await check(
        `action=user.updated&actorType=hub-token`,
        (e) => e.action === 'user.updated' && e.actorType === 'hub-token',
      );
      const nothing = successBody<Page<AuditEntry>>(await list('action=no.such_action').expect(200)).data;
      expect(nothing).toMatchObject({ items: [], total: 0 });
      await list('actorType=robot').expect(400);
    });

    it('filters by time with from and to (ISO 8601)', async () => {
      const entries = await allAuditEntries(hub.server, adminToken);
      const times = entries.map((e) => Date.parse(e.at));
      // A boundary no entry sits on (even to the microsecond): between two entries at least 2 ms apart.
      const gap = times.findIndex((t, i) => i > 0 && times[i - 1] - t >= 2);
      expect(gap).toBeGreaterThan(0);
      const boundary = new Date(times[gap] + 1).toISOString();
      const expectIds = (page: Page<AuditEntry>, ids: string[]) => {
        expect(page.items.map((e) => e.id)).toEqual(ids);
        expect(page.total).toBe(ids.length);
      };
      const before = entries.filter((_e, i) => times[i] < Date.parse(boundary)).map((e) => e.id);
      const after = entries.filter((_e, i) => times[i] > Date.parse(boundary)).map((e) => e.id);
      expect(before.length).toBeGreaterThan(0);
      expect(after.length).toBeGreaterThan(0);
      expectIds(successBody<Page<AuditEntry>>(await list(`to=${boundary}&limit=500`).expect(200)).data, before);
      const since = successBody<Page<AuditEntry>>(await list(`from=${boundary}&limit=500`).expect(200)).data;
      expect(since.items.map((e) => e.id)).toEqual(expect.arrayContaining(after));
      for (const entry of since.items) {
        expect(Date.parse(entry.at)).toBeGreaterThan(Date.parse(boundary));
      }
      const window = successBody<Page<AuditEntry>>(
        await list(`from=${entries[entries.length - 1].at}&to=${boundary}&limit=500`).expect(200),
      ).data;
      expectIds(window, before);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expectIds(successBody<Page<AuditEntry>>(await list(`from=${future}`).expect(200)).data, []);
      expectIds(successBody<Page<AuditEntry>>(await list('to=2000-01-01T00:00:00Z').expect(200)).data, []);
    });

    it.each(['from=yesterday', 'from=2026-13-01T00:00:00Z', 'from=2026-02-30T00:00:00Z', 'to=not-a-date'])(
      'answers 400 for a bad time filter (%s)',
      async (query) => {
        const response = await list(query).expect(400);
        expect(errorBody(response).data.code).toBe('validation_failed');
        expect((errorBody(response).data.details ?? []).map((d) => d.field)).toContain(query.split('=')[0]);
      },
    );

    it('records the X-Request-Id of the request that caused an entry', async () => {
      const target = (await createUser(hub.app, { role: 'user' })).user;
      const chosen = `mfa-admin-${randomBytes(6).toString('hex')}`;
      const withId = await request(hub.server)
        .patch(`/api/admin/users/${target.id}`)
        .set({ ...bearer(adminToken), 'X-Request-Id': chosen })
        .send({ role: 'admin' })
        .expect(200);
      expect(withId.headers['x-request-id']).toBe(chosen);
      const generated = await request(hub.server)
        .patch(`/api/admin/users/${target.id}`)
        .set(bearer(adminToken))
        .send({ role: 'user' })
        .expect(200);
      const generatedId = generated.headers['x-request-id'];
      expect(typeof generatedId).toBe('string');
      const entries = await auditFor('user.updated', adminToken, target.id);
      expect(entries.map((e) => e.requestId).sort()).toEqual([chosen, generatedId].sort());
      const byHeader = entries.find((e) => e.requestId === chosen);
      expect(byHeader).toMatchObject({
        actorType: 'user',
        actorId: adminId,
        ip: '127.0.0.1',
        targetType: 'user',
        targetId: target.id,
        outcome: 'success',
        details: expect.objectContaining({ role: 'admin' }),
      });
      // Failed logins too, by anonymous callers.
      const failed = await request(hub.server)
        .post('/api/auth/login')
        .send({ username: target.username, password: remember(strongPassword()) })
        .expect(401);
      const failures = await auditFor('auth.login_failed', adminToken, target.id);
      expect(failures.map((e) => e.requestId)).toEqual([failed.headers['x-request-id']]);
      expect(failures[0]).toMatchObject({ outcome: 'failure', username: target.username });
    });

    it('has no route to change or delete entries (DELETE, PATCH and PUT answer 404) and the entry stays', async () => {
      const [entry] = successBody<Page<AuditEntry>>(await list('limit=1').expect(200)).data.items;
      const path = `/api/audit-logs/${entry.id}`;
      const server = request(hub.server);
      for (const response of [
        await server.delete(path).set(bearer(adminToken)),
        await server.patch(path).set(bearer(adminToken)).send({ action: 'nothing.happened' }),
        await server.put(path).set(bearer(adminToken)).send({ action: 'nothing.happened' }),
        await server.get(path).set(bearer(adminToken)),
      ]) {
        expect(response.status).toBe(404);
      }
      for (const response of [
        await server.delete('/api/audit-logs').set(bearer(adminToken)),
        await server.put('/api/audit-logs').set(bearer(adminToken)).send({}),
        await server.post('/api/audit-logs').set(bearer(adminToken)).send({ action: 'forged.entry' }),
      ]) {
        expect([404, 405]).toContain(response.status);
      }
      const entries = await allAuditEntries(hub.server, adminToken);
      expect(entries.find((e) => e.id === entry.id)).toEqual(entry);
      expect(entries.some((e) => e.action === 'forged.entry' || e.action === 'nothing.happened')).toBe(false);
    });

    it('contains none of the passwords, TOTP secrets, codes, backup codes or tokens used in this file', async () => {
      const entries = await allAuditEntries(hub.server, adminToken);
      const actions = new Set(entries.map((e) => e.action));
      // The flows above really were audited, so the check below looks at something.
      for (const action of [
        'auth.mfa_enabled',
        'auth.mfa_disabled',
        'auth.mfa_backup_codes_regenerated',
        'auth.mfa_backup_code_used',
        'auth.login_succeeded',
        'auth.login_failed',
        'user.created',
        'user.updated',
        'user.deleted',
        'user.password_reset',
        'auth.agent_token_rotated',
      ]) {
        expect(actions).toContain(action);
      }
      expect(usedSecrets.size).toBeGreaterThan(50);
      const viaApi = JSON.stringify(entries);
      const inTable = JSON.stringify(await db().query('SELECT * FROM audit_logs'));
      const leaked = [...usedSecrets].filter((secret) => leaks(viaApi, secret) || leaks(inTable, secret));
      expect(leaked).toEqual([]);
    });
  });

  // Last, because these start further hub instances in this process (see the report on shared Passport state).
  describe('AGENT_TOKEN rotation across a restart, and with AGENT_TOKEN unset', () => {
    const adminRoute = (headers: Headers) => request(hub.server).get('/api/admin/users?limit=1').set(headers);

    it('a restart with the old environment does not revive the old token: the rotated one stays in force', async () => {
      let second: NestFastifyApplication | undefined;
      try {
        second = await createApp(testConfig({ DATABASE_URL: hub.database.url }), { logger: pino({ level: 'silent' }) });
        const server = second.getHttpServer();
        const old = await request(server).get('/api/admin/users?limit=1').set(agent());
        expect(old.status).toBe(401);
        await request(server).get('/api/admin/users?limit=1').set(bearer(rotatedToken())).expect(200);
        await request(server)
          .get('/api/admin/users?limit=1')
          .set(bearer(agentJwt(TEST_AGENT_TOKEN, hub.config)))
          .expect(401);
      } finally {
        await second?.close();
      }
      // And the first instance agrees.
      await adminRoute(agent()).expect(401);
      await adminRoute(bearer(rotatedToken())).expect(200);
    });

    it('the first instance keeps serving users and the rotated token after the second one is closed', async () => {
      const { user } = await createUser(hub.app, { role: 'admin' });
      const response = await adminRoute(bearer(tokenFor(hub.config, user)));
      expect(response.status).toBe(200);
      await adminRoute(bearer(rotatedToken())).expect(200);
      await adminRoute(agent()).expect(401);
    });

    it('with AGENT_TOKEN unset, rotation by an admin user answers 409 agent_token_disabled', async () => {
      const off = await startTestApp({ env: { AGENT_TOKEN: undefined } });
      try {
        const { user } = await createUser(off.app, { role: 'admin' });
        const response = await request(off.server)
          .post('/api/admin/agent-token/rotate')
          .set(bearer(tokenFor(off.config, user)));
        expect(response.status).toBe(409);
        expect(errorBody(response).data.code).toBe('agent_token_disabled');
        // And hub-token authentication is off altogether.
        await request(off.server).get('/api/admin/users').set(agent()).expect(401);
      } finally {
        await off.close();
      }
    });
  });
});
