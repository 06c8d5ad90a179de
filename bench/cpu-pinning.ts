import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminQuery } from '../test/utils/test-database.js';

/** The server under test runs alone on this core; load generator, runner and PostgreSQL share the other. */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

/** The process's CPU mask, or undefined when it ended in between (a backend of a closed connection). */
function affinity(pid: number): string | undefined {
  try {
    return /affinity mask: ([0-9a-f]+)/.exec(
      execFileSync('taskset', ['-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    )?.[1];
  } catch {
    return undefined;
  }
}

const setAffinity = (pid: number, args: string[]): void => {
  try {
    execFileSync('taskset', ['-a', '-p', ...args, String(pid)], { stdio: 'ignore' });
  } catch {
    // The process ended in between: nothing left to pin or restore.
  }
};

function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // Field 4 of /proc/<pid>/stat is the parent pid; the command name before it may contain spaces.
        const stat = readFileSync(join('/proc', pid, 'stat'), 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Pins this process (the runner) to the load core. */
export function pinSelfToLoadCore(): void {
  setAffinity(process.pid, ['-c', String(LOAD_CPU)]);
}

export interface PostgresPinning {
  postmaster: number;
  restore(): void;
}

/**
 * Pins the running PostgreSQL to the load core: the postmaster (so every backend it forks from now on) and
 * its current children. `restore()` puts back the masks it found, and gives processes forked meanwhile the
 * postmaster's original mask; it is synchronous so that it can also run from an exit or signal handler.
 */
export async function pinPostgres(): Promise<PostgresPinning> {
  const [{ data_directory: dataDirectory }] = await adminQuery<{ data_directory: string }>('SHOW data_directory');
  const postmaster = Number(readFileSync(join(dataDirectory, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const original = new Map<number, string>();
  for (const pid of [postmaster, ...childrenOf(postmaster)]) {
    const mask = affinity(pid);
    if (mask === undefined) {
      continue;
    }
    original.set(pid, mask);
    setAffinity(pid, ['-c', String(LOAD_CPU)]);
  }
  let restored = false;
  return {
    postmaster,
    restore: () => {
      if (restored) {
        return;
      }
      restored = true;
      const postmasterMask = original.get(postmaster);
      if (postmasterMask === undefined) {
        return;
      }
      setAffinity(postmaster, [postmasterMask]);
      for (const pid of childrenOf(postmaster)) {
        setAffinity(pid, [original.get(pid) ?? postmasterMask]);
      }
    },
  };
}
