import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 as SPEC section 3 fixes it: SHA-1, 6 digits, 30 s steps, one step of drift either way. */
export const TOTP = { algorithm: 'sha1', digits: 6, period: 30, toleranceSeconds: 30, issuer: 'Ananta' } as const;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, username: string): string {
  return generateURI({
    issuer: TOTP.issuer,
    label: username,
    secret,
    algorithm: TOTP.algorithm,
    digits: TOTP.digits,
    period: TOTP.period,
  });
}

/** The time step the code belongs to, when it is valid now (±1 step); `null` otherwise. */
export async function matchTotp(
  secret: string,
  code: string,
  epochSeconds = Date.now() / 1000,
): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) {
    return null;
  }
  const result = await verify({
    secret,
    token: code,
    algorithm: TOTP.algorithm,
    digits: TOTP.digits,
    period: TOTP.period,
    epoch: Math.floor(epochSeconds),
    epochTolerance: TOTP.toleranceSeconds,
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
