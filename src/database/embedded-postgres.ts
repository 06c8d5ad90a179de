import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

// Unix socket paths are limited to about 107 bytes; deeper DATA_DIRs get their socket in a private temp dir.
const MAX_SOCKET_PATH = 100;
const PORT = 5432;
// The embedded database serves one hub: a small buffer pool keeps its memory near what it needs (PostgreSQL's
// default is 128 MB, held inside PGlite's WebAssembly memory).
const POSTGRESQL_CONF = ['shared_buffers=16MB'];

/**
 * Creates a new cluster in `pgdata` in a short-lived child process. initdb's memory inside PGlite stays with
 * the process that ran it (about 500 MB here), so the hub itself only ever opens existing clusters.
 */
async function initialiseCluster(pgdata: string): Promise<void> {
  const pglite = import.meta.resolve('@electric-sql/pglite');
  const script = `const { PGlite } = await import(${JSON.stringify(pglite)});
    const db = await PGlite.create({ dataDir: ${JSON.stringify(pgdata)} }); await db.close();`;
  await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script]);
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), persisted under `DATA_DIR/pgdata` and served on a unix socket
 * in a 0700 directory, so the ordinary `pg` driver, entities and migrations work unchanged and no other
 * local user can connect. PGlite runs one session at a time, so the pool must hold a single connection.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly socketDir: string,
    private readonly ownsSocketDir: boolean,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const preferred = join(dataDir, 'run');
    const ownsSocketDir = join(preferred, `.s.PGSQL.${PORT}`).length > MAX_SOCKET_PATH;
    const socketDir = ownsSocketDir ? mkdtempSync(join(tmpdir(), 'ananta-pg-')) : preferred;
    mkdirSync(socketDir, { recursive: true, mode: 0o700 });
    rmSync(join(socketDir, `.s.PGSQL.${PORT}`), { force: true }); // left behind by a killed process

    // PostgreSQL's WebAssembly stays on V8's baseline compiler: optimising its hot functions as well held about
    // 70 MB more for a database that serves one hub. Set before PGlite compiles its module, the only WebAssembly
    // the hub runs; the hub's JavaScript is unaffected.
    setFlagsFromString('--liftoff-only');
    // Loaded only here: a hub on PostgreSQL never pays for PGlite's modules at start.
    const [{ PGlite }, { pg_trgm }, { PGLiteSocketServer }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite/contrib/pg_trgm'),
      import('@electric-sql/pglite-socket'),
    ]);
    const pgdata = join(dataDir, 'pgdata');
    if (!existsSync(join(pgdata, 'PG_VERSION'))) {
      await initialiseCluster(pgdata);
    }
    // pg_trgm backs the task title search index; PGlite ships it as a loadable extension.
    const db = await PGlite.create({ dataDir: pgdata, extensions: { pg_trgm }, postgresqlconf: POSTGRESQL_CONF });
    const server = new PGLiteSocketServer({ db, path: join(socketDir, `.s.PGSQL.${PORT}`), maxConnections: 1 });
    await server.start();
    return new EmbeddedPostgres(db, server, socketDir, ownsSocketDir);
  }

  /** A `pg` connection string for the socket (`host` is the socket's directory, as libpq expects). */
  get url(): string {
    return `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(this.socketDir)}&port=${PORT}`;
  }

  /** Stops serving and closes PGlite, which flushes its data to disk. */
  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    if (this.ownsSocketDir) {
      rmSync(this.socketDir, { recursive: true, force: true });
    }
  }
}
