import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServerStart } from './server-process.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
// Inside the project, so the compiled files resolve node_modules.
const BENCH_BUILD_DIR = join(ROOT, 'node_modules', '.cache', 'ananta-bench');

/** What `npm start` runs (`node <flags> dist/hub.mjs`), read from package.json so the two cannot differ. */
function startCommand(): { nodeArgs: string[]; main: string } {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = manifest.scripts.start.split(/\s+/);
  const main = args.pop();
  if (node !== 'node' || !main) {
    throw new Error(`npm start is not "node [flags] <file>": ${manifest.scripts.start}`);
  }
  return { nodeArgs: args, main: join(ROOT, main) };
}
const START = startCommand();
export const HUB_MAIN = START.main;
export const HUB_NODE_ARGS = START.nodeArgs;
/**
 * The hub as the runner starts it: in production mode and without the scheduler, so callbacks of the
 * status-change pool stay in the outbox and are never sent.
 */
export const hubServer = (name: string, env: Record<string, string>): ServerStart => ({
  name,
  main: HUB_MAIN,
  nodeArgs: HUB_NODE_ARGS,
  readyPath: '/api/ready',
  env: { NODE_ENV: 'production', SCHEDULER_ENABLED: 'false', ...env },
});
/** The same hub as separate compiled files, for CPU profiles that attribute time to packages. */
export const HUB_UNBUNDLED_MAIN = join(ROOT, 'dist', 'main.js');
export const BASELINE_MAIN = join(BENCH_BUILD_DIR, 'bench', 'baseline', 'server.js');

/**
 * Always builds: the hub with `npm run build` (dist/ must match the sources being measured), and the
 * baseline with tsc, so neither server runs through a TypeScript loader.
 */
export async function buildServers(): Promise<void> {
  await run('npm', ['run', 'build'], { cwd: ROOT });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const options = ['--outDir', BENCH_BUILD_DIR, '--rootDir', ROOT, '--module', 'nodenext'];
  options.push('--moduleResolution', 'nodenext', '--target', 'es2023', '--types', 'node');
  options.push('--skipLibCheck', '--esModuleInterop', '--strict');
  const sources = ['bench/baseline/server.ts'];
  await run(process.execPath, [tsc, '--ignoreConfig', ...sources, ...options], { cwd: ROOT });
}
