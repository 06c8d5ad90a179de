import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as Pino } from 'pino';
import { AppModule, type AppModuleImports } from '../app.module.js';
import { requestIdFor } from '../common/http/request-id.js';
import type { AppConfig, TrustProxy } from '../config/app-config.js';
import type { ModuleSchema } from '../database/module-schema.js';
import { createLogger } from '../logging/logger.js';
import { HubMetricsService } from '../modules/system/metrics/hub-metrics.service.js';
import { PinoNestLogger } from '../logging/pino-nest-logger.js';
import { RequestLogController } from '../logging/request-log-controller.js';
import { HttpEdge } from './edge/http-edge.js';
import { OIDC_TOKEN_PATH } from '../modules/auth/oidc/oidc-client-bridge.js';
import { useFormBodyOn } from './edge/form-body.js';
import { useNestingLimitedJsonParser } from './edge/json-body.js';
import { configureOpenApi } from './openapi.js';

export interface CreateAppOptions {
  /** A logger to use instead of one built from `config.logLevel` (tests capture or silence logs). */
  logger?: Pino;
  /** Further Nest modules to mount beside the hub's own; they get the same guard, pipe, filter and envelope. */
  imports?: AppModuleImports;
  /**
   * The tables of those modules: their entities (so `TypeOrmModule.forFeature` works in them) and their
   * migrations, applied at start with the hub's under the same lock, in timestamp order.
   */
  schemas?: ModuleSchema[];
}

// Fastify understands a hop count, but the Nest adapter's type does not; this is Fastify's own translation.
function fastifyTrustProxy(trustProxy: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trustProxy === 'number' ? (_address, hop) => hop < trustProxy : trustProxy;
}

/**
 * Builds the hub exactly as production runs it (Fastify, envelope, guard, validation, OpenAPI, security
 * headers, CORS, request ids, logging), without listening. `main.ts` and the e2e tests both use it.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const edge = new HttpEdge(config.http.requestTimeoutSeconds);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    trustProxy: fastifyTrustProxy(config.http.trustProxy),
    bodyLimit: config.http.bodyLimitBytes,
    // Fastify's default of 100 would refuse longer ids (config keys go to 128) with 414.
    routerOptions: { maxParamLength: 256 },
    genReqId: requestIdFor,
    logController: new RequestLogController(),
    serverFactory: edge.serverFactory,
    frameworkErrors: edge.frameworkErrors,
    clientErrorHandler: edge.clientErrorHandler,
    // Fastify would answer requests that slip in while closing with its own 503 body; they are served
    // instead (the database closes only after the HTTP server), and their responses close the connection.
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options.imports, options.schemas),
    adapter,
    {
      logger: new PinoNestLogger(logger),
      // Fastify's own JSON parser (with prototype-poisoning protection) is the only body parser: no
      // urlencoded bodies, and malformed JSON keeps Fastify's precise error code.
      bodyParser: false,
    },
  );
  app.setGlobalPrefix('api');
  // After the shutdown hooks, exit normally instead of re-raising the signal: pino writes stdout
  // asynchronously and flushes on 'exit', so a re-raised SIGTERM could cut off the last log lines.
  app.enableShutdownHooks([], { useProcessExit: true });
  // Without allowed origins there is nothing for CORS to do: no plugin, no per-request hook.
  if (config.http.corsOrigins.length > 0) {
    // Browsers show a script only the response headers listed here: the ones a client of the hub acts on.
    app.enableCors({
      origin: config.http.corsOrigins,
      maxAge: 600,
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'Idempotent-Replayed'],
    });
  }

  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: without this, Fastify would hand text/plain bodies to the handlers as strings.
  fastify.removeContentTypeParser('text/plain');
  useNestingLimitedJsonParser(fastify);
  // OAuth2 clients post form bodies to a token endpoint; nowhere else takes them.
  useFormBodyOn(fastify, [OIDC_TOKEN_PATH]);
  // Callback-style hooks: they run on every request, and an async hook costs a promise and a turn of the
  // microtask queue each time for work that is synchronous.
  fastify.addHook('onRequest', (request, reply, done) => {
    edge.addHsts(request, reply);
    done();
  });
  fastify.addHook('preClose', (done) => {
    edge.beginClosing();
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    edge.closeConnectionWhenClosing(reply);
    done(null, payload);
  });

  const metrics = app.get(HubMetricsService);
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  configureOpenApi(app);
  try {
    await app.init();
  } catch (error) {
    // A refused start (an extension's entity in no schema, for one) still closes the pool and the embedded
    // database it opened, so the caller is left with the error only.
    await app.close();
    throw error;
  }
  await fastify.ready();
  return app;
}
