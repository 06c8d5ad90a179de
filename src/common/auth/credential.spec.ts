import { describe, expect, it } from '@jest/globals';
import type { AuthenticatedRequest } from './authenticated-request.js';
import { extractCredential } from './credential.js';

interface FakeRequest {
  headers: Record<string, string | undefined>;
  query: Record<string, unknown>;
}

const fakeRequest = (headers: FakeRequest['headers'] = {}, query: FakeRequest['query'] = {}): FakeRequest => ({
  headers,
  query,
});

const extract = (request: FakeRequest, allowQueryToken = false): string | undefined =>
  extractCredential(request as unknown as AuthenticatedRequest, allowQueryToken);

describe(extractCredential.name, () => {
  describe('Authorization header', () => {
    it('takes the token of a Bearer header', () => {
      expect(extract(fakeRequest({ authorization: 'Bearer abc.def.ghi' }))).toBe('abc.def.ghi');
    });

    it.each(['bearer abc', 'BEARER abc', 'BeArEr abc'])('accepts the scheme in any case (%p)', (header) => {
      expect(extract(fakeRequest({ authorization: header }))).toBe('abc');
    });

    it('tolerates extra spaces and tabs around the token', () => {
      expect(extract(fakeRequest({ authorization: 'Bearer    abc   ' }))).toBe('abc');
      expect(extract(fakeRequest({ authorization: 'Bearer\tabc\t' }))).toBe('abc');
    });

    it.each(['Basic dXNlcjpwYXNz', 'Token abc', 'Bearer', 'Bearer ', 'Bearerabc', 'Bearer abc def', 'abc'])(
      'returns undefined for %p',
      (header) => {
        expect(extract(fakeRequest({ authorization: header }))).toBeUndefined();
      },
    );

    it('returns undefined without any credential', () => {
      expect(extract(fakeRequest(), true)).toBeUndefined();
    });
  });

  describe('?token= query parameter', () => {
    it('is used when allowed and no Authorization header is present', () => {
      expect(extract(fakeRequest({}, { token: 'from-query' }), true)).toBe('from-query');
    });

    it('is ignored when not allowed', () => {
      expect(extract(fakeRequest({}, { token: 'from-query' }), false)).toBeUndefined();
    });

    it('loses to the Authorization header', () => {
      expect(extract(fakeRequest({ authorization: 'Bearer from-header' }, { token: 'from-query' }), true)).toBe(
        'from-header',
      );
    });

    it('is not a fallback for a malformed Authorization header', () => {
      expect(extract(fakeRequest({ authorization: 'Basic xyz' }, { token: 'from-query' }), true)).toBeUndefined();
    });

    it('is ignored when repeated (an array, not a string)', () => {
      expect(extract(fakeRequest({}, { token: ['a', 'b'] }), true)).toBeUndefined();
    });

    it('is ignored when empty', () => {
      expect(extract(fakeRequest({}, { token: '' }), true)).toBeUndefined();
    });

    it.each<[string, FakeRequest, boolean]>([
      ['allowed and used', fakeRequest({}, { token: 't', limit: '5' }), true],
      ['not allowed', fakeRequest({}, { token: 't', limit: '5' }), false],
      ['overridden by the header', fakeRequest({ authorization: 'Bearer h' }, { token: 't', limit: '5' }), true],
      ['not a string', fakeRequest({}, { token: ['t'], limit: '5' }), true],
    ])('is deleted from the query when %s', (_case, request, allowQueryToken) => {
      extract(request, allowQueryToken);

      expect(request.query).toEqual({ limit: '5' });
      expect('token' in request.query).toBe(false);
    });

    it('copes with a request without a query object', () => {
      const request = { headers: { authorization: 'Bearer abc' } } as unknown as AuthenticatedRequest;

      expect(extractCredential(request, true)).toBe('abc');
    });
  });

  describe('length limit', () => {
    it('accepts a credential of exactly 4096 characters', () => {
      const token = 'a'.repeat(4096);

      expect(extract(fakeRequest({ authorization: `Bearer ${token}` }))).toBe(token);
    });

    it('rejects a header credential longer than 4096 characters', () => {
      expect(extract(fakeRequest({ authorization: `Bearer ${'a'.repeat(4097)}` }))).toBeUndefined();
    });

    it('rejects a query credential longer than 4096 characters', () => {
      expect(extract(fakeRequest({}, { token: 'a'.repeat(4097) }), true)).toBeUndefined();
    });
  });
});
