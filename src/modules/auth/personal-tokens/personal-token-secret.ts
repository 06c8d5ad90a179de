import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../../common/crypto/secret-digest.js';

/** Personal access tokens carry a prefix, so the access guard recognises them without a database lookup. */
const PERSONAL_TOKEN_PREFIX = 'pat_';
const PERSONAL_TOKEN_SHAPE = /^pat_[A-Za-z0-9_-]{43}$/;

/** A fresh token (256 random bits; a hash without salt suffices for that) and the hash the hub keeps. */
export function newPersonalToken(): { token: string; hash: string } {
  const token = `${PERSONAL_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashPersonalToken(token) };
}

export const hashPersonalToken = (token: string): string => sha256Hex(token);

export const looksLikePersonalToken = (credential: string): boolean => PERSONAL_TOKEN_SHAPE.test(credential);
