import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app/create-app.js';
import { createUser, tokenFor } from '../factories/user.factory.js';
import { errorBody, successBody } from '../utils/envelope.js';
import { deliverCallback, followProviderRedirects, oidcSignIn, startOidcLogin } from '../utils/oidc-browser.js';
import { OidcForgingProvider } from '../utils/oidc-forging-provider.js';
import {
  OidcTestProvider,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_REDIRECT_URL,
} from '../utils/oidc-test-provider.js';
import type { AuditEntry, Page, TokenPair } from '../utils/payloads.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { testConfig } from '../utils/test-config.js';
import { bearer } from '../utils/tokens.js';

// Issue 13: OpenID Connect single sign-on against a real provider (oidc-provider) started here.

const oidcEnv = (issuer: string, env: Record<string, string> = {}): Record<string, string> => ({
  OIDC_ISSUER_URL: issuer,
  OIDC_CLIENT_ID: TEST_CLIENT_ID,
  OIDC_CLIENT_SECRET: TEST_CLIENT_SECRET,
  OIDC_REDIRECT_URL: TEST_REDIRECT_URL,
  ...env,
});

async function auditEntries(hub: TestApp, adminToken: string, action: string): Promise<AuditEntry[]> {
  const response = await request(hub.server)
    .get(`/api/audit-logs?action=${action}&limit=500`)
    .set(bearer(adminToken))
    .expect(200);
  return successBody<Page<AuditEntry>>(response).data.items;
}

