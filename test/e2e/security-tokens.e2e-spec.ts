import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createUser, type CreatedUser, tokenFor } from '../factories/user.factory.js';
import { call, type Method, refusal } from '../utils/api.js';
import { CallbackReceiver } from '../utils/callback-receiver.js';
import {
  asymmetricJwt,
  type AsymmetricAlgorithm,
  forgedJwt,
  hmacSigner,
  keyPairFor,
  publicKeyPem,
} from '../utils/forged-tokens.js';
import { sleep } from '../utils/poll.js';
import { registerAgent } from '../utils/queue-helpers.js';
import { loginPair, pairOf, profile, refresh } from '../utils/sessions-helpers.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { agentJwt, bearer, claimsOf, type Headers, unsignedToken } from '../utils/tokens.js';
import { sha256Hex } from '../utils/values.js';

/**
 * Security regressions, part 1 (issue 10 item 5): how the hub judges tokens. Each test states one promise; the
 * wider matrices live in auth-levels, auth-sessions and agents.
 */

const ASYMMETRIC: AsymmetricAlgorithm[] = ['RS256', 'PS256', 'ES256'];
const UNAUTHENTICATED = { status: 401, code: 'unauthenticated' };
const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const attackerSecret = (): string => randomBytes(32).toString('base64url');

