import { describe, expect, it } from '@jest/globals';
import { holdsUnpairedSurrogate, nestsDeeperThan } from './json-body.js';

const arrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe(nestsDeeperThan.name, () => {
  it('counts objects and arrays alike, up to the limit inclusive', () => {
    expect(nestsDeeperThan(arrays(3), 3)).toBe(false);
    expect(nestsDeeperThan(arrays(4), 3)).toBe(true);
    expect(nestsDeeperThan('{"a":{"b":[{}]}}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":{"b":[{}]}}', 3)).toBe(true);
  });

  it('measures the deepest point, not the number of containers', () => {
    expect(nestsDeeperThan(`[${Array.from({ length: 1000 }, () => '[1]').join(',')}]`, 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(`["${'['.repeat(100)}"]`, 1)).toBe(false);
    expect(nestsDeeperThan(`["\\"${'{'.repeat(100)}\\\\"]`, 1)).toBe(false);
    expect(nestsDeeperThan(`["\\\\", ${arrays(3)}]`, 3)).toBe(true);
  });

  it('leaves text that is not JSON to the parser', () => {
    expect(nestsDeeperThan('not json', 1)).toBe(false);
    expect(nestsDeeperThan('', 1)).toBe(false);
  });
});

describe(holdsUnpairedSurrogate.name, () => {
  it('finds an unpaired high or low surrogate in any string or key, at any depth', () => {
    expect(holdsUnpairedSurrogate(JSON.parse('"\\ud800"'))).toBe(true);
    expect(holdsUnpairedSurrogate(JSON.parse('{"a":[1,{"b":"x\\udfffy"}]}'))).toBe(true);
    expect(holdsUnpairedSurrogate(JSON.parse('{"\\udc00\\ud800":1}'))).toBe(true);
  });

  it('accepts surrogate pairs (characters beyond the BMP) and values without strings', () => {
    expect(holdsUnpairedSurrogate(JSON.parse('{"emoji":"\\ud83d\\ude00 💥"}'))).toBe(false);
    expect(holdsUnpairedSurrogate([1, true, null, { a: 2 }])).toBe(false);
  });
});
