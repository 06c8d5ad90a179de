import { createHash } from 'node:crypto';
import { createVerifier } from 'fast-jwt';
import type pg from 'pg';
import { AGENT_BY_KEY_HASH, SESSION_STATE } from './queries.js';

export type Caller =
  { kind: 'user'; id: string; username: string; role: string } | { kind: 'agent'; id: string; name: string };

// The hub's policy (src/modules/users/session-versions.service.ts): one primary-key read per user every 2 s at most.
const SESSION_CACHE_TTL_MS = 2_000;
const MAX_ENTRIES = 10_000;
const CLOCK_TOLERANCE_MS = 30_000;
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const AGENT_KEY_SHAPE = /^ak_[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface SessionEntry {
  tokenVersion: number;
  active: boolean;
  expiresAt: number;
}

interface AccessClaims {
  sub?: unknown;
  username?: unknown;
  role?: unknown;
  typ?: unknown;
  ver?: unknown;
  jti?: unknown;
}

/**
 * The credentials the hub accepts in the benchmark's scenarios, checked as strictly: a user access token
 * (HS256 with SECRET_KEY, `exp` required, issuer and audience `ananta-hub`, the access-token claims, the
 * user's current token version) or a registered agent's key (looked up by its SHA-256 on every request).
 */
export class Credentials {
  private readonly verify: (token: string) => AccessClaims;
  private readonly sessions = new Map<string, SessionEntry>();

  constructor(
    private readonly pool: pg.Pool,
    secretKey: string,
  ) {
    this.verify = createVerifier({
      key: secretKey,
      algorithms: ['HS256'],
      allowedIss: 'ananta-hub',
      allowedAud: 'ananta-hub',
      requiredClaims: ['exp', 'iss', 'aud'],
      clockTolerance: CLOCK_TOLERANCE_MS,
    }) as (token: string) => AccessClaims;
  }

  /** The caller of an authenticated request, or null (401). */
  async caller(authorization: string | undefined): Promise<Caller | null> {
    const credential = authorization ? BEARER.exec(authorization)?.[1] : undefined;
    if (!credential) {
      return null;
    }
    return AGENT_KEY_SHAPE.test(credential) ? this.agent(credential) : this.user(credential);
  }

  private async user(token: string): Promise<Caller | null> {
    let claims: AccessClaims;
    try {
      claims = this.verify(token);
    } catch {
      return null;
    }
    const { sub, username, role, typ, ver, jti } = claims;
    const wellFormed =
      typ === 'access' &&
      typeof sub === 'string' &&
      UUID.test(sub) &&
      typeof username === 'string' &&
      typeof jti === 'string' &&
      (role === 'admin' || role === 'user') &&
      typeof ver === 'number';
    if (!wellFormed || !(await this.isCurrent(sub, ver))) {
      return null;
    }
    return { kind: 'user', id: sub, username, role };
  }

  private async isCurrent(userId: string, tokenVersion: number): Promise<boolean> {
    const now = Date.now();
    let entry = this.sessions.get(userId);
    if (!entry || entry.expiresAt <= now) {
      const { rows } = await this.pool.query<{ UserEntity_token_version: number; UserEntity_disabled: boolean }>(
        SESSION_STATE,
        [userId],
      );
      const state = rows[0];
      entry = {
        tokenVersion: state?.UserEntity_token_version ?? -1,
        active: state !== undefined && !state.UserEntity_disabled,
        expiresAt: now + SESSION_CACHE_TTL_MS,
      };
      if (this.sessions.size >= MAX_ENTRIES) {
        this.sessions.clear();
      }
      this.sessions.set(userId, entry);
    }
    return entry.active && entry.tokenVersion === tokenVersion;
  }

  private async agent(key: string): Promise<Caller | null> {
    const hash = createHash('sha256').update(key, 'utf8').digest('hex');
    const { rows } = await this.pool.query<{
      AgentEntity_id: string;
      AgentEntity_name: string;
      AgentEntity_status: string;
    }>(AGENT_BY_KEY_HASH, [hash]);
    const agent = rows[0];
    return agent && agent.AgentEntity_status !== 'disabled'
      ? { kind: 'agent', id: agent.AgentEntity_id, name: agent.AgentEntity_name }
      : null;
  }
}
