import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AppConfig } from '../../src/config/app-config.js';
import type { AccessTokenClaims } from '../../src/modules/auth/access-token-claims.js';

export type Headers = Record<string, string>;

export const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });

const now = (): number => Math.floor(Date.now() / 1000);

/** A user access token exactly as the hub issues it, with optional claim overrides (`undefined` removes one). */
export function userAccessToken(
  config: AppConfig,
  overrides: Partial<Record<keyof AccessTokenClaims, unknown>> = {},
  key: jwt.Secret = config.jwt.key,
  algorithm: jwt.Algorithm = 'HS256',
): string {
  const claims: Record<string, unknown> = {
    sub: randomUUID(),
    username: 'alice',
    role: 'user',
    mfa: false,
    typ: 'access',
    ver: 0,
    iat: now(),
    exp: now() + 900,
    iss: config.jwt.issuer,
    aud: config.jwt.audience,
    jti: randomUUID(),
    ...overrides,
  };
  const payload = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
  return jwt.sign(payload, key, { algorithm });
}

/** A JWT signed with AGENT_TOKEN, the way agents authenticate with the hub token as a key. */
export function agentJwt(
  agentToken: string,
  config: AppConfig,
  overrides: Record<string, unknown> = {},
  algorithm: jwt.Algorithm = 'HS256',
): string {
  const claims: Record<string, unknown> = {
    sub: 'worker-1',
    aud: config.jwt.audience,
    iat: now(),
    exp: now() + 300,
    ...overrides,
  };
  const payload = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
  return jwt.sign(payload, agentToken, { algorithm });
}

/** An unsigned token (`alg: none`) carrying the given claims. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

/** Decoded claims of a token the test signed, to forge variants from. */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}
