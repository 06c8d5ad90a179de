import { describe, expect, it } from '@jest/globals';
import { AGENT_DEFAULT_SCOPES } from '../auth/scopes.js';
import { ValidationFailedError } from '../errors/domain-errors.js';
import { callerScope, canonicalJson, parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';

describe(parseIdempotencyKey.name, () => {
  it('treats an absent header as no key', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it('accepts 1 to 255 visible ASCII characters as they are', () => {
    expect(parseIdempotencyKey('a')).toBe('a');
    expect(parseIdempotencyKey('!~')).toBe('!~');
    expect(parseIdempotencyKey('k'.repeat(255))).toBe('k'.repeat(255));
    expect(parseIdempotencyKey('2f1c0a8e-6f0e-4c2b-9a55-3a1f0c6d9e21')).toBe('2f1c0a8e-6f0e-4c2b-9a55-3a1f0c6d9e21');
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a space', 'a b'],
    ['a tab', 'a\tb'],
    ['non-ASCII', 'schlüssel'],
    ['a control character', 'a\u0001'],
    ['DEL', 'a\u007f'],
    ['a repeated header, as Node joins it', 'one, two'],
  ])('refuses %s with validation_failed naming the header', (_what, value) => {
    let refusal: unknown;
    try {
      parseIdempotencyKey(value);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ValidationFailedError);
    expect((refusal as ValidationFailedError).details).toEqual([
      { field: 'Idempotency-Key', message: expect.stringContaining('1 to 255 visible ASCII') as unknown },
    ]);
  });

  it('refuses a header given as a list', () => {
    expect(() => parseIdempotencyKey(['a', 'b'])).toThrow(ValidationFailedError);
  });
});

describe(canonicalJson.name, () => {
  it('sorts keys at every depth and leaves array order alone', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: 0, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,1,{"y":null,"z":0}]},"b":1}',
    );
  });

  it('writes scalars and strings as JSON does', () => {
    expect(canonicalJson('a"\u00e9\n')).toBe(JSON.stringify('a"\u00e9\n'));
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(null)).toBe('null');
  });

  it('writes no body as null and leaves out undefined members, as JSON.stringify does', () => {
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });
});

describe(requestFingerprint.name, () => {
  it('is the same for the same value in any key order', () => {
    expect(requestFingerprint({ title: 't', priority: 'high', tags: ['a'] })).toBe(
      requestFingerprint(JSON.parse('{ "tags": ["a"],  "priority": "high", "title": "t" }')),
    );
  });

  it('differs for any change of a value, of array order or of type', () => {
    const base = requestFingerprint({ title: 't', tags: ['a', 'b'] });
    expect(requestFingerprint({ title: 'u', tags: ['a', 'b'] })).not.toBe(base);
    expect(requestFingerprint({ title: 't', tags: ['b', 'a'] })).not.toBe(base);
    expect(requestFingerprint({ title: 't', tags: ['a', 'b'], extra: null })).not.toBe(base);
    expect(requestFingerprint({ n: 1 })).not.toBe(requestFingerprint({ n: '1' }));
  });

  it('is a SHA-256 in hex', () => {
    expect(requestFingerprint({})).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});

describe(callerScope.name, () => {
  it('is the principal for authenticated callers, whatever their address or credential header', () => {
    expect(callerScope({ kind: 'user', id: 'u-1', username: 'a', role: 'user' }, '10.0.0.1', 'd')).toBe('user:u-1');
    expect(callerScope({ kind: 'agent', id: 'a-1', name: 'w', scopes: AGENT_DEFAULT_SCOPES }, '10.0.0.1')).toBe(
      'agent:a-1',
    );
    expect(callerScope({ kind: 'hub-token', id: 'hub-token' }, '10.0.0.2')).toBe('hub-token:hub-token');
  });

  it('is the address and the credential digest for anonymous callers', () => {
    const anonymous = { kind: 'anonymous', id: 'anonymous' } as const;
    expect(callerScope(anonymous, '10.0.0.1', 'digest')).toBe('anonymous:10.0.0.1:digest');
    expect(callerScope(anonymous, '10.0.0.1')).toBe('anonymous:10.0.0.1:-');
    expect(callerScope(anonymous, '10.0.0.1', 'other')).not.toBe(callerScope(anonymous, '10.0.0.1', 'digest'));
    expect(callerScope(anonymous, '10.0.0.2', 'digest')).not.toBe(callerScope(anonymous, '10.0.0.1', 'digest'));
  });
});
