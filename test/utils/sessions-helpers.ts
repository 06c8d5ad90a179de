import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import request, { type Response } from 'supertest';
import { createApp } from '../../src/app/create-app.js';
import type { Page } from '../../src/common/http/pagination.dto.js';
import type { AuditEntryDto } from '../../src/modules/audit/dto/audit-entry.dto.js';
import type { UserResponseDto } from '../../src/modules/users/dto/user.response.dto.js';
import { successBody } from './envelope.js';
import { startTestApp, type TestApp } from './test-app.js';
import { testConfig } from './test-config.js';
import { bearer } from './tokens.js';

/** The body of a successful login or refresh. */
export interface SessionPair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
  user: UserResponseDto;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export const login = (server: Server, username: string, password: string): Promise<Response> =>
  request(server).post('/api/auth/login').send({ username, password });

export const refresh = (server: Server, refreshToken: string): Promise<Response> =>
  request(server).post('/api/auth/refresh').send({ refreshToken });

export const profile = (server: Server, accessToken: string): Promise<Response> =>
  request(server).get('/api/profile').set(bearer(accessToken));

/** The pair of a response that must be a successful login or refresh; throws with the answer otherwise. */
export function pairOf(response: Response): SessionPair {
  if (response.status !== 200) {
    throw new Error(`expected 200 with a token pair, got ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return successBody<SessionPair>(response).data;
}

export const loginPair = async (server: Server, username: string, password: string): Promise<SessionPair> =>
  pairOf(await login(server, username, password));

/** Audit entries with this action (and target, if given), newest first, through the admin API. */
export async function auditEntries(
  server: Server,
  adminToken: string,
  action: string,
  targetId?: string,
): Promise<AuditEntryDto[]> {
  const query: Record<string, string> = { action, limit: '500' };
  if (targetId) {
    query.targetId = targetId;
  }
  const response = await request(server).get('/api/audit-logs').query(query).set(bearer(adminToken));
  if (response.status !== 200) {
    throw new Error(`audit query failed with ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return successBody<Page<AuditEntryDto>>(response).data.items;
}

export interface PollResult {
  /** The last status seen. */
  status: number;
  /** Every status seen, in order. */
  seen: number[];
  elapsedMs: number;
}

/**
 * Calls `probe` every `everyMs` until it answers `wanted` or `withinMs` have passed since the first call.
 * The caller asserts on the result; nothing here decides whether the wait was acceptable.
 */
export async function pollStatus(
  probe: () => Promise<number>,
  wanted: number,
  { everyMs = 250, withinMs = 5_000 }: { everyMs?: number; withinMs?: number } = {},
): Promise<PollResult> {
  const start = Date.now();
  const seen: number[] = [];
  for (;;) {
    const status = await probe();
    seen.push(status);
    const elapsedMs = Date.now() - start;
    if (status === wanted || elapsedMs >= withinMs) {
      return { status, seen, elapsedMs };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(everyMs, withinMs - elapsedMs)));
  }
}

/** Two hub instances on one freshly cloned database, both configured with the same `env`. */
export interface HubPair {
  /** The first instance; it owns the database (`a.close()` drops it). */
  a: TestApp;
  /** The second instance on the same database and SECRET_KEY. */
  b: { app: NestFastifyApplication; server: Server };
  /** Closes the second instance, then the first (which drops the database). */
  close(): Promise<void>;
}

export async function startHubPair(env: Record<string, string> = {}): Promise<HubPair> {
  const a = await startTestApp({ env });
  let second: NestFastifyApplication;
  try {
    second = await createApp(testConfig({ DATABASE_URL: a.database.url, ...env }), {
      logger: pino({ level: 'silent' }),
    });
  } catch (error) {
    await a.close();
    throw error;
  }
  return {
    a,
    b: { app: second, server: second.getHttpServer() },
    close: async () => {
      await second.close();
      await a.close();
    },
  };
}
