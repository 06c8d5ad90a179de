/**
 * The raw baseline of the benchmark: fastify + a `pg` Pool + fast-jwt, no framework, ORM or per-request
 * logging. It answers the benchmark's requests with the hub's credentials checks, SQL and envelope, so the
 * hub's throughput divided by this one's is the cost of the hub's layers on the same database.
 *
 *   DATABASE_URL=… SECRET_KEY=… PORT=… node <build>/bench/baseline/server.js
 */
import Fastify, { type FastifyError } from 'fastify';
import pg from 'pg';
import { Credentials } from './credentials.js';
import { fail, success } from './envelope.js';
import { registerLoginRoute } from './login.js';
import { registerTaskRoutes } from './tasks.js';

const { DATABASE_URL, SECRET_KEY, PORT = '3100', HOST = '127.0.0.1', DB_POOL_SIZE = '10' } = process.env;
if (!DATABASE_URL || !SECRET_KEY) {
  console.error('The baseline needs DATABASE_URL and SECRET_KEY');
  process.exit(1);
}

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: Number(DB_POOL_SIZE) });
// removeAdditional off: unknown body fields are refused (400), as the hub's ValidationPipe refuses them.
const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } } });

app.setErrorHandler((error: FastifyError, _request, reply) =>
  error.validation
    ? fail(reply, 400, 'validation_failed', error.message)
    : fail(reply, 500, 'internal_error', 'Internal server error'),
);
app.setNotFoundHandler((_request, reply) => fail(reply, 404, 'not_found'));
app.get('/api/health', (_request, reply) =>
  success(reply, 200, { status: 'ok', uptimeSeconds: Math.round(process.uptime() * 10) / 10 }),
);
registerTaskRoutes(app, pool, new Credentials(pool, SECRET_KEY));
registerLoginRoute(app, pool, SECRET_KEY);

await app.listen({ port: Number(PORT), host: HOST });

process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
