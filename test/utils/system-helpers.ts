import { expect } from '@jest/globals';

// ---------------------------------------------------------------------------------------------------------
// Config store
// ---------------------------------------------------------------------------------------------------------

export interface ConfigEntry {
  key: string;
  value: unknown;
  updatedAt: string;
}

/** An ISO 8601 instant as `Date.prototype.toISOString` writes it. */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Asserts the exact `{key, value, updatedAt}` shape of a config entry and returns it typed. */
export function expectConfigEntry(data: unknown, key: string, value: unknown): ConfigEntry {
  expect(data).toEqual({ key, value, updatedAt: expect.stringMatching(ISO_INSTANT) });
  return data as ConfigEntry;
}

// ---------------------------------------------------------------------------------------------------------
// Stats
// ---------------------------------------------------------------------------------------------------------

export interface Counts {
  total: number;
  byStatus: Record<string, number>;
}

export interface Stats {
  agents: Counts;
  tasks: Counts;
  scheduler: { enabled: boolean; schedules: number; enabledSchedules: number };
  process: { uptime: number; rssBytes: number; heapUsedBytes: number; eventLoopLagMs: number };
}

export interface StatsSnapshot {
  takenAt: string;
  stats: Stats;
}

const isCount = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;

function expectCounts(counts: unknown, where: string): void {
  expect({ where, keys: Object.keys(counts as object).sort() }).toEqual({ where, keys: ['byStatus', 'total'] });
  const { total, byStatus } = counts as Counts;
  expect({ where, totalIsCount: isCount(total) }).toEqual({ where, totalIsCount: true });
  expect(typeof byStatus).toBe('object');
  for (const [status, count] of Object.entries(byStatus)) {
    expect({ where, status, isCount: isCount(count) }).toEqual({ where, status, isCount: true });
  }
  const sum = Object.values(byStatus).reduce((acc, count) => acc + count, 0);
  expect({ where, total }).toEqual({ where, total: sum });
}

/** Asserts the exact shape of `/api/stats` (and of a snapshot's `stats`): every key, every type. */
export function expectStatsShape(stats: unknown): asserts stats is Stats {
  expect(Object.keys(stats as object).sort()).toEqual(['agents', 'process', 'scheduler', 'tasks']);
  const value = stats as Stats;
  expectCounts(value.agents, 'agents');
  expectCounts(value.tasks, 'tasks');
  expect(Object.keys(value.scheduler).sort()).toEqual(['enabled', 'enabledSchedules', 'schedules']);
  expect(typeof value.scheduler.enabled).toBe('boolean');
  expect(isCount(value.scheduler.schedules)).toBe(true);
  expect(isCount(value.scheduler.enabledSchedules)).toBe(true);
  expect(value.scheduler.enabledSchedules).toBeLessThanOrEqual(value.scheduler.schedules);
  expect(Object.keys(value.process).sort()).toEqual(['eventLoopLagMs', 'heapUsedBytes', 'rssBytes', 'uptime']);
  const { uptime, rssBytes, heapUsedBytes, eventLoopLagMs } = value.process;
  for (const [name, number] of Object.entries({ uptime, rssBytes, heapUsedBytes, eventLoopLagMs })) {
    expect({ name, finiteAndNotNegative: Number.isFinite(number) && number >= 0 }).toEqual({
      name,
      finiteAndNotNegative: true,
    });
  }
  expect(Number.isInteger(rssBytes) && rssBytes > 0).toBe(true);
  expect(Number.isInteger(heapUsedBytes) && heapUsedBytes > 0).toBe(true);
}

/** The statuses with a non-zero count (an implementation may or may not list zero counts). */
export const nonZero = (byStatus: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(byStatus).filter(([, count]) => count !== 0));

// ---------------------------------------------------------------------------------------------------------
// Prometheus text exposition format (version 0.0.4), parsed strictly
// ---------------------------------------------------------------------------------------------------------

export type PromType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PromSample {
  /** The sample's own name (for histograms `x_bucket`, `x_sum`, `x_count`). */
  name: string;
  /** The family it belongs to (the name of its TYPE line, or its own name when untyped). */
  family: string;
  labels: Record<string, string>;
  value: number;
  line: number;
}

export interface PromFamily {
  name: string;
  help?: string;
  type?: PromType;
  samples: PromSample[];
}

