import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a secret: what the hub keeps of tokens and keys, and what constant-time comparisons use. */
export const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export const sha256Hex = (value: string): string => sha256(value).toString('hex');

/**
 * Whether a presented secret equals the one behind `expected` (its SHA-256), in constant time: comparing
 * equal-length digests reveals neither the content nor the length of the secret.
 */
export const matchesDigest = (presented: string, expected: Buffer): boolean =>
  timingSafeEqual(sha256(presented), expected);
