import 'reflect-metadata';
import { createApp } from './app/create-app.js';
import { InvalidEnvironmentError } from './config/env.schema.js';
import { configFromProcessEnv } from './config/load-environment.js';
import { databaseLabel } from './database/database-label.js';

async function bootstrap(): Promise<void> {
  const config = configFromProcessEnv();
  const app = await createApp(config);
  await app.listen({ port: config.http.port, host: config.http.host });
  const url = await app.getUrl();
  // The one line an operator looks for: where it serves and which database it uses (never credentials).
  app
    .getHttpAdapter()
    .getInstance()
    .log.info(`Ananta Hub listening on ${url} with ${databaseLabel(config)}; API docs at ${url}/api/docs`);
}

bootstrap().catch((error: unknown) => {
  // Config errors name the variable; anything else is printed whole. Either way the start fails loudly.
  console.error(error instanceof InvalidEnvironmentError ? error.message : error);
  process.exit(1);
});