export interface PromExposition {
  families: Map<string, PromFamily>;
  samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TYPES: readonly PromType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

export class PromParseError extends Error {
  constructor(line: number, text: string, reason: string) {
    super(`line ${line}: ${reason}: ${JSON.stringify(text)}`);
  }
}

/** A sample value: a decimal or exponent float, or NaN, +Inf, -Inf. */
export function parsePromValue(text: string): number | undefined {
  switch (text) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    default:
      return NUMBER.test(text) ? Number(text) : undefined;
  }
}

/** HELP text: any characters, with `\\` and `\n` the only escapes. */
function unescapeHelp(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] !== '\\') {
      out += text[i];
      continue;
    }
    const next = text[i + 1];
    if (next === '\\') {
      out += '\\';
    } else if (next === 'n') {
      out += '\n';
    } else {
      return undefined;
    }
    i += 1;
  }
  return out;
}

/**
 * `{a="x",b="y\"z"}` starting at `start` (the `{`): returns the labels and the index after `}`, or a reason.
 * Label values may contain any character but `"`, `\` and a line feed unescaped; escapes are `\\`, `\"`, `\n`.
 */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } | string {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    if (line[i] === '}') {
      return { labels, end: i + 1 };
    }
    const nameMatch = /^[^=]*/.exec(line.slice(i))![0];
    if (!LABEL_NAME.test(nameMatch)) {
      return `invalid label name ${JSON.stringify(nameMatch)}`;
    }
    if (Object.hasOwn(labels, nameMatch)) {
      return `duplicate label ${nameMatch}`;
    }
    i += nameMatch.length;
    if (line[i] !== '=' || line[i + 1] !== '"') {
      return `label ${nameMatch} is not followed by ="`;
    }
    i += 2;
    let value = '';
    for (;;) {
      const char = line[i];
      if (char === undefined) {
        return `unterminated value of label ${nameMatch}`;
      }
      if (char === '"') {
        i += 1;
        break;
      }
      if (char === '\\') {
        const next = line[i + 1];
        if (next === '\\' || next === '"') {
          value += next;
        } else if (next === 'n') {
          value += '\n';
        } else {
          return `invalid escape in label ${nameMatch}`;
        }
        i += 2;
        continue;
      }
      value += char;
      i += 1;
    }
    labels[nameMatch] = value;
    if (line[i] === ',') {
      i += 1; // a trailing comma before `}` is allowed by the format
    } else if (line[i] !== '}') {
      return `expected , or } after label ${nameMatch}`;
    }
  }
}

/** The family a sample named `name` belongs to, given the declared types. */
function familyOf(name: string, declared: Map<string, PromFamily>): { family: string; suffix: string } {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const type = declared.get(base)?.type;
      if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) {
        return { family: base, suffix };
      }
    }
  }
  return { family: name, suffix: '' };
}

/**
 * Parses Prometheus text exposition strictly; throws `PromParseError` on the first violation. Every non-empty
 * line must be `# HELP name text`, `# TYPE name type` or a sample `name{labels} value` / `name value` (no other
 * comments, no timestamps); the text ends with a line feed; HELP and TYPE appear at most once per family and
 * before its samples; a family's lines form one group; samples match their family's type (histograms only
 * `_bucket` with `le`, `_sum`, `_count`; summaries the base name with `quantile`, `_sum`, `_count`); no two
 * samples have the same name and labels.
 */
