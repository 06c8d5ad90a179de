import { describe, expect, it } from '@jest/globals';
import { generate, stringToBytes } from 'otplib';
import { matchTotp, newTotpSecret, TOTP, totpUri } from './totp.js';

const PERIOD = 30;

describe('TOTP (RFC 6238, SPEC section 3)', () => {
  describe('otplib reproduces the RFC 6238 Appendix B test vectors (SHA-1, 8 digits, 30 s)', () => {
    // Appendix B: the ASCII seed "12345678901234567890" (20 bytes) for HMAC-SHA1.
    const seed = stringToBytes('12345678901234567890');
    const vectors: Array<[number, string]> = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];

    it.each(vectors)('at T = %d s gives %s', async (epoch, expected) => {
      const code = await generate({ secret: seed, algorithm: 'sha1', digits: 8, period: PERIOD, epoch });
      expect(code).toBe(expected);
    });

    it('uses the seed as raw bytes (the vector is 20 ASCII bytes, not Base32)', () => {
      expect(seed).toBeInstanceOf(Uint8Array);
      expect(Array.from(seed)).toEqual(Array.from(Buffer.from('12345678901234567890', 'ascii')));
    });
  });

  describe('the hub settings', () => {
    it('are SHA-1, 6 digits, 30 s steps, one step of tolerance and issuer "Ananta"', () => {
      expect(TOTP).toEqual({ algorithm: 'sha1', digits: 6, period: 30, toleranceSeconds: 30, issuer: 'Ananta' });
    });

    it('generates Base32 secrets of 160 bits, a new one every time', () => {
      const first = newTotpSecret();
      const second = newTotpSecret();
      expect(first).toMatch(/^[A-Z2-7]{32}$/);
      expect(second).toMatch(/^[A-Z2-7]{32}$/);
      expect(second).not.toBe(first);
    });
  });

  describe('matchTotp(secret, code, epochSeconds)', () => {
    // A fixed secret and fixed instants keep every case deterministic.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    const step = 56_789_012;
    const codeAt = (stepNumber: number, offset = 0): Promise<string> =>
      generate({ secret, algorithm: 'sha1', digits: 6, period: PERIOD, epoch: stepNumber * PERIOD + offset });
    // The first second, the middle and the last second of the current step.
    const instants = [0, 15, 29].map((offset) => ({ offset, epoch: step * PERIOD + offset }));

    it.each(instants)('accepts the current step at second $offset of the step and returns it', async ({ epoch }) => {
      await expect(matchTotp(secret, await codeAt(step), epoch)).resolves.toBe(step);
    });

    it.each(instants)('accepts the previous step at second $offset of the step and returns it', async ({ epoch }) => {
      await expect(matchTotp(secret, await codeAt(step - 1), epoch)).resolves.toBe(step - 1);
    });

    it.each(instants)('accepts the next step at second $offset of the step and returns it', async ({ epoch }) => {
      await expect(matchTotp(secret, await codeAt(step + 1), epoch)).resolves.toBe(step + 1);
    });

    it.each(instants)('rejects codes two steps away at second $offset of the step', async ({ epoch }) => {
      const window = await Promise.all([codeAt(step - 1), codeAt(step), codeAt(step + 1)]);
      for (const far of [step - 2, step + 2]) {
        const code = await codeAt(far);
        // Guard against a coincidental collision with a code inside the window (the test would mean nothing).
        expect(window).not.toContain(code);
        await expect(matchTotp(secret, code, epoch)).resolves.toBeNull();
      }
    });

    it('takes fractional epoch seconds', async () => {
      await expect(matchTotp(secret, await codeAt(step), step * PERIOD + 29.999)).resolves.toBe(step);
    });

    it('rejects a code made with another secret', async () => {
      const other = await generate({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', epoch: step * PERIOD });
      const window = await Promise.all([codeAt(step - 1), codeAt(step), codeAt(step + 1)]);
      expect(window).not.toContain(other);
      await expect(matchTotp(secret, other, step * PERIOD)).resolves.toBeNull();
    });

    it('checks against the current time when no epoch is given', async () => {
      const now = Math.floor(Date.now() / 1000);
      const code = await generate({ secret, epoch: now });
      // The step the code belongs to, even if a step boundary passes before the check.
      await expect(matchTotp(secret, code)).resolves.toBe(Math.floor(now / PERIOD));
    });

    it('rejects anything that is not exactly six digits, even when the digits would match', async () => {
      const epoch = step * PERIOD;
      const valid = await codeAt(step);
      const eight = await generate({ secret, algorithm: 'sha1', digits: 8, period: PERIOD, epoch });
      const malformed = [
        '',
        valid.slice(0, 5),
        `${valid}0`,
        eight,
        ` ${valid}`,
        `${valid} `,
        `${valid.slice(0, 3)} ${valid.slice(3)}`,
        `${valid.slice(0, 5)}a`,
        'abcdef',
        '12345.',
        '-12345',
        '１２３４５６', // full-width digits
      ];
      for (const code of malformed) {
        await expect(matchTotp(secret, code, epoch)).resolves.toBeNull();
      }
      await expect(matchTotp(secret, valid, epoch)).resolves.toBe(step);
    });
  });

  describe('totpUri(secret, username)', () => {
    const secret = newTotpSecret();
    const uri = totpUri(secret, 'alice');

    it('is an otpauth://totp/ URI naming the issuer Ananta and carrying the secret', () => {
      expect(uri.startsWith('otpauth://totp/')).toBe(true);
      expect(uri).toContain('issuer=Ananta');
      expect(uri).toContain(secret);
    });

    it('labels the account with the issuer and the username and states the parameters', () => {
      const url = new URL(uri);
      expect(url.host).toBe('totp');
      // Key URI format: the label is "issuer:account" (the prefix is recommended, the account required).
      expect(decodeURIComponent(url.pathname)).toMatch(/^\/(Ananta:)?alice$/);
      expect(url.searchParams.get('secret')).toBe(secret);
      expect(url.searchParams.get('issuer')).toBe('Ananta');
      const algorithm = url.searchParams.get('algorithm');
      expect(algorithm === null || algorithm.toUpperCase() === 'SHA1').toBe(true);
      expect(url.searchParams.get('digits') ?? '6').toBe('6');
      expect(url.searchParams.get('period') ?? '30').toBe('30');
    });
  });
});
