import { generate } from 'otplib';
import type { TokenPair } from './payloads.js';

/** Shapes of the payloads only the MFA tests read (SPEC section 12). */
export interface LoginAnswer extends Partial<TokenPair> {
  mfaRequired?: boolean;
}

export interface MfaSetup {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
}

export const TOTP_PERIOD = 30;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The current TOTP code for a Base32 secret, as an authenticator app shows it. */
export const totpNow = (secret: string): Promise<string> => generate({ secret });

/**
 * The code of the step after the current one: inside the hub's ±1 step tolerance, and newer than any code
 * used so far in this step, so it is a fresh code without waiting for the clock.
 */
export const totpNextStep = (secret: string): Promise<string> =>
  generate({ secret, epoch: nowSeconds() + TOTP_PERIOD });

/** A well-formed 6-digit code that is not valid for the secret anywhere near now (±2 steps). */
export async function totpWrong(secret: string): Promise<string> {
  const now = nowSeconds();
  const near = new Set(
    await Promise.all([-2, -1, 0, 1, 2].map((k) => generate({ secret, epoch: now + k * TOTP_PERIOD }))),
  );
  const candidate = ['000000', '111111', '222222', '333333', '444444', '555555'].find((code) => !near.has(code));
  if (!candidate) {
    throw new Error('no wrong code found');
  }
  return candidate;
}

/**
 * Whether a secret occurs in a text. Short numeric codes (TOTP codes) only count as a whole token, so
 * that six digits happening to appear inside a UUID or a hash do not count as a leak.
 */
export function leaks(text: string, secret: string): boolean {
  if (/^\d{6,8}$/.test(secret)) {
    return new RegExp(`(?<![0-9A-Za-z])${secret}(?![0-9A-Za-z])`).test(text);
  }
  return text.includes(secret);
}
