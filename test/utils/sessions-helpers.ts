import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import request, { type Response } from 'supertest';
import { createApp } from '../../src/app/create-app.js';
import type { AppModuleImports } from '../../src/app.module.js';
import { successBody } from './envelope.js';
import type { AuditEntry, Page, TokenPair } from './payloads.js';
import { startTestApp, type TestApp } from './test-app.js';
import { testConfig } from './test-config.js';
import { bearer } from './tokens.js';
import type { ModuleSchema } from '../../src/database/module-schema.js';

export const login = (server: Server, username: string, password: string): Promise<Response> =>
  request(server).post('/api/auth/login').send({ username, password });

export const refresh = (server: Server, refreshToken: string): Promise<Response> =>
  request(server).post('/api/auth/refresh').send({ refreshToken });

export const profile = (server: Server, accessToken: string): Promise<Response> =>
  request(server).get('/api/profile').set(bearer(accessToken));

/** The pair of a response that must be a successful login or refresh; throws with the answer otherwise. */
export function pairOf(response: Response): TokenPair {
  if (response.status !== 200) {
    throw new Error(`expected 200 with a token pair, got ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return successBody<TokenPair>(response).data;
}

export const loginPair = async (server: Server, username: string, password: string): Promise<TokenPair> =>
  pairOf(await login(server, username, password));

/** Audit entries with this action (and target, if given), newest first, through the admin API. */
export async function auditEntries(
  server: Server,
  adminToken: string,
  action: string,
  targetId?: string,
): Promise<AuditEntry[]> {
  const query: Record<string, string> = { action, limit: '500' };
  if (targetId) {
    query.targetId = targetId;
  }
  const response = await request(server).get('/api/audit-logs').query(query).set(bearer(adminToken));
  if (response.status !== 200) {
    throw new Error(`audit query failed with ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return successBody<Page<AuditEntry>>(response).data.items;
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

/** `imports` are extra modules mounted in both instances (as `createApp`'s `imports`). */
export async function startHubPair(
  env: Record<string, string> = {},
  imports: AppModuleImports = [],
  schemas: ModuleSchema[] = [],
): Promise<HubPair> {
  const a = await startTestApp({ env, imports, schemas });
  let second: NestFastifyApplication;
  try {
    second = await createApp(testConfig({ DATABASE_URL: a.database.url, ...env }), {
      logger: pino({ level: 'silent' }),
      imports,
      schemas,
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
