import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
// Inside the project, so the compiled files resolve node_modules like dist/ does.
const BUILD_ROOT = join(ROOT, 'node_modules', '.cache', 'ananta-hub-test-build');
const BUILDING = '.building-';

/** A hash of everything the compiled hub is made of: its sources (not their tests) and the build settings. */
async function buildInputsHash(): Promise<string> {
  const hash = createHash('sha256');
  const sources = (await readdir(join(ROOT, 'src'), { recursive: true }))
    .filter((file) => file.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(file))
    .sort();
  for (const file of [...sources.map((source) => join('src', source)), 'tsconfig.json', 'tsconfig.build.json']) {
    hash.update(file).update(await readFile(join(ROOT, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Compiles the hub for tests that need real processes (10 to 40 s), once per state of its sources: every test
 * file after the first reuses the build. Each build is compiled under a temporary name and renamed when
 * complete, so a test never starts a half-written one, even when several test files build at once.
 */
export async function buildHub(): Promise<string> {
  const hash = await buildInputsHash();
  const dir = join(BUILD_ROOT, hash);
  const main = join(dir, 'main.js');
  if (existsSync(main)) {
    return main;
  }
  const building = `${dir}${BUILDING}${process.pid}`;
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', building], { cwd: ROOT });
  // Fails when another test file finished the same build first; theirs is as good.
  await rename(building, dir).catch(() => rm(building, { recursive: true, force: true }));
  for (const entry of await readdir(BUILD_ROOT)) {
    if (entry !== hash && !entry.includes(BUILDING)) {
      await rm(join(BUILD_ROOT, entry), { recursive: true, force: true });
    }
  }
  return main;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface HubProcess {
  base: string;
  output: () => string;
  /** SIGTERM: the graceful shutdown of SPEC section 10. */
  stop(): Promise<void>;
  /** SIGKILL: the process dies on the spot, in the middle of whatever it was doing. */
  kill(): Promise<void>;
}

/** Starts one hub process on the given database and waits until it is ready. */
export async function startHubProcess(main: string, env: Record<string, string>): Promise<HubProcess> {
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    if ((await fetch(`${base}/api/ready`).catch(() => undefined))?.ok) {
      break;
    }
    if (attempt > 150 || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`hub process did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    base,
    output: () => output,
    stop: () => signal(child, 'SIGTERM'),
    kill: () => signal(child, 'SIGKILL'),
  };
}

async function signal(child: ChildProcess, name: NodeJS.Signals): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(name);
    await exited;
  }
}

/** A fresh random secret (SECRET_KEY and the like) for a hub process. */
export const processSecret = (): string => randomBytes(48).toString('base64url');