describe('Security regressions: tokens (issue 10 item 5)', () => {
  let hub: TestApp;
  let admin: CreatedUser;

  // The concurrent-refresh rounds refuse a refresh each on purpose, all from 127.0.0.1: the per-IP failure
  // limits would otherwise turn the later rounds into 429s.
  beforeAll(async () => {
    hub = await startTestApp({
      env: { AUTH_RATE_LIMIT_MAX_ATTEMPTS_SHORT: '1000', AUTH_RATE_LIMIT_MAX_ATTEMPTS_LONG: '10000' },
    });
    admin = await createUser(hub.app, { role: 'admin' });
  });
  afterAll(() => hub.close());

  /** Status and code of a GET on each path with this token: an accepted forgery shows as a 200 somewhere. */
  const outcomes = (token: string, paths: readonly string[]) =>
    Promise.all(paths.map(async (path) => ({ path, ...refusal(await call(hub.server, 'get', path, bearer(token))) })));
  const everywhere = (paths: readonly string[], expected: { status: number; code?: string }) =>
    paths.map((path) => ({ path, status: expected.status, code: expected.code }));

  // Both kinds of JWT the hub accepts, each from an admin so that acceptance would show on every level.
  const kinds = [
    {
      kind: 'user access token (SECRET_KEY)',
      key: () => hub.config.jwt.key,
      claims: () => claimsOf(tokenFor(hub.config, admin.user)),
      paths: ['/api/profile', '/api/agents', '/api/admin/users'],
    },
    {
      kind: 'agent JWT (AGENT_TOKEN as the key)',
      key: () => TEST_AGENT_TOKEN,
      claims: () => claimsOf(agentJwt(TEST_AGENT_TOKEN, hub.config)),
      paths: ['/api/agents', '/api/admin/users'],
    },
  ];

  describe.each(kinds)('$kind', ({ key, claims, paths }) => {
    const hs256 = (extraHeader: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) =>
      forgedJwt({ alg: 'HS256', typ: 'JWT', ...extraHeader }, { ...claims(), ...overrides }, hmacSigner(key()));
    /** Asserts 401 unauthenticated on every path; `label` names the forgery in a failure's diff. */
    const expectRefused = async (label: string, token: string): Promise<void> => {
      expect({ label, results: await outcomes(token, paths) }).toEqual({
        label,
        results: everywhere(paths, UNAUTHENTICATED),
      });
    };

    it('accepts the untampered HS256 token every forgery below is made from', async () => {
      expect(await outcomes(hs256(), paths)).toEqual(everywhere(paths, { status: 200 }));
    });

    it('refuses algorithm confusion: an RS256, PS256 or ES256 header over an HMAC made with the hub key', async () => {
      for (const alg of ASYMMETRIC) {
        await expectRefused(alg, forgedJwt({ alg, typ: 'JWT' }, claims(), hmacSigner(key())));
      }
    });

    it('refuses algorithm confusion: RS256, PS256 and ES256 tokens properly signed with a key pair', async () => {
      for (const alg of ASYMMETRIC) {
        await expectRefused(alg, asymmetricJwt(claims(), alg, keyPairFor(alg).privateKey));
      }
    });

    it('refuses algorithm confusion: an HS256 token whose HMAC key is a public key', async () => {
      const pem = publicKeyPem(keyPairFor('RS256').publicKey);
      await expectRefused('PEM as the key', forgedJwt({ alg: 'HS256', typ: 'JWT' }, claims(), hmacSigner(pem)));
      const base64 = Buffer.from(pem).toString('base64');
      await expectRefused(
        'base64 PEM as the key',
        forgedJwt({ alg: 'HS256', typ: 'JWT' }, claims(), hmacSigner(base64)),
      );
    });

    it('refuses alg none tokens, with or without a signature', async () => {
      await expectRefused('none, as tokens.ts makes it', unsignedToken(claims()));
      for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
        await expectRefused(
          `${alg}, no signature`,
          forgedJwt({ alg, typ: 'JWT' }, claims(), () => Buffer.alloc(0)),
        );
        // The very signature an HS256 verifier accepts, behind a header that says there is none.
        await expectRefused(`${alg}, HS256 signature`, forgedJwt({ alg, typ: 'JWT' }, claims(), hmacSigner(key())));
      }
    });

    it('refuses HS384 and HS512 tokens signed with the right key', async () => {
      for (const [alg, hash] of [
        ['HS384', 'sha384'],
        ['HS512', 'sha512'],
      ] as const) {
        await expectRefused(alg, forgedJwt({ alg, typ: 'JWT' }, claims(), hmacSigner(key(), hash)));
      }
    });

    it('refuses a token whose nbf lies beyond the 30 s clock tolerance (and accepts one within it)', async () => {
      await expectRefused('nbf in 120 s', hs256({}, { nbf: nowSeconds() + 120 }));
      expect(await outcomes(hs256({}, { nbf: nowSeconds() + 5 }), paths)).toEqual(everywhere(paths, { status: 200 }));
    });

    describe('key-location headers (jku, x5u, jwk, kid)', () => {
      let listener: CallbackReceiver;

      beforeAll(async () => {
        listener = await CallbackReceiver.start();
      });
      afterAll(() => listener.close());

      it('fetches nothing they name and judges the token by HS256 with its own key only', async () => {
        const attacker = keyPairFor('RS256');
        const attackerJwk = { kty: 'RSA', ...attacker.publicKey.export({ format: 'jwk' }) };
        const headers: Array<Record<string, unknown>> = [
          { jku: `${listener.origin}/jwks.json` },
          { x5u: `${listener.origin}/cert.pem` },
          { jwk: attackerJwk },
          { kid: `${listener.origin}/kid` },
          { kid: '../../../../dev/null' },
          {
            jku: `${listener.origin}/all.json`,
            x5u: `${listener.origin}/all.pem`,
            jwk: attackerJwk,
            kid: 'attacker',
          },
        ];
        for (const header of headers) {
          const label = Object.keys(header).join('+');
          // Signed with the hub's own key: accepted, so the header changed nothing about how it is judged.
          expect({ label, results: await outcomes(hs256(header), paths) }).toEqual({
            label,
            results: everywhere(paths, { status: 200 }),
          });
          const withOtherSecret = forgedJwt(
            { alg: 'HS256', typ: 'JWT', ...header },
            claims(),
            hmacSigner(attackerSecret()),
          );
          await expectRefused(`${label}, another HMAC key`, withOtherSecret);
          await expectRefused(`${label}, RS256`, asymmetricJwt(claims(), 'RS256', attacker.privateKey, header));
        }
        // A verifier that fetched keys would do so before answering; the pause catches a fetch sent afterwards.
        await sleep(300);

        expect({ connections: listener.connections, requests: listener.requests }).toEqual({
          connections: 0,
          requests: [],
        });
      });
    });
  });

  describe('credentials of the wrong kind', () => {
    const USER_ONLY: Array<[Method, string, object?]> = [
      ['get', '/api/profile'],
      ['post', '/api/auth/logout-all'],
      ['post', '/api/profile/mfa/setup'],
      ['post', '/api/profile/password', { currentPassword: 'Current-Pass-1!', newPassword: 'Another-Pass-2!' }],
    ];

    it('refuses a refresh token, an agent key, AGENT_TOKEN and an agent JWT where a user token is required', async () => {
      const user = await createUser(hub.app);
      const pair = await loginPair(hub.server, user.user.username, user.password);
      const agent = await registerAgent(hub.server, bearer(TEST_AGENT_TOKEN), 'wrong-kind');
      const credentials: Record<string, Headers> = {
        'refresh token': bearer(pair.refreshToken),
        'agent key': agent.headers,
        AGENT_TOKEN: bearer(TEST_AGENT_TOKEN),
        'agent JWT': bearer(agentJwt(TEST_AGENT_TOKEN, hub.config)),
      };

      const results: Record<string, unknown[]> = {};
      for (const [name, headers] of Object.entries(credentials)) {
        results[name] = [];
        for (const [method, path, body] of USER_ONLY) {
          results[name].push({ method, path, ...refusal(await call(hub.server, method, path, headers, body)) });
        }
      }

      const refusedEverywhere = USER_ONLY.map(([method, path]) => ({ method, path, ...UNAUTHENTICATED }));
      expect(results).toEqual(Object.fromEntries(Object.keys(credentials).map((name) => [name, refusedEverywhere])));
      // The agent credentials are valid in themselves (agent-or-user level), so the refusals above are about the level.
      for (const name of ['agent key', 'AGENT_TOKEN', 'agent JWT']) {
        expect({ name, status: (await call(hub.server, 'get', '/api/agents', credentials[name])).status }).toEqual({
          name,
          status: 200,
        });
      }
      // No refused logout-all ended the user's sessions.
      expect((await profile(hub.server, pair.accessToken)).status).toBe(200);
      expect((await refresh(hub.server, pair.refreshToken)).status).toBe(200);
    });

    it('refuses an access token presented as a refresh token, and revokes nothing with it', async () => {
      const user = await createUser(hub.app);
      const pair = await loginPair(hub.server, user.user.username, user.password);

      // An access token is longer than any refresh token, so the hub may already refuse it as malformed (400).
      const refused = [UNAUTHENTICATED, { status: 400, code: 'validation_failed' }];
      expect(refused).toContainEqual(refusal(await refresh(hub.server, pair.accessToken)));
      const logout = await request(hub.server).post('/api/auth/logout').send({ refreshToken: pair.accessToken });
      expect([204, 400]).toContain(logout.status);

      expect((await profile(hub.server, pair.accessToken)).status).toBe(200);
      expect((await refresh(hub.server, pair.refreshToken)).status).toBe(200);
    });
  });

  describe('two concurrent refreshes with one token, 20 times', () => {
    const ROUNDS = 20;
    const rounds: Array<{ statuses: number[]; liveInFamily: number; workingDescendants: number }> = [];

    beforeAll(async () => {
      const dataSource = hub.app.get(DataSource);
      const user = await createUser(hub.app);
      for (let round = 0; round < ROUNDS; round += 1) {
        const { refreshToken } = await loginPair(hub.server, user.user.username, user.password);
        const [{ family_id: familyId }] = await dataSource.query<Array<{ family_id: string }>>(
          'SELECT family_id FROM refresh_tokens WHERE token_hash = $1',
          [sha256Hex(refreshToken)],
        );
        const answers = await Promise.all([refresh(hub.server, refreshToken), refresh(hub.server, refreshToken)]);
        // Counted in the table too, so a descendant issued but never handed out would count as well.
        const [{ live }] = await dataSource.query<Array<{ live: number }>>(
          `SELECT count(*)::int AS live FROM refresh_tokens
           WHERE family_id = $1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > now()`,
          [familyId],
        );
        let working = 0;
        for (const answer of answers.filter((candidate) => candidate.status === 200)) {
          working += (await refresh(hub.server, pairOf(answer).refreshToken)).status === 200 ? 1 : 0;
        }
        rounds.push({
          statuses: answers.map((answer) => answer.status).sort(),
          liveInFamily: live,
          workingDescendants: working,
        });
      }
    });

    it('lets at most one of the two succeed, and never leaves two live descendants', () => {
      const broken = rounds.filter(
        (round) =>
          round.statuses.filter((status) => status === 200).length > 1 ||
          round.statuses.some((status) => status !== 200 && status !== 401) ||
          round.liveInFamily > 1 ||
          round.workingDescendants > 1,
      );
      expect({ rounds: rounds.length, broken }).toEqual({ rounds: ROUNDS, broken: [] });
    });

    // The second exchange of one token is a reuse, whichever request comes second: the family is revoked, and
    // that must include the descendant the first exchange is issuing at the same moment.
    it('revokes the whole family on the reuse, the descendant issued by the concurrent refresh included', () => {
      const survivors = rounds.filter((round) => round.liveInFamily > 0 || round.workingDescendants > 0);
      expect({ rounds: rounds.length, survivors }).toEqual({ rounds: ROUNDS, survivors: [] });
    });
  });
});
