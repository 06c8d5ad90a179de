import { createHash, randomBytes, randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { createSigner } from 'fast-jwt';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { fail, success } from './envelope.js';
import {
  type AliasedRow,
  INSERT_AUDIT,
  INSERT_REFRESH_TOKEN,
  IP_STANDING,
  USER_ALIAS,
  USER_BY_USERNAME,
} from './queries.js';
import { inTransaction } from './transaction.js';

// The hub's defaults (SPEC section 11): token lifetimes and the per-IP failure windows.
const ACCESS_TTL_SECONDS = 900;
const REFRESH_TTL_SECONDS = 604_800;
const SHORT_WINDOW = { seconds: 60, max: 10 };
const LONG_WINDOW = { seconds: 3_600, max: 50 };

const LOGIN_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 128 },
    mfaCode: { type: 'string' },
  },
} as const;

/**
 * POST /api/auth/login on its success path, with the hub's reads and writes: the user, the IP's standing,
 * one argon2 verification, the audit row (in its own transaction) and the refresh token. Seeded users have
 * no MFA, no failed attempts and a hash at the configured parameters, so the hub's MFA step, failure reset
 * and re-hash never run; the baseline leaves them out. Failures answer 401 without the hub's bookkeeping.
 */
export function registerLoginRoute(app: FastifyInstance, pool: pg.Pool, secretKey: string): void {
  const sign = createSigner({
    key: secretKey,
    algorithm: 'HS256',
    iss: 'ananta-hub',
    aud: 'ananta-hub',
    expiresIn: ACCESS_TTL_SECONDS * 1000,
  });

  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    { schema: { body: LOGIN_SCHEMA } },
    async (request, reply) => {
      const { username, password } = request.body;
      const user = (await pool.query<AliasedRow>(USER_BY_USERNAME, [username])).rows[0];
      const standing = (
        await pool.query<{ banned_until: Date | null; short_count: string; long_count: string }>(IP_STANDING, [
          request.ip,
          SHORT_WINDOW.seconds,
          LONG_WINDOW.seconds,
        ])
      ).rows[0];
      if (
        standing.banned_until ||
        Number(standing.short_count) >= SHORT_WINDOW.max ||
        Number(standing.long_count) >= LONG_WINDOW.max
      ) {
        return fail(reply, 429, 'rate_limited');
      }
      const column = (name: string): unknown => user?.[`${USER_ALIAS}_${name}`];
      if (!user || !(await argon2.verify(column('password_hash') as string, password))) {
        return fail(reply, 401, 'unauthenticated', 'Invalid username or password');
      }
      if (column('disabled')) {
        return fail(reply, 403, 'account_disabled');
      }
      const id = column('id') as string;
      await inTransaction(pool, (client) =>
        client.query(INSERT_AUDIT, [
          'anonymous',
          null,
          column('username'),
          request.ip,
          'auth.login_succeeded',
          'user',
          id,
          'success',
          request.id,
          { mfa: false },
        ]),
      );
      const accessToken = sign({
        sub: id,
        username: column('username'),
        role: column('role'),
        mfa: column('mfa_enabled'),
        typ: 'access',
        ver: column('token_version'),
        jti: randomUUID(),
      });
      const refreshToken = randomBytes(32).toString('base64url');
      await pool.query(INSERT_REFRESH_TOKEN, [
        id,
        randomUUID(),
        createHash('sha256').update(refreshToken, 'utf8').digest('hex'),
        column('token_version'),
        new Date(Date.now() + REFRESH_TTL_SECONDS * 1000),
      ]);
      const lockedUntil = column('locked_until') as Date | null;
      return success(reply, 200, {
        accessToken,
        refreshToken,
        tokenType: 'Bearer',
        expiresIn: ACCESS_TTL_SECONDS,
        user: {
          id,
          username: column('username'),
          role: column('role'),
          disabled: column('disabled'),
          mfaEnabled: column('mfa_enabled'),
          lockedUntil: lockedUntil && lockedUntil.getTime() > Date.now() ? lockedUntil.toISOString() : null,
          createdAt: (column('created_at') as Date).toISOString(),
          updatedAt: (column('updated_at') as Date).toISOString(),
        },
      });
    },
  );
}