describe('OIDC single sign-on with a real provider', () => {
  let provider: OidcTestProvider;
  let hubEnv: Record<string, string>;
  let hub: TestApp;
  let adminToken: string;

  const signInAs = (accountId: string) => {
    provider.nextAccount = accountId;
    return oidcSignIn(hub);
  };

  beforeAll(async () => {
    provider = await OidcTestProvider.start({
      alice: { preferred_username: 'alice', email: 'alice@example.test', groups: ['staff'] },
      'alice-twin': { preferred_username: 'alice', email: 'alice@example.test', groups: ['staff'] },
      boss: { preferred_username: 'boss', groups: ['hub-admins'] },
      mallory: { preferred_username: 'mallory', groups: ['guests'] },
    });
    hubEnv = oidcEnv(provider.issuer, {
      OIDC_SCOPES: 'openid profile email groups',
      OIDC_ADMIN_GROUPS: 'hub-admins',
      OIDC_ALLOWED_GROUPS: 'staff',
      LOCAL_LOGIN: 'admins_only',
    });
    hub = await startTestApp({ env: hubEnv });
    adminToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'admin' })).user);
  });
  afterAll(async () => {
    await hub.close();
    await provider.close();
  });

  it('redirects to the provider with state, nonce and PKCE S256, and binds the login with an HttpOnly cookie', async () => {
    const start = await startOidcLogin(hub);
    expect(start.authorizeUrl.origin).toBe(provider.issuer);
    const params = start.authorizeUrl.searchParams;
    expect(params.get('client_id')).toBe(TEST_CLIENT_ID);
    expect(params.get('redirect_uri')).toBe(TEST_REDIRECT_URL);
    expect(params.get('response_type')).toBe('code');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(params.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(start.setCookie).toMatch(/HttpOnly/);
    expect(start.setCookie).toMatch(/SameSite=Lax/);
    expect(start.setCookie).toMatch(/Path=\/api\/auth\/oidc\/callback/);
    expect(start.setCookie).not.toMatch(/Secure/); // the test hub is reached over http
    // Only a digest of the cookie's id is stored, with the checks the callback needs.
    const rows = await hub.app
      .get(DataSource)
      .query<Array<{ id: string; state: string }>>('SELECT id, state FROM oidc_login_requests WHERE state = $1', [
        params.get('state'),
      ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].id).not.toContain(start.cookie.split('=')[1]);
  });

  it('signs a person in: hub tokens that work on /api/profile and refresh, audited as a login with method oidc', async () => {
    const response = await signInAs('alice');
    expect(response.status).toBe(200);
    const pair = successBody<TokenPair>(response).data;
    expect(pair).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
      user: expect.objectContaining({ username: 'alice', role: 'user', disabled: false, mfaEnabled: false }),
    });
    expect(response.headers['set-cookie']).toEqual([expect.stringMatching(/^ananta_oidc_login=; Max-Age=0/)]);
    const profile = await request(hub.server).get('/api/profile').set(bearer(pair.accessToken)).expect(200);
    expect(successBody<{ id: string; username: string }>(profile).data).toEqual(
      expect.objectContaining({ id: pair.user.id, username: 'alice' }),
    );
    // The same refresh-token family as a password login.
    await request(hub.server).post('/api/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(200);

    const logins = await auditEntries(hub, adminToken, 'auth.login_succeeded');
    expect(logins).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          targetId: pair.user.id,
          username: 'alice',
          outcome: 'success',
          details: expect.objectContaining({ method: 'oidc', issuer: provider.issuer }),
        }),
      ]),
    );
  });

  it('finishes a login on another instance than the one that started it (the login waits in PostgreSQL)', async () => {
    const other = await createApp(testConfig({ ...hubEnv, DATABASE_URL: hub.database.url }), {
      logger: pino({ level: 'silent' }),
    });
    try {
      provider.nextAccount = 'alice';
      const start = await startOidcLogin(hub);
      const callback = await followProviderRedirects(start.authorizeUrl);
      const response = await request(other.getHttpServer()).get(callback).set('Cookie', start.cookie);
      expect(response.status).toBe(200);
      expect(successBody<TokenPair>(response).data.user.username).toBe('alice');
    } finally {
      await other.close();
    }
  });

  it('finds the user again by issuer and sub; another sub with the same e-mail and name is another user', async () => {
    const first = successBody<TokenPair>(await signInAs('alice')).data.user;
    const again = successBody<TokenPair>(await signInAs('alice')).data.user;
    expect(again.id).toBe(first.id);

    const twin = successBody<TokenPair>(await signInAs('alice-twin')).data.user;
    expect(twin.id).not.toBe(first.id);
    expect(twin.username).toBe('alice-2');
    const rows = await hub.app
      .get(DataSource)
      .query<Array<{ username: string; oidc_subject: string; oidc_issuer: string; password_hash: string }>>(
        "SELECT username, oidc_subject, oidc_issuer, password_hash FROM users WHERE oidc_subject IN ('alice', 'alice-twin') ORDER BY username",
      );
    expect(rows.map(({ username, oidc_subject, oidc_issuer }) => ({ username, oidc_subject, oidc_issuer }))).toEqual([
      { username: 'alice', oidc_subject: 'alice', oidc_issuer: provider.issuer },
      { username: 'alice-2', oidc_subject: 'alice-twin', oidc_issuer: provider.issuer },
    ]);
    // No password works for a user made by single sign-on.
    expect(rows.every((row) => !row.password_hash.startsWith('$argon2'))).toBe(true);
  });

  it('maps the admin group to role admin, and removal from the group to user at the next login (old tokens end)', async () => {
    provider.accounts.get('boss')!.groups = ['hub-admins'];
    const asAdmin = successBody<TokenPair>(await signInAs('boss')).data;
    expect(asAdmin.user.role).toBe('admin');
    await request(hub.server).get('/api/admin/users').set(bearer(asAdmin.accessToken)).expect(200);

    provider.accounts.get('boss')!.groups = ['staff'];
    const asUser = successBody<TokenPair>(await signInAs('boss')).data;
    expect(asUser.user).toEqual(expect.objectContaining({ id: asAdmin.user.id, role: 'user' }));
    await request(hub.server).get('/api/admin/users').set(bearer(asUser.accessToken)).expect(403);
    // Like an administrator's role change: the admin's earlier tokens stop working.
    await request(hub.server).get('/api/profile').set(bearer(asAdmin.accessToken)).expect(401);
    await request(hub.server).post('/api/auth/refresh').send({ refreshToken: asAdmin.refreshToken }).expect(401);

    const changes = await auditEntries(hub, adminToken, 'user.updated');
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          targetId: asAdmin.user.id,
          details: expect.objectContaining({ role: 'user', source: 'oidc' }),
        }),
      ]),
    );
  });

  it('refuses a person outside OIDC_ALLOWED_GROUPS with 403 oidc_group_not_allowed, creates no user, and audits it', async () => {
    const response = await signInAs('mallory');
    expect(response.status).toBe(403);
    expect(errorBody(response).data.code).toBe('oidc_group_not_allowed');
    const users = await hub.app.get(DataSource).query<unknown[]>("SELECT 1 FROM users WHERE oidc_subject = 'mallory'");
    expect(users).toHaveLength(0);
    const failures = await auditEntries(hub, adminToken, 'auth.login_failed');
    expect(failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          outcome: 'denied',
          username: 'mallory',
          details: expect.objectContaining({ method: 'oidc', reason: 'group_not_allowed', subject: 'mallory' }),
        }),
      ]),
    );
  });

  describe('state', () => {
    const callbackFor = async (account: string) => {
      provider.nextAccount = account;
      const start = await startOidcLogin(hub);
      return { start, callback: await followProviderRedirects(start.authorizeUrl) };
    };

    it('refuses a tampered state with 400 oidc_state_invalid, and the login cannot be finished afterwards', async () => {
      const { start, callback } = await callbackFor('alice');
      const tampered = callback.replace(/state=[^&]+/, 'state=tampered-state-value-0123456789');
      const response = await deliverCallback(hub, tampered, start.cookie);
      expect(response.status).toBe(400);
      expect(errorBody(response).data.code).toBe('oidc_state_invalid');
      expect((await deliverCallback(hub, callback, start.cookie)).status).toBe(400);
    });

    it('accepts a callback once: replaying it is 400', async () => {
      const { start, callback } = await callbackFor('alice');
      expect((await deliverCallback(hub, callback, start.cookie)).status).toBe(200);
      const replay = await deliverCallback(hub, callback, start.cookie);
      expect(replay.status).toBe(400);
      expect(errorBody(replay).data.code).toBe('oidc_state_invalid');
    });

    it('refuses a callback without the cookie of the browser that started the login, or with another login’s', async () => {
      const { start, callback } = await callbackFor('alice');
      expect((await deliverCallback(hub, callback)).status).toBe(400);
      const other = await startOidcLogin(hub);
      expect((await deliverCallback(hub, callback, other.cookie)).status).toBe(400);
      expect(start.cookie).not.toBe(other.cookie);
    });

    it('refuses a login older than 10 minutes', async () => {
      const { start, callback } = await callbackFor('alice');
      await hub.app.get(DataSource).query(`UPDATE oidc_login_requests SET expires_at = now() - interval '1 second'`);
      expect((await deliverCallback(hub, callback, start.cookie)).status).toBe(400);
    });
  });

  it('refuses a disabled user with 403 account_disabled, as password login does', async () => {
    const user = successBody<TokenPair>(await signInAs('alice')).data.user;
    await request(hub.server)
      .patch(`/api/admin/users/${user.id}`)
      .set(bearer(adminToken))
      .send({ disabled: true })
      .expect(200);
    try {
      const response = await signInAs('alice');
      expect(response.status).toBe(403);
      expect(errorBody(response).data.code).toBe('account_disabled');
    } finally {
      await request(hub.server)
        .patch(`/api/admin/users/${user.id}`)
        .set(bearer(adminToken))
        .send({ disabled: false })
        .expect(200);
    }
  });

  it('lets an administrator link a local user to an identity (409 when another user has it) and unlink it', async () => {
    const { user: local } = await createUser(hub.app, { username: 'carol.local' });
    provider.accounts.set('carol-sub', { preferred_username: 'carol', groups: ['staff'] });
    const identity = { issuer: provider.issuer, subject: 'carol-sub' };
    const linked = await request(hub.server)
      .put(`/api/admin/users/${local.id}/oidc-identity`)
      .set(bearer(adminToken))
      .send(identity)
      .expect(200);
    expect(successBody(linked).data).toEqual({ userId: local.id, ...identity });
    expect(successBody<TokenPair>(await signInAs('carol-sub')).data.user.id).toBe(local.id);

    const { user: other } = await createUser(hub.app);
    const taken = await request(hub.server)
      .put(`/api/admin/users/${other.id}/oidc-identity`)
      .set(bearer(adminToken))
      .send(identity);
    expect(taken.status).toBe(409);
    expect(errorBody(taken).data.code).toBe('oidc_identity_taken');

    await request(hub.server).delete(`/api/admin/users/${local.id}/oidc-identity`).set(bearer(adminToken)).expect(204);
    const fresh = successBody<TokenPair>(await signInAs('carol-sub')).data.user;
    expect(fresh.id).not.toBe(local.id);
    expect(fresh.username).toBe('carol');
    const audited = [
      ...(await auditEntries(hub, adminToken, 'user.oidc_identity_linked')),
      ...(await auditEntries(hub, adminToken, 'user.oidc_identity_unlinked')),
    ];
    expect(audited.map((entry) => entry.targetId)).toEqual([local.id, local.id]);
  });

  it('refuses to demote the last active administrator through group mapping (403 last_admin)', async () => {
    provider.accounts.set('solo', { preferred_username: 'solo', groups: ['hub-admins'] });
    const solo = successBody<TokenPair>(await signInAs('solo')).data.user;
    const db = hub.app.get(DataSource);
    const others = (
      await db.query<Array<{ id: string }>>(
        `SELECT id FROM users WHERE role = 'admin' AND disabled = false AND id <> $1`,
        [solo.id],
      )
    ).map((other) => other.id);
    await db.query('UPDATE users SET disabled = true WHERE id = ANY($1)', [others]);
    try {
      provider.accounts.get('solo')!.groups = ['staff'];
      const response = await signInAs('solo');
      expect(response.status).toBe(403);
      expect(errorBody(response).data.code).toBe('last_admin');
      const [row] = await db.query<Array<{ role: string }>>('SELECT role FROM users WHERE id = $1', [solo.id]);
      expect(row.role).toBe('admin');
    } finally {
      await db.query('UPDATE users SET disabled = false WHERE id = ANY($1)', [others]);
    }
  });

  it('accepts ID tokens signed with the provider’s new key after a key rotation', async () => {
    expect((await signInAs('alice')).status).toBe(200);
    await provider.useKey('key-2');
    // openid-client fetches the keys again for an unknown key id once its copy is a minute old, so a
    // provider should publish a new key a little before signing with it; right after the switch it is refused.
    expect(errorBody(await signInAs('alice')).data.code).toBe('oidc_login_failed');
    const [refused] = await auditEntries(hub, adminToken, 'auth.login_failed');
    expect(refused.details.error).toMatch(/no applicable keys found/);
    jest.useFakeTimers({
      now: Date.now() + 61_000,
      advanceTimers: true,
      doNotFake: [
        'nextTick',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
    try {
      const response = await signInAs('alice');
      expect(response.status).toBe(200);
      await request(hub.server)
        .get('/api/profile')
        .set(bearer(successBody<TokenPair>(response).data.accessToken))
        .expect(200);
    } finally {
      jest.useRealTimers();
    }
  });

  describe('LOCAL_LOGIN=admins_only', () => {
    it('refuses a password login of a non-admin with 403 local_login_disabled, after the password check', async () => {
      const { user, password } = await createUser(hub.app);
      const wrong = await request(hub.server)
        .post('/api/auth/login')
        .send({ username: user.username, password: 'Wrong-Password-1!' });
      expect(wrong.status).toBe(401);
      const refused = await request(hub.server).post('/api/auth/login').send({ username: user.username, password });
      expect(refused.status).toBe(403);
      expect(errorBody(refused).data.code).toBe('local_login_disabled');
      const failures = await auditEntries(hub, adminToken, 'auth.login_failed');
      expect(failures).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            targetId: user.id,
            outcome: 'denied',
            details: expect.objectContaining({ reason: 'local_login_disabled' }),
          }),
        ]),
      );
    });

    it('lets an administrator log in with the password', async () => {
      const { user, password } = await createUser(hub.app, { role: 'admin' });
      const response = await request(hub.server).post('/api/auth/login').send({ username: user.username, password });
      expect(response.status).toBe(200);
      expect(successBody<TokenPair>(response).data.user.role).toBe('admin');
    });
  });
});

