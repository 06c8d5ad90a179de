import { createHash } from 'node:crypto';
import { matchesDigest, sha256 } from '../../../common/crypto/secret-digest.js';

/**
 * The hub as a small OAuth2 authorization server for one public client, its own Swagger UI: "Authorize"
 * runs the authorization code flow with PKCE against the hub, the hub signs the person in at the OpenID
 * Connect provider, and the code Swagger UI gets back is exchanged for the hub's own access token (the only
 * kind the hub accepts). No other client and no other redirect URI exist, so there is no open redirect.
 */
export const SWAGGER_CLIENT_ID = 'swagger-ui';
export const OIDC_AUTHORIZE_PATH = '/api/auth/oidc/authorize';
export const OIDC_TOKEN_PATH = '/api/auth/oidc/token';
/** Where swagger-ui-dist's redirect page is served (the Swagger UI assets under /api/docs). */
const SWAGGER_REDIRECT_PATH = '/api/docs/oauth2-redirect.html';
/** How long Swagger UI has to exchange its code: it does so at once, in the same page. */
export const CLIENT_CODE_TTL_SECONDS = 60;

/** Swagger UI's redirect page on the hub's public origin (the origin of OIDC_REDIRECT_URL). */
export const swaggerRedirectUri = (hubCallback: URL): string => new URL(SWAGGER_REDIRECT_PATH, hubCallback.origin).href;

/** What Swagger UI's authorization request asked for, kept with the login until the provider comes back. */
export interface ClientAuthorization {
  redirectUri: string;
  state: string;
  codeChallenge: string;
}

/** RFC 7636 S256: BASE64URL(SHA-256(verifier)) equals the challenge, compared in constant time. */
export function pkceMatches(codeVerifier: string, codeChallenge: string): boolean {
  const computed = createHash('sha256').update(codeVerifier).digest('base64url');
  return matchesDigest(computed, sha256(codeChallenge));
}
