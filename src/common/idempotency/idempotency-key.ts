import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { ValidationFailedError } from '../errors/domain-errors.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Visible ASCII (RFC 9110 `VCHAR`), 1 to 255 characters: fits the column and is safe to log. */
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/**
 * The `Idempotency-Key` header: `undefined` when absent (the request runs as it always did), else the key.
 * Node joins a repeated header with ", ", which is not visible ASCII, so sending it twice is refused too.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) {
    return undefined;
  }
  if (typeof header !== 'string' || !KEY_SHAPE.test(header)) {
    throw new ValidationFailedError([
      {
        field: IDEMPOTENCY_KEY_HEADER,
        message: `${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 visible ASCII characters (no spaces)`,
      },
    ]);
  }
  return header;
}

/** JSON with object keys sorted at every depth and no whitespace: one text for every spelling of a value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const members = Object.keys(object)
      .filter((name) => object[name] !== undefined)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonicalJson(object[name])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of the body's canonical JSON: what "the same body" means for a repeated key. */
export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

/**
 * Whose keys these are: one caller never sees another's replay. An authenticated caller is its principal
 * (a user, an agent, or whoever holds AGENT_TOKEN, which is one caller). An anonymous caller is its address
 * plus a keyed digest of the credential the handler checks (the registration token), so an anonymous
 * request without that credential never reaches a replay made for one with it.
 */
export function callerScope(principal: Principal, ip: string, anonymousCredentialDigest?: string): string {
  if (principal.kind !== 'anonymous') {
    return `${principal.kind}:${principal.id}`;
  }
  return `anonymous:${ip}:${anonymousCredentialDigest ?? '-'}`;
}