describe('OIDC ID tokens that must be refused', () => {
  let forger: OidcForgingProvider;
  let hub: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    forger = await OidcForgingProvider.start();
    hub = await startTestApp({ env: oidcEnv(forger.issuer) });
    adminToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'admin' })).user);
  });
  afterAll(async () => {
    await hub.close();
    await forger.close();
  });

  it('accepts a correct ID token (groups and username from the ID token itself)', async () => {
    forger.forgery = {};
    forger.subject = 'honest';
    const response = await oidcSignIn(hub);
    expect(response.status).toBe(200);
    expect(successBody<TokenPair>(response).data.user.username).toBe('honest');
  });

  it.each([
    ['a wrong nonce', { claims: { nonce: 'not-the-nonce-of-this-login' } }, /"nonce" claim/],
    ['a wrong issuer', { claims: { iss: 'http://127.0.0.1:1' } }, /"iss" \(issuer\) claim/],
    ['a wrong audience', { claims: { aud: 'another-client' } }, /"aud" \(audience\) claim/],
    [
      'an expired token',
      { claims: { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 } },
      /"exp" \(expiration time\) claim/,
    ],
    ['a bad signature', { foreignKey: true }, /signature verification failed/],
  ])(
    'refuses %s with 401 oidc_login_failed, audited with the reason and without the token',
    async (_what, forgery, error) => {
      forger.forgery = forgery;
      forger.subject = `forged-${randomSuffix()}`;
      const response = await oidcSignIn(hub);
      expect(response.status).toBe(401);
      expect(errorBody(response).data.code).toBe('oidc_login_failed');
      const users = await hub.app
        .get(DataSource)
        .query<unknown[]>('SELECT 1 FROM users WHERE oidc_subject = $1', [forger.subject]);
      expect(users).toHaveLength(0);

      const failures = await auditEntries(hub, adminToken, 'auth.login_failed');
      expect(failures[0]).toEqual(
        expect.objectContaining({
          outcome: 'failure',
          details: expect.objectContaining({
            method: 'oidc',
            reason: 'token_invalid',
            error: expect.stringMatching(error),
          }),
        }),
      );
      const audit = JSON.stringify(failures);
      for (const token of forger.issuedIdTokens) {
        expect(audit).not.toContain(token);
        expect(audit).not.toContain(token.split('.')[2]);
      }
    },
  );
});

describe('OIDC switched off', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await startTestApp();
  });
  afterAll(() => hub.close());

  it.each(['/api/auth/oidc/login', '/api/auth/oidc/callback?code=x&state=y'])(
    'answers %s with 404 oidc_not_configured',
    async (path) => {
      const response = await request(hub.server).get(path);
      expect(response.status).toBe(404);
      expect(errorBody(response).data.code).toBe('oidc_not_configured');
    },
  );

  it('limits each OIDC route to 60 requests a minute per address (429 with Retry-After)', async () => {
    await hub.app.get(DataSource).query('DELETE FROM rate_limit_buckets');
    for (let call = 1; call <= 60; call += 1) {
      await request(hub.server).get('/api/auth/oidc/login').expect(404);
    }
    const limited = await request(hub.server).get('/api/auth/oidc/login');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    // The callback has a budget of its own.
    await request(hub.server).get('/api/auth/oidc/callback').expect(404);
  });

  it('keeps password login open to everyone (LOCAL_LOGIN defaults to all)', async () => {
    const { user, password } = await createUser(hub.app);
    await request(hub.server).post('/api/auth/login').send({ username: user.username, password }).expect(200);
  });
});

const randomSuffix = (): string => Math.random().toString(36).slice(2, 10);
