import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

const FORWARDED_FOR = 'x-forwarded-for';

// A zone index (`fe80::1%eth0`) names an interface of the sender's machine, never a remote client.
const isAddress = (hop: string): boolean => isIP(hop) !== 0 && !hop.includes('%');

/**
 * The hops of an X-Forwarded-For value that can stand for a client address: from the nearest (rightmost)
 * outwards, up to the first that is not an IP address. That hop and everything before it are garbage a
 * client or a broken proxy wrote, so they are dropped rather than taken as the client address.
 */
export function addressHops(value: string): string[] {
  const hops = value.split(',').map((hop) => hop.trim());
  let first = hops.length;
  while (first > 0 && isAddress(hops[first - 1])) {
    first -= 1;
  }
  return hops.slice(first);
}

/**
 * Leaves only address hops in a request's X-Forwarded-For (none: no header), before Fastify derives
 * `request.ip` from it under TRUST_PROXY; rate limits, bans and the audit log then only ever see addresses.
 */
export function keepAddressHops(request: IncomingMessage): void {
  const value = request.headers[FORWARDED_FOR];
  if (value === undefined) {
    return;
  }
  const hops = addressHops(Array.isArray(value) ? value.join(',') : value);
  if (hops.length > 0) {
    request.headers[FORWARDED_FOR] = hops.join(', ');
  } else {
    delete request.headers[FORWARDED_FOR];
  }
}
