import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import request, { type Response } from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app/create-app.js';
import { errorBody } from '../utils/envelope.js';
import { deliverCallback, followProviderRedirects } from '../utils/oidc-browser.js';
import {
  OidcTestProvider,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_REDIRECT_URL,
} from '../utils/oidc-test-provider.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { testConfig } from '../utils/test-config.js';
import { bearer } from '../utils/tokens.js';

/** Swagger UI's redirect page on the hub, on the origin of OIDC_REDIRECT_URL. */
const SWAGGER_REDIRECT = new URL('/api/docs/oauth2-redirect.html', TEST_REDIRECT_URL).href;

interface Pkce {
  verifier: string;
  challenge: string;
}
const newPkce = (): Pkce => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

interface OAuthTokens {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
}

/**
 * Swagger UI's "Authorize" through the provider (issue 13, item 3), as Swagger UI runs it: an OAuth2
 * authorization code flow with PKCE against the hub, the sign-in at a real OpenID provider in between.
 */
describe("Swagger UI's sign-in through the OIDC provider", () => {
  let provider: OidcTestProvider;
  let hub: TestApp;
  let peer: NestFastifyApplication;

  beforeAll(async () => {
    provider = await OidcTestProvider.start({ dana: { preferred_username: 'dana', groups: ['staff'] } });
    const env = {
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: TEST_CLIENT_ID,
      OIDC_CLIENT_SECRET: TEST_CLIENT_SECRET,
      OIDC_REDIRECT_URL: TEST_REDIRECT_URL,
      OIDC_SCOPES: 'openid profile email groups',
    };
    hub = await startTestApp({ env });
    peer = await createApp(testConfig({ DATABASE_URL: hub.database.url, ...env }), {
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await peer?.close();
    await hub?.close();
    await provider?.close();
  });

  const authorizeQuery = (pkce: Pkce, overrides: Record<string, string> = {}): string =>
    new URLSearchParams({
      response_type: 'code',
      client_id: 'swagger-ui',
      redirect_uri: SWAGGER_REDIRECT,
      state: 'swagger-state-1',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      ...overrides,
    }).toString();

  /** /authorize → the provider → the callback; the callback's answer (302 to Swagger UI's page). */
  async function signIn(pkce: Pkce): Promise<Response> {
    provider.nextAccount = 'dana';
    const start = await request(hub.server)
      .get(`/api/auth/oidc/authorize?${authorizeQuery(pkce)}`)
      .expect(302);
    const cookie = String(start.headers['set-cookie']).split(';')[0];
    const callback = await followProviderRedirects(new URL(String(start.headers.location)));
    return deliverCallback(hub, callback, cookie);
  }

  /** The code Swagger UI's redirect page receives, after checking the state came back. */
  async function codeFor(pkce: Pkce): Promise<string> {
    const answer = await signIn(pkce);
    expect(answer.status).toBe(302);
    const location = new URL(String(answer.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(SWAGGER_REDIRECT);
    expect(location.searchParams.get('state')).toBe('swagger-state-1');
    return location.searchParams.get('code')!;
  }

  const exchange = (server: Server, fields: Record<string, string>) =>
    request(server).post('/api/auth/oidc/token').type('form').send(new URLSearchParams(fields).toString());
  const tokenFields = (code: string, pkce: Pkce, overrides: Record<string, string> = {}) => ({
    grant_type: 'authorization_code',
    client_id: 'swagger-ui',
    code,
    redirect_uri: SWAGGER_REDIRECT,
    code_verifier: pkce.verifier,
    ...overrides,
  });

  it('runs the whole flow: a one-time code for Swagger UI, exchanged (form-encoded) for a hub token that works', async () => {
    const pkce = newPkce();
    const code = await codeFor(pkce);

    const answer = await exchange(hub.server, tokenFields(code, pkce)).expect(200);
    const tokens = answer.body as OAuthTokens;
    expect(Object.keys(tokens).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.expires_in).toBeGreaterThan(0);
    expect(answer.headers['cache-control']).toBe('no-store');
    const profile = await request(hub.server).get('/api/profile').set(bearer(tokens.access_token)).expect(200);
    expect((profile.body as { data: { username: string } }).data.username).toBe('dana');

    // Single use, also on another instance.
    const again = await exchange(peer.getHttpServer(), tokenFields(code, pkce));
    expect({ status: again.status, code: errorBody(again).data.code }).toEqual({ status: 400, code: 'invalid_grant' });
  });

  it('exchanges a code on another instance than the one that issued it', async () => {
    const pkce = newPkce();
    const code = await codeFor(pkce);
    await exchange(peer.getHttpServer(), tokenFields(code, pkce)).expect(200);
  });

  it('refuses a wrong verifier (spending the code), a foreign redirect_uri, and an expired code', async () => {
    const spent = newPkce();
    const spentCode = await codeFor(spent);
    const wrongVerifier = await exchange(
      hub.server,
      tokenFields(spentCode, spent, { code_verifier: newPkce().verifier }),
    );
    expect({ status: wrongVerifier.status, code: errorBody(wrongVerifier).data.code }).toEqual({
      status: 400,
      code: 'invalid_grant',
    });
    // The code was spent by the failed attempt: the right verifier afterwards is refused too.
    const after = await exchange(hub.server, tokenFields(spentCode, spent));
    expect({ status: after.status, code: errorBody(after).data.code }).toEqual({ status: 400, code: 'invalid_grant' });

    const foreign = newPkce();
    const foreignCode = await codeFor(foreign);
    const redirected = await exchange(
      hub.server,
      tokenFields(foreignCode, foreign, { redirect_uri: 'https://evil.example/api/docs/oauth2-redirect.html' }),
    );
    expect({ status: redirected.status, code: errorBody(redirected).data.code }).toEqual({
      status: 400,
      code: 'validation_failed',
    });

    const pkce = newPkce();
    const code = await codeFor(pkce);
    await hub.app.get(DataSource).query(`UPDATE oidc_client_codes SET expires_at = now() - interval '1 second'`);
    const expired = await exchange(hub.server, tokenFields(code, pkce));
    expect({ status: expired.status, code: errorBody(expired).data.code }).toEqual({
      status: 400,
      code: 'invalid_grant',
    });
  });

  it('never redirects anywhere but Swagger UI’s page, and asks for S256 PKCE and the one client', async () => {
    const pkce = newPkce();
    const refusedRequests: Array<Record<string, string>> = [
      { redirect_uri: 'https://evil.example/steal' },
      { redirect_uri: 'http://hub.test/api/docs/oauth2-redirect.html.evil.example/' },
      { client_id: 'another-client' },
      { code_challenge_method: 'plain' },
      { code_challenge: 'too-short' },
      { response_type: 'token' },
      { state: '' },
    ];
    for (const overrides of refusedRequests) {
      const answer = await request(hub.server).get(`/api/auth/oidc/authorize?${authorizeQuery(pkce, overrides)}`);
      expect({ overrides, status: answer.status, location: answer.headers.location }).toEqual({
        overrides,
        status: 400,
        location: undefined,
      });
    }
    const missing = await request(hub.server).get('/api/auth/oidc/authorize?response_type=code&client_id=swagger-ui');
    expect(missing.status).toBe(400);
    const stored = await hub.app
      .get(DataSource)
      .query<unknown[]>(
        `SELECT 1 FROM oidc_login_requests WHERE client_redirect_uri IS NOT NULL AND client_redirect_uri <> $1`,
        [SWAGGER_REDIRECT],
      );
    expect(stored).toEqual([]);
  });

  it('still answers a plain /login with the tokens as JSON, not with a redirect', async () => {
    provider.nextAccount = 'dana';
    const start = await request(hub.server).get('/api/auth/oidc/login').expect(302);
    const cookie = String(start.headers['set-cookie']).split(';')[0];
    const answer = await deliverCallback(
      hub,
      await followProviderRedirects(new URL(String(start.headers.location))),
      cookie,
    );
    expect(answer.status).toBe(200);
    expect((answer.body as { data: { accessToken: string } }).data.accessToken).toEqual(expect.any(String));
  });

  it('takes form bodies on the token endpoint only (415 elsewhere)', async () => {
    const answer = await request(hub.server).post('/api/auth/login').type('form').send('username=a&password=b');
    expect(answer.status).toBe(415);
  });
});
