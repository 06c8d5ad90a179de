import type { Server } from 'node:http';
import { generate } from 'otplib';
import request from 'supertest';
import { successBody } from './envelope.js';
import { bearer } from './tokens.js';

/** Shapes of the payloads the MFA, admin and audit tests read (SPEC section 12). */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface UserDto {
  id: string;
  username: string;
  role: 'admin' | 'user';
  disabled: boolean;
  mfaEnabled: boolean;
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
  user: UserDto;
}

export interface LoginAnswer extends Partial<TokenPair> {
  mfaRequired?: boolean;
}

export interface MfaSetup {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actorType: string;
  actorId: string | null;
  username: string | null;
  ip: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  requestId: string | null;
  details: Record<string, unknown>;
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

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` resolves true or `timeoutMs` passes; resolves to the last result. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) {
      return true;
    }
    if (Date.now() >= deadline) {
      return false;
    }
    await sleep(intervalMs);
  }
}

/** Every audit entry, newest first, read page by page through the API with an admin credential. */
export async function allAuditEntries(server: Server, adminToken: string, query = ''): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (let offset = 0; ; offset += 500) {
    const response = await request(server)
      .get(`/api/audit-logs?limit=500&offset=${offset}${query ? `&${query}` : ''}`)
      .set(bearer(adminToken))
      .expect(200);
    const page = successBody<Page<AuditEntry>>(response).data;
    entries.push(...page.items);
    if (page.items.length === 0 || entries.length >= page.total) {
      return entries;
    }
  }
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