export function parsePrometheusText(text: string): PromExposition {
  if (!text.endsWith('\n')) {
    throw new PromParseError(0, text.slice(-40), 'the exposition does not end with a line feed');
  }
  const families = new Map<string, PromFamily>();
  const samples: PromSample[] = [];
  const seenSeries = new Set<string>();
  const finished = new Set<string>();
  let current: string | undefined;
  const enter = (family: string, lineNo: number, line: string): PromFamily => {
    if (current !== family) {
      if (finished.has(family)) {
        throw new PromParseError(lineNo, line, `lines of ${family} are not in one group`);
      }
      if (current !== undefined) {
        finished.add(current);
      }
      current = family;
    }
    let entry = families.get(family);
    if (!entry) {
      entry = { name: family, samples: [] };
      families.set(family, entry);
    }
    return entry;
  };

  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') {
      return;
    }
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!meta) {
        throw new PromParseError(lineNo, line, 'a comment that is neither HELP nor TYPE');
      }
      const [, kind, name, rest = ''] = meta;
      if (!METRIC_NAME.test(name)) {
        throw new PromParseError(lineNo, line, 'invalid metric name');
      }
      const family = enter(name, lineNo, line);
      if (kind === 'HELP') {
        if (family.help !== undefined) {
          throw new PromParseError(lineNo, line, 'second HELP line');
        }
        const help = unescapeHelp(rest);
        if (help === undefined) {
          throw new PromParseError(lineNo, line, 'invalid escape in HELP text');
        }
        family.help = help;
      } else {
        if (family.type !== undefined) {
          throw new PromParseError(lineNo, line, 'second TYPE line');
        }
        if (!(TYPES as readonly string[]).includes(rest)) {
          throw new PromParseError(lineNo, line, 'unknown metric type');
        }
        if (family.samples.length > 0) {
          throw new PromParseError(lineNo, line, 'TYPE after samples of its family');
        }
        family.type = rest as PromType;
      }
      return;
    }

    const nameMatch = /^[^{\s]+/.exec(line);
    if (!nameMatch || !METRIC_NAME.test(nameMatch[0])) {
      throw new PromParseError(lineNo, line, 'invalid metric name');
    }
    const name = nameMatch[0];
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(rest, 0);
      if (typeof parsed === 'string') {
        throw new PromParseError(lineNo, line, parsed);
      }
      labels = parsed.labels;
      rest = rest.slice(parsed.end);
    }
    const valueMatch = /^[ \t]+(\S+)$/.exec(rest);
    if (!valueMatch) {
      throw new PromParseError(lineNo, line, 'expected exactly one value after the name and labels');
    }
    const value = parsePromValue(valueMatch[1]);
    if (value === undefined) {
      throw new PromParseError(lineNo, line, 'value is not a number, NaN, +Inf or -Inf');
    }

    const { family: familyName, suffix } = familyOf(name, families);
    const family = enter(familyName, lineNo, line);
    const type = family.type ?? 'untyped';
    if (type === 'histogram') {
      if (suffix === '') {
        throw new PromParseError(lineNo, line, 'a histogram sample without _bucket, _sum or _count');
      }
      if (suffix === '_bucket' && (labels.le === undefined || parsePromValue(labels.le) === undefined)) {
        throw new PromParseError(lineNo, line, 'a histogram bucket without a numeric le label');
      }
    }
    if (type === 'summary' && suffix === '' && labels.quantile === undefined) {
      throw new PromParseError(lineNo, line, 'a summary sample without quantile');
    }
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seenSeries.has(series)) {
      throw new PromParseError(lineNo, line, 'duplicate series');
    }
    seenSeries.add(series);
    const sample: PromSample = { name, family: familyName, labels, value, line: lineNo };
    family.samples.push(sample);
    samples.push(sample);
  });
  return { families, samples };
}

/** Samples named `name` whose labels include all of `labels`. */
export const samplesOf = (
  exposition: PromExposition,
  name: string,
  labels: Record<string, string> = {},
): PromSample[] =>
  exposition.samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
  );

/**
 * For one histogram family: per label set (without `le`), the buckets must be cumulative (non-decreasing in
 * `le`), include `+Inf`, and the `+Inf` bucket must equal `_count`; `_sum` must exist. Returns the problems.
 */
export function histogramProblems(exposition: PromExposition, family: string): string[] {
  const problems: string[] = [];
  const key = (labels: Record<string, string>): string =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([label]) => label !== 'le')
        .sort(),
    );
  const groups = new Map<string, PromSample[]>();
  for (const sample of samplesOf(exposition, `${family}_bucket`)) {
    const group = groups.get(key(sample.labels)) ?? [];
    group.push(sample);
    groups.set(key(sample.labels), group);
  }
  for (const [labels, buckets] of groups) {
    const sorted = [...buckets].sort((a, b) => parsePromValue(a.labels.le)! - parsePromValue(b.labels.le)!);
    for (let i = 1; i < sorted.length; i += 1) {
      if (sorted[i].value < sorted[i - 1].value) {
        problems.push(`${labels}: bucket le=${sorted[i].labels.le} is below le=${sorted[i - 1].labels.le}`);
      }
    }
    const inf = sorted.find((bucket) => bucket.labels.le === '+Inf');
    const count = exposition.samples.find((s) => s.name === `${family}_count` && key(s.labels) === labels);
    const sum = exposition.samples.find((s) => s.name === `${family}_sum` && key(s.labels) === labels);
    if (!inf) {
      problems.push(`${labels}: no +Inf bucket`);
    }
    if (!count) {
      problems.push(`${labels}: no _count`);
    } else if (inf && inf.value !== count.value) {
      problems.push(`${labels}: +Inf bucket ${inf.value} differs from _count ${count.value}`);
    }
    if (!sum) {
      problems.push(`${labels}: no _sum`);
    }
  }
  return problems;
}
