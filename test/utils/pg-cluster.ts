import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './hub-processes.js';

const run = promisify(execFile);
const SERVER_USER = 'postgres';

/** The newest Debian PostgreSQL installation (`/usr/lib/postgresql/<version>/bin`), else whatever is on PATH. */
function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  const newest = versions.at(-1);
  return newest === undefined ? undefined : join(root, newest, 'bin');
}

const asRoot = process.getuid?.() === 0;

// PostgreSQL refuses to run as root, so as root (CI) its tools run as the postgres user.
async function runTool(tool: string, args: string[]): Promise<string> {
  const dir = binDir();
  const path = dir ? join(dir, tool) : tool;
  const [command, commandArgs] = asRoot ? ['runuser', ['-u', SERVER_USER, '--', path, ...args]] : [path, args];
  const { stdout } = await run(command, commandArgs, { cwd: tmpdir() });
  return stdout;
}

async function serverUserIds(): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', SERVER_USER]),
    run('id', ['-g', SERVER_USER]),
  ]);
  return { uid: Number(uid), gid: Number(gid) };
}

export type StopMode = 'fast' | 'immediate';

/**
 * A PostgreSQL cluster of the test's own: `initdb` into a temp folder, its own port on 127.0.0.1 and its unix
 * socket in that folder, trust authentication, durability shortcuts that only matter if the machine crashes.
 * Tests may stop it (cleanly or as a crash) and start it again on the same port and data; `destroy()` removes
 * it whatever state it is in.
 */
export class PgCluster {
  private running = false;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PgCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'ananta-pg-'));
    const cluster = new PgCluster(dir, await freePort());
    try {
      if (asRoot) {
        const { uid, gid } = await serverUserIds();
        await chown(dir, uid, gid);
      }
      await runTool('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
      await cluster.start();
      return cluster;
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** The URL of `database` in this cluster (`postgres` exists from the start). */
  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    // fsync and full-page writes only protect against an OS crash; commits still wait for the WAL write, so
    // an immediate stop (a PostgreSQL crash) loses no acknowledged transaction.
    const options = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=100',
    ].join(' ');
    await runTool('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-w', '-o', options, 'start']);
    this.running = true;
  }

  /** `fast`: a clean shutdown that ends every session; `immediate`: the server processes die as in a crash. */
  async stop(mode: StopMode = 'fast'): Promise<void> {
    await runTool('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
    this.running = false;
  }

  async destroy(): Promise<void> {
    if (this.running || existsSync(join(this.dataDir, 'postmaster.pid'))) {
      await this.stop('immediate').catch(() => undefined);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
