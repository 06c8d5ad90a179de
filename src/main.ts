import 'reflect-metadata';
import { createApp } from './app/create-app.js';
import { InvalidEnvironmentError } from './config/env.schema.js';
import { configFromProcessEnv } from './config/load-environment.js';

async function bootstrap(): Promise<void> {
  const config = configFromProcessEnv();
  const app = await createApp(config);
  await app.listen({ port: config.http.port, host: config.http.host });
  app
    .getHttpAdapter()
    .getInstance()
    .log.info(`Ananta Hub listening on ${await app.getUrl()} (docs at /api/docs)`);
}

bootstrap().catch((error: unknown) => {
  // Config errors name the variable; anything else is printed whole. Either way the start fails loudly.
  console.error(error instanceof InvalidEnvironmentError ? error.message : error);
  process.exit(1);
});
