import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  hsts: false, // sent per request, only when the request really came over HTTPS (see HttpEdge)
  contentSecurityPolicy: {
    // Swagger UI loads its scripts as files, so script-src 'self' suffices; plain-HTTP deployments must not
    // have their asset requests upgraded to HTTPS.
    directives: { frameAncestors: ["'none'"], upgradeInsecureRequests: null },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
};

// Responses may carry credentials (tokens, agent keys, MFA secrets) or private data: nothing under /api is
// stored by browsers or shared caches unless a route opts out with its own Cache-Control (RFC 6749 §5.1,
// OWASP ASVS 8.1.1). Pragma is for HTTP/1.0 caches, as RFC 6749 asks.
const CACHE_HEADERS: ReadonlyArray<[string, string]> = [
  ['cache-control', 'no-store'],
  ['pragma', 'no-cache'],
];

/**
 * The headers every response carries, whatever layer writes it. Helmet's headers depend only on its options,
 * so its middleware runs once against a recorder and the result is copied onto each response; that costs a
 * loop over a dozen pairs instead of helmet's per-request work, and it also serves responses written before
 * any Fastify hook runs (router errors, client errors, load shedding while closing).
 */
export function securityHeaders(): ReadonlyArray<[string, string]> {
  const recorded = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string) => recorded.set(name.toLowerCase(), value),
    removeHeader: (name: string) => recorded.delete(name.toLowerCase()),
  };
  // Invalid options throw when the middleware is built; with valid ones it only sets headers and calls next.
  helmet(HELMET_OPTIONS)({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return Object.freeze([...recorded, ...CACHE_HEADERS]);
}
