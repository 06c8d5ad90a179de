import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../common/crypto/secret-digest.js';

/** Agent keys carry a prefix, so the access guard recognises them without a database lookup. */
export const AGENT_KEY_PREFIX = 'ak_';
const AGENT_KEY_SHAPE = /^ak_[A-Za-z0-9_-]{43}$/;

/** A fresh key (256 random bits) and the SHA-256 hash that is all the hub keeps of it. */
export function newAgentKey(): { key: string; hash: string } {
  const key = `${AGENT_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashAgentKey(key) };
}

export function hashAgentKey(key: string): string {
  return sha256Hex(key);
}

export function looksLikeAgentKey(credential: string): boolean {
  return AGENT_KEY_SHAPE.test(credential);
}
