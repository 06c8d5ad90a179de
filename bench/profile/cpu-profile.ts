/** Reads a V8 `.cpuprofile` (node --cpu-prof) and says where the hub's main thread spent its time. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** First match wins: the guard's libraries before Nest's, JSON before fastify (fast-json-stringify). */
const CATEGORIES: Array<[string, (url: string, name: string) => boolean]> = [
  ['GC', (_url, name) => name === '(garbage collector)'],
  ['idle', (_url, name) => name === '(idle)'],
  ['validation (class-validator)', (url) => url.includes('/node_modules/class-validator/')],
  ['transformation (class-transformer)', (url) => url.includes('/node_modules/class-transformer/')],
  ['TypeORM (query building, hydration)', (url) => url.includes('/node_modules/typeorm/')],
  ['pg driver', (url) => /\/node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-[a-z]+)\//.test(url)],
  [
    'logging (pino)',
    (url) => /\/node_modules\/(pino[^/]*|@pinojs\/[^/]+|sonic-boom|fast-redact|on-exit-leak-free)\//.test(url),
  ],
  [
    'guard (passport, jsonwebtoken)',
    (url) => /\/node_modules\/(passport[^/]*|@nestjs\/passport|@nestjs\/jwt|jsonwebtoken|jws|jwa)\//.test(url),
  ],
  ['Nest (router, interceptors, rxjs)', (url) => /\/node_modules\/(@nestjs\/[^/]+|rxjs)\//.test(url)],
  [
    'JSON serialisation',
    (url, name) => (url === '' && (name === 'stringify' || name === 'parse')) || url.includes('/fast-json-stringify/'),
  ],
  ['fastify', (url) => /\/node_modules\/(fastify|@fastify\/[^/]+|find-my-way|avvio|light-my-request)\//.test(url)],
  ['hub code (dist/)', (url) => url.includes('/dist/')],
  // Native socket writes have no URL; they are the end of Node's stream and net code.
  ['Node core (net, http, streams)', (url, name) => url.startsWith('node:') || (url === '' && /^write/.test(name))],
];
const OTHER = 'other (V8 builtins, program, other packages)';

const categoryOf = (url: string, name: string): string =>
  CATEGORIES.find(([, matches]) => matches(url, name))?.[0] ?? OTHER;

export interface ProfileSummary {
  sampledMs: number;
  categories: Array<{ category: string; selfMs: number; share: number }>;
  topFunctions: Array<{ name: string; location: string; category: string; selfMs: number; share: number }>;
}

const TOP_FUNCTIONS = 25;

/** A stretch of the profile on the monotonic clock in µs (V8 profiles and `process.hrtime` share it). */
export interface ProfileWindow {
  startUs: number;
  endUs: number;
}

export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * Self time per category and the functions with the most self time (timeDeltas are µs before each sample),
 * counting only samples inside `window` when given: the load, without the start-up of the process.
 */
export function summariseProfile(profile: CpuProfile, window?: ProfileWindow): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (!window || (at >= window.startUs && at <= window.endUs)) {
      selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
    }
  });
  const total = [...selfUs.values()].reduce((sum, us) => sum + us, 0);
  const categories = new Map<string, number>();
  const functions = new Map<string, { name: string; location: string; category: string; us: number }>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const category = categoryOf(url, functionName);
    categories.set(category, (categories.get(category) ?? 0) + us);
    const location = url
      ? `${url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}:${lineNumber + 1}`
      : '';
    const key = `${functionName}@${location}`;
    const entry = functions.get(key) ?? { name: functionName || '(anonymous)', location, category, us: 0 };
    entry.us += us;
    functions.set(key, entry);
  }
  const share = (us: number): number => (total ? us / total : 0);
  return {
    sampledMs: total / 1000,
    categories: [...categories]
      .map(([category, us]) => ({ category, selfMs: us / 1000, share: share(us) }))
      .sort((a, b) => b.selfMs - a.selfMs),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, TOP_FUNCTIONS)
      .map((entry) => ({ ...entry, selfMs: entry.us / 1000, share: share(entry.us) })),
  };
}

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

/** The summary as Markdown: categories (busy time only, idle listed apart), then the top functions. */
export function profileMarkdown(summary: ProfileSummary): string {
  const idle = summary.categories.find((row) => row.category === 'idle')?.selfMs ?? 0;
  const busyMs = summary.sampledMs - idle;
  const lines = [
    `Sampled ${(summary.sampledMs / 1000).toFixed(1)} s of the main thread, ${(busyMs / 1000).toFixed(1)} s busy ` +
      `(${percent(busyMs / summary.sampledMs)}); shares below are of the busy time.`,
    '',
    '| category | self ms | share of busy |',
    '| --- | ---: | ---: |',
    ...summary.categories
      .filter((row) => row.category !== 'idle')
      .map((row) => `| ${row.category} | ${row.selfMs.toFixed(0)} | ${percent(row.selfMs / busyMs)} |`),
    '',
    '| function | where | category | self ms | share of busy |',
    '| --- | --- | --- | ---: | ---: |',
    ...summary.topFunctions
      .filter((row) => row.category !== 'idle')
      .map(
        (row) =>
          `| \`${row.name}\` | ${row.location || '(native)'} | ${row.category} | ${row.selfMs.toFixed(0)} | ${percent(row.selfMs / busyMs)} |`,
      ),
  ];
  return `${lines.join('\n')}\n`;
}
