import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventStreamClient } from '../test/utils/event-stream-client.js';
import { processSecret } from '../test/utils/hub-processes.js';
import { createTestDatabase } from '../test/utils/test-database.js';
import { hubServer } from './build.js';
import { type LatencySummary, latencySummary } from './dispatch.js';
import { type ServerProcess, startServer } from './server-process.js';
import { median } from './statistics.js';

/** Streams open on instance A while writers create tasks on instance B, for this long per round. */
const SUBSCRIBERS = 100;
const WRITERS = 4;
const ROUND_SECONDS = 4;
const ROUNDS = 3;
const DRAIN_TIMEOUT_MS = 20_000;

/**
 * Event fan-out: `GET /api/events` streams on one hub instance while tasks are created on another, both on
 * one database. Baseline in the same run: the same writes with no stream open, rounds interleaved.
 */
export interface EventFanoutResult {
  subscribers: number;
  writers: number;
  rounds: number;
  /** Events delivered per second, summed over all streams (median of rounds). */
  deliveriesPerSecond: number;
  /** Tasks created per second while the streams were open, and without any (the baseline). */
  writesPerSecond: number;
  baselineWritesPerSecond: number;
  /** Writes with streams over writes without: what the fan-out costs the writers. */
  writeRatio: number;
  /** From sending `POST /api/tasks` on B to the event arriving on a stream from A. */
  latency: LatencySummary;
  /** Deliveries missing after the drain (must be 0: every stream gets every event). */
  missing: number;
}

export async function measureEventFanout(log: (line: string) => void): Promise<EventFanoutResult> {
  const database = await createTestDatabase();
  const agentToken = processSecret();
  const env = { DATABASE_URL: database.url, SECRET_KEY: processSecret(), AGENT_TOKEN: agentToken };
  const servers: ServerProcess[] = [];
  try {
    servers.push(await startServer(hubServer('hub A (event streams)', env)));
    servers.push(await startServer(hubServer('hub B (writes)', env)));
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const admin = { authorization: `Bearer ${agentToken}` };
    const withStreams: Array<{ deliveries: number; seconds: number; writes: number; latencies: number[] }> = [];
    const baseline: number[] = [];
    let missing = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const { sentAt } = await writeFor(b.base, admin, `baseline ${round}`);
      baseline.push(sentAt.size / ROUND_SECONDS);
      const streams = await Promise.all(
        Array.from({ length: SUBSCRIBERS }, () =>
          EventStreamClient.open(a.base, '/api/events?type=task.created', admin),
        ),
      );
      const started = performance.now();
      const writes = await writeFor(b.base, admin, `fan-out ${round}`);
      const expected = writes.sentAt.size;
      const drainUntil = performance.now() + DRAIN_TIMEOUT_MS;
      const received = (s: EventStreamClient) => s.messages.filter((m) => writes.sentAt.has(m.taskId!)).length;
      while (streams.some((s) => received(s) < expected) && performance.now() < drainUntil) {
        await sleep(20);
      }
      // A stream starts at the newest event whose order is final, which may be a little before it opened:
      // only this round's tasks count.
      const ofRound = streams.map((s) =>
        s.messages.flatMap((message, index) => {
          const sent = writes.sentAt.get(message.taskId!);
          return sent === undefined ? [] : [{ sent, received: s.receivedAt[index] }];
        }),
      );
      const lastDelivery = ofRound.flat().reduce((last, d) => Math.max(last, d.received), started);
      const latencies = ofRound.flat().map((d) => d.received - d.sent);
      const deliveries = latencies.length;
      missing += SUBSCRIBERS * expected - deliveries;
      for (const stream of streams) {
        stream.close();
      }
      withStreams.push({
        deliveries,
        seconds: (lastDelivery - started) / 1000,
        writes: expected / ROUND_SECONDS,
        latencies,
      });
      log(
        `events round ${round + 1}: ${deliveries} deliveries to ${SUBSCRIBERS} streams in ` +
          `${((lastDelivery - started) / 1000).toFixed(1)} s; writes ${(expected / ROUND_SECONDS).toFixed(0)}/s ` +
          `(baseline ${baseline[round].toFixed(0)}/s)`,
      );
    }
    const latencies = withStreams.flatMap((r) => r.latencies);
    const writesPerSecond = median(withStreams.map((r) => r.writes));
    const baselineWritesPerSecond = median(baseline);
    return {
      subscribers: SUBSCRIBERS,
      writers: WRITERS,
      rounds: ROUNDS,
      deliveriesPerSecond: median(withStreams.map((r) => r.deliveries / r.seconds)),
      writesPerSecond,
      baselineWritesPerSecond,
      writeRatio: median(withStreams.map((r, index) => r.writes / baseline[index])),
      latency: latencySummary(latencies),
      missing,
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await database.drop();
  }
}

/** WRITERS loops creating tasks for ROUND_SECONDS; when each create was sent, by task id. */
async function writeFor(
  base: string,
  admin: Record<string, string>,
  label: string,
): Promise<{ sentAt: Map<string, number> }> {
  const sentAt = new Map<string, number>();
  const until = performance.now() + ROUND_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, writer) => {
      for (let n = 0; performance.now() < until; n += 1) {
        const sent = performance.now();
        const response = await fetch(`${base}/api/tasks`, {
          method: 'POST',
          headers: { ...admin, 'content-type': 'application/json' },
          body: JSON.stringify({ title: `events ${label} ${writer}-${n}` }),
        });
        const { data } = (await response.json()) as { data: { id: string } };
        sentAt.set(data.id, sent);
      }
    }),
  );
  return { sentAt };
}
