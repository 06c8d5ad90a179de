import { randomBytes } from 'node:crypto';
import { unique } from './values.js';

/** Exactly the fields an agent object carries: never a key, key hash or token. */
export const AGENT_FIELDS = [
  'capabilities',
  'createdAt',
  'id',
  'lastSeenAt',
  'load',
  'maxConcurrentTasks',
  'name',
  'role',
  'scopes',
  'status',
  'updatedAt',
  'url',
  'version',
];

/** `ak_` and 43 base64url characters (256 bits). */
export const AGENT_KEY_SHAPE = /^ak_[A-Za-z0-9_-]{43}$/;

/** A key of the right shape that the hub never issued. */
export const garbageAgentKey = (): string => `ak_${randomBytes(32).toString('base64url')}`;

/** A URL no other test uses. */
export const uniqueAgentUrl = (label: string): string => `http://${unique(label)}.agents.test:5001`;

let addressSequence = 0;

/** A client address (for `X-Forwarded-For` behind TRUST_PROXY) that no earlier call used. */
export function freshClientAddress(): string {
  addressSequence += 1;
  return `10.${(addressSequence >> 16) & 255}.${(addressSequence >> 8) & 255}.${addressSequence & 255}`;
}

/** The secrets among `secrets` that occur in `text`. */
export const leakedSecrets = (text: string, secrets: Iterable<string>): string[] =>
  [...secrets].filter((secret) => text.includes(secret));
