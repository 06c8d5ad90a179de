import { describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { AgentTokenMatcher } from './agent-token.matcher.js';

const AGENT_TOKEN = 'agent-token-0123456789abcdefghijklmnop';
const AUDIENCE = 'ananta-hub';

const verifierFor = (agentToken: string | undefined): AgentTokenMatcher =>
  new AgentTokenMatcher(agentToken ? [{ token: agentToken }] : [], AUDIENCE);

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A JWT like an agent would build: HS256 over AGENT_TOKEN, audience the hub, expiring in five minutes. */
const agentJwt = (
  claims: Record<string, unknown> = {},
  secret: string = AGENT_TOKEN,
  algorithm: jwt.Algorithm = 'HS256',
): string => {
  const payload = Object.fromEntries(
    Object.entries({ sub: 'worker-1', aud: AUDIENCE, iat: nowSeconds(), exp: nowSeconds() + 300, ...claims }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  return jwt.sign(payload, secret, { algorithm });
};

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe(AgentTokenMatcher.name, () => {
  const sut = verifierFor(AGENT_TOKEN);

  describe('static token', () => {
    it('matches AGENT_TOKEN itself', () => {
      expect(sut.matches(AGENT_TOKEN)).toBe(true);
    });

    it('rejects a different token of the same length', () => {
      const wrong = `${AGENT_TOKEN.slice(0, -1)}${AGENT_TOKEN.endsWith('z') ? 'y' : 'z'}`;

      expect(wrong).toHaveLength(AGENT_TOKEN.length);
      expect(sut.matches(wrong)).toBe(false);
    });

    it('rejects a prefix of the token', () => {
      expect(sut.matches(AGENT_TOKEN.slice(0, -1))).toBe(false);
    });

    it('rejects the token with one more character', () => {
      expect(sut.matches(`${AGENT_TOKEN}x`)).toBe(false);
    });

    it('rejects the empty string', () => {
      expect(sut.matches('')).toBe(false);
    });

    it('matches a static AGENT_TOKEN that contains two dots', () => {
      const dotted = 'hub.agent.token-0123456789abcdefghijkl';

      expect(verifierFor(dotted).matches(dotted)).toBe(true);
    });
  });

  describe('JWT signed with AGENT_TOKEN', () => {
    it('matches an HS256 token with the hub audience and exp', () => {
      expect(sut.matches(agentJwt())).toBe(true);
    });

    it('rejects a token without exp', () => {
      expect(sut.matches(agentJwt({ exp: undefined }))).toBe(false);
    });

    it('rejects a token for another audience', () => {
      expect(sut.matches(agentJwt({ aud: 'another-hub' }))).toBe(false);
    });

    it('rejects a token without an audience', () => {
      expect(sut.matches(agentJwt({ aud: undefined }))).toBe(false);
    });

    it('rejects a token expired more than 30 seconds ago', () => {
      expect(sut.matches(agentJwt({ iat: nowSeconds() - 600, exp: nowSeconds() - 45 }))).toBe(false);
    });

    it('accepts a token expired 10 seconds ago (clock tolerance)', () => {
      expect(sut.matches(agentJwt({ iat: nowSeconds() - 600, exp: nowSeconds() - 10 }))).toBe(true);
    });

    it('rejects a token signed with HS512', () => {
      expect(sut.matches(agentJwt({}, AGENT_TOKEN, 'HS512'))).toBe(false);
    });

    it('rejects an unsigned token (alg: none)', () => {
      const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({
        sub: 'worker-1',
        aud: AUDIENCE,
        exp: nowSeconds() + 300,
      })}.`;

      expect(sut.matches(unsigned)).toBe(false);
    });

    it('rejects a token signed with another secret', () => {
      expect(sut.matches(agentJwt({}, 'another-secret-0123456789abcdefghijklmn'))).toBe(false);
    });

    it('rejects a valid token whose signature was altered', () => {
      const token = agentJwt();
      const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;

      expect(sut.matches(tampered)).toBe(false);
    });
  });

  describe('with AGENT_TOKEN unset', () => {
    const unset = verifierFor(undefined);

    it.each([
      ['the empty string', ''],
      ['an arbitrary string', AGENT_TOKEN],
      ['a JWT signed with a former token', agentJwt()],
    ])('rejects %s', (_name, credential) => {
      expect(unset.matches(credential)).toBe(false);
    });

    it('treats an empty AGENT_TOKEN as unset', () => {
      expect(verifierFor('').matches('')).toBe(false);
    });
  });

  describe('during a rotation grace period', () => {
    const previous = 'previous-token-0123456789abcdefghijklmn';
    const now = Date.parse('2026-11-25T12:00:00Z');
    const matcher = new AgentTokenMatcher(
      [{ token: AGENT_TOKEN }, { token: previous, validUntil: new Date(now + 5_000) }],
      AUDIENCE,
    );

    it('accepts the previous token, static or as a JWT key, until the grace period ends', () => {
      expect(matcher.matches(previous, now)).toBe(true);
      expect(matcher.matches(agentJwt({}, previous), now)).toBe(true);
      expect(matcher.matches(previous, now + 5_001)).toBe(false);
      expect(matcher.matches(agentJwt({}, previous), now + 5_001)).toBe(false);
    });

    it('keeps accepting the current token after the previous one expired', () => {
      expect(matcher.matches(AGENT_TOKEN, now + 5_001)).toBe(true);
    });
  });
});
