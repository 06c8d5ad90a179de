import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
// Inside the project, so the compiled files resolve node_modules like dist/ does.
const BUILD_DIR = join(ROOT, 'node_modules', '.cache', 'ananta-hub-test-build');

/** Compiles the hub once for tests that need real processes (about 10 s). */
export async function buildHub(): Promise<string> {
  await run(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR],
    {
      cwd: ROOT,
    },
  );
  return join(BUILD_DIR, 'main.js');
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
