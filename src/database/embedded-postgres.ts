import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

// Unix socket paths are limited to about 107 bytes; deeper DATA_DIRs get their socket in a private temp dir.
const MAX_SOCKET_PATH = 100;
const PORT = 5432;

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

    // Loaded only here: a hub on PostgreSQL never pays for PGlite's modules at start.
    const [{ PGlite }, { pg_trgm }, { PGLiteSocketServer }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite/contrib/pg_trgm'),
      import('@electric-sql/pglite-socket'),
    ]);
    // pg_trgm backs the task title search index; PGlite ships it as a loadable extension.
    const db = await PGlite.create({ dataDir: join(dataDir, 'pgdata'), extensions: { pg_trgm } });
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
