import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HUB_UNBUNDLED_MAIN } from '../build.js';
import { sendOnce } from '../load/sample.js';
import { runWrk } from '../load/wrk.js';
import type { PlanInputs, Scenario } from '../scenarios.js';
import { type ServerStart, startServer } from '../server-process.js';
import {
  type CpuProfile,
  monotonicUs,
  type ProfileSummary,
  type ProfileWindow,
  summariseProfile,
} from './cpu-profile.js';

export interface ProfileResult {
  scenario: string;
  file: string;
  rps: number;
  /** Size of one answer's body. */
  bodyBytes: number;
  summary: ProfileSummary;
}

/**
 * Starts a second hub with `--cpu-prof` on the same database, runs one scenario against it, stops it (the hub
 * exits normally after its shutdown, so the profile gets written) and summarises the
 * samples taken while the measured load ran.
 */
export async function profileScenario(
  hub: ServerStart,
  scenario: Scenario,
  inputs: PlanInputs,
  timing: { seconds: number; warmupSeconds: number },
  directory: string,
  workDir: string,
): Promise<ProfileResult> {
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  const server = await startServer({
    ...hub,
    // The unbundled build: the same code, but each function keeps the file and package it comes from, which
    // is what the summary sorts by (dist/hub.mjs would put everything in one file).
    main: HUB_UNBUNDLED_MAIN,
    name: 'hub (profiled)',
    nodeArgs: [...(hub.nodeArgs ?? []), '--cpu-prof', '--cpu-prof-dir', directory],
  });
  let rps: number;
  let bodyBytes: number;
  let window: ProfileWindow;
  try {
    const plan = scenario.plan(inputs);
    bodyBytes = Buffer.byteLength((await sendOnce(server.base, plan[0])).text);
    const load = { base: server.base, plan, connections: scenario.connections, threads: scenario.threads, workDir };
    // A warm-up first, so that the summary shows optimised code under load rather than start-up and JIT.
    await runWrk({ ...load, seconds: timing.warmupSeconds });
    const startUs = monotonicUs();
    const result = await runWrk({ ...load, seconds: timing.seconds });
    window = { startUs, endUs: monotonicUs() };
    rps = result.requests / result.seconds;
  } finally {
    await server.stop();
  }
  const [file] = (await readdir(directory)).filter((name) => name.endsWith('.cpuprofile'));
  if (!file) {
    throw new Error(`the profiled hub wrote no .cpuprofile:\n${server.stderr()}`);
  }
  const profile = JSON.parse(await readFile(join(directory, file), 'utf8')) as CpuProfile;
  return {
    scenario: scenario.id,
    file: join(directory, file),
    rps,
    bodyBytes,
    summary: summariseProfile(profile, window),
  };
}
