import { createHash, randomBytes } from 'node:crypto';

/** Shapes of the agent payloads (SPEC sections 4 and 12). */
export interface AgentDto {
  id: string;
  name: string;
  url: string;
  role: string;
  status: 'online' | 'offline' | 'busy' | 'disabled';
  capabilities: unknown;
  version: string | null;
  load: Record<string, unknown> | null;
  lastSeenAt: string | null;
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

export interface Registration {
  agent: AgentDto;
  agentKey?: string;
}

/** Exactly the fields an agent object carries: never a key, key hash or token. */
export const AGENT_FIELDS = [
  'capabilities',
  'createdAt',
  'id',
  'lastSeenAt',
  'load',
  'name',
  'role',
  'status',
  'updatedAt',
  'url',
  'version',
];

/** `ak_` and 43 base64url characters (256 bits). */
export const AGENT_KEY_SHAPE = /^ak_[A-Za-z0-9_-]{43}$/;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** A key of the right shape that the hub never issued. */
export const garbageAgentKey = (): string => `ak_${randomBytes(32).toString('base64url')}`;

/** A URL no other test uses. */
export const uniqueAgentUrl = (label: string): string =>
  `http://${label}-${randomBytes(4).toString('hex')}.agents.test:5001`;

/** The start of the `periodSeconds` slot a date falls in (computed independently of the hub's code). */
export const slotStart = (date: Date, periodSeconds: number): Date =>
  new Date(Math.floor(date.getTime() / (periodSeconds * 1000)) * periodSeconds * 1000);

let addressSequence = 0;

/** A client address (for `X-Forwarded-For` behind TRUST_PROXY) that no earlier call used. */
export function freshClientAddress(): string {
  addressSequence += 1;
  return `10.${(addressSequence >> 16) & 255}.${(addressSequence >> 8) & 255}.${addressSequence & 255}`;
}

/** The secrets among `secrets` that occur in `text`. */
export const leakedSecrets = (text: string, secrets: Iterable<string>): string[] =>
  [...secrets].filter((secret) => text.includes(secret));

/** Every key path (`a.b[0].c`) of a JSON value whose name matches `pattern`. */
export function keysMatching(value: unknown, pattern: RegExp, path = ''): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => keysMatching(item, pattern, `${path}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => [
      ...(pattern.test(key) ? [`${path}${path ? '.' : ''}${key}`] : []),
      ...keysMatching(child, pattern, `${path}${path ? '.' : ''}${key}`),
    ]);
  }
  return [];
}
