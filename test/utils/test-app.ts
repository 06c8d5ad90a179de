import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { type Logger, pino } from 'pino';
import { createApp } from '../../src/app/create-app.js';
import type { AppConfig } from '../../src/config/app-config.js';
import type { ModuleSchema } from '../../src/database/module-schema.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { testConfig } from './test-config.js';

export interface TestApp {
  app: NestFastifyApplication;
  server: Server;
  config: AppConfig;
  database: TestDatabase;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string | undefined>;
  imports?: Array<Type<unknown> | DynamicModule>;
  /** The tables of those modules (createApp's `schemas`). */
  schemas?: ModuleSchema[];
  logger?: Logger;
  /** Rewrites the test database's URL before the hub gets it (for example to go through a proxy). */
  rewriteDatabaseUrl?: (url: string) => string;
}

/** The whole hub on its own freshly cloned database, exactly as `main.ts` builds it, not listening. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const databaseUrl = options.rewriteDatabaseUrl?.(database.url) ?? database.url;
  const config = testConfig({ DATABASE_URL: databaseUrl, ...options.env });
  const app = await createApp(config, {
    logger: options.logger ?? pino({ level: 'silent' }),
    imports: options.imports,
    schemas: options.schemas,
  }).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  return {
    app,
    server: app.getHttpServer(),
    config,
    database,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
