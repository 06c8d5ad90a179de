import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SERVER_CPU } from './cpu-pinning.js';

/** A server under test: the hub or the baseline, pinned to the server core. */
export interface ServerProcess {
  name: string;
  pid: number;
  base: string;
  /** From spawn to the first successful answer of its readiness path. */
  startToReadyMs: number;
  stderr(): string;
  stop(): Promise<void>;
}

export interface ServerStart {
  name: string;
  main: string;
  env: Record<string, string>;
  /** `/api/ready` for the hub (database and migrations), `/api/health` for the baseline. */
  readyPath: string;
  nodeArgs?: string[];
  /** How long to wait for readiness; the embedded database's first start (migrations in WASM) is slow. */
  readyTimeoutMs?: number;
}

const READY_POLL_MS = 10;
const READY_TIMEOUT_MS = 60_000;
const STDERR_KEPT = 64 * 1024;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node <main>` under `taskset -c <server core>` (taskset execs node, so the pid is node's) and polls
 * the readiness path every 10 ms. Standard output (the hub's one access-log line per request) goes to
 * /dev/null: the hub still formats and writes every line, nothing on the load core has to read them.
 */
export async function startServer(start: ServerStart): Promise<ServerProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let stderr = '';
  const started = performance.now();
  const child: ChildProcess = spawn(
    'taskset',
    ['-c', String(SERVER_CPU), process.execPath, ...(start.nodeArgs ?? []), start.main],
    {
      env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ...start.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (;;) {
    if ((await fetch(`${base}${start.readyPath}`).catch(() => undefined))?.ok) {
      break;
    }
    if (child.exitCode !== null || performance.now() - started > (start.readyTimeoutMs ?? READY_TIMEOUT_MS)) {
      child.kill('SIGKILL');
      throw new Error(`${start.name} did not become ready:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  return {
    name: start.name,
    pid: child.pid!,
    base,
    startToReadyMs: performance.now() - started,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** Resident set size of a process in MiB (VmRSS of /proc/<pid>/status). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** CPU time a process used so far, in clock ticks (utime + stime, all threads). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy and total ticks of each core, from /proc/stat. */
export function coreTicks(): Array<{ busy: number; total: number }> {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => {
      const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
      const busy = user + nice + system + irq + softirq + steal;
      return { busy, total: busy + idle + iowait };
    });
}

/** Samples a process's RSS every 200 ms while a load runs; `stop()` gives the highest value seen. */
export function sampleRss(pid: number): { stop(): number } {
  let max = rssMb(pid);
  const timer = setInterval(() => {
    try {
      max = Math.max(max, rssMb(pid));
    } catch {
      // The process ended; the run will report its errors.
    }
  }, 200);
  return {
    stop: () => {
      clearInterval(timer);
      return max;
    },
  };
}
