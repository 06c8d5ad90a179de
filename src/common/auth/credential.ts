import type { AuthenticatedRequest } from './authenticated-request.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const MAX_CREDENTIAL_LENGTH = 4096;

/**
 * Takes the credential from `Authorization: Bearer …` or, where allowed (agent-or-user and admin routes, as
 * in the seed), from `?token=`. The query parameter is removed either way, so it never reaches query DTO
 * validation, handlers or logs further down.
 */
export function extractCredential(request: AuthenticatedRequest, allowQueryToken: boolean): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const queryToken = query?.token;
  if (query && 'token' in query) {
    delete query.token;
  }
  const header = request.headers.authorization;
  let credential: string | undefined;
  if (typeof header === 'string') {
    credential = BEARER.exec(header)?.[1];
  } else if (allowQueryToken && typeof queryToken === 'string') {
    credential = queryToken;
  }
  return credential && credential.length <= MAX_CREDENTIAL_LENGTH ? credential : undefined;
}
