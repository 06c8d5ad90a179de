import { createHash, createSecretKey, randomUUID } from 'node:crypto';
import type { AppConfig } from '../src/config/app-config.js';
import { userAccessToken } from '../test/utils/tokens.js';

/** The key of seeded agent number `index`: the formula of AGENT_KEY_SQL in seed-sql.ts, in TypeScript. */
export const agentKey = (index: number): string =>
  `ak_${createHash('sha256').update(`bench-agent-${index}`).digest('base64url')}`;

export interface SeededUser {
  id: string;
  username: string;
  role: 'admin' | 'user';
  tokenVersion: number;
}

/**
 * Access tokens exactly as the hub issues them (same claims, HS256 with SECRET_KEY, 15 minutes), one per
 * user, forged fresh before every load run so none expires during it.
 */
export function accessTokens(secretKey: string, users: SeededUser[]): string[] {
  const jwt = { key: createSecretKey(Buffer.from(secretKey)), issuer: 'ananta-hub', audience: 'ananta-hub' };
  const config = { jwt } as unknown as AppConfig;
  return users.map((user) =>
    userAccessToken(config, {
      sub: user.id,
      username: user.username,
      role: user.role,
      ver: user.tokenVersion,
      jti: randomUUID(),
    }),
  );
}
