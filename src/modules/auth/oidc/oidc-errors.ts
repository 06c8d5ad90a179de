import { DomainError } from '../../../common/errors/domain-errors.js';

/** 404 on both OIDC routes while single sign-on is not configured. */
export class OidcNotConfiguredError extends DomainError {
  readonly status = 404;
  readonly code = 'oidc_not_configured';
  constructor() {
    super('Single sign-on (OIDC) is not configured on this hub');
  }
}

/** 400: the callback's state is missing, does not match this browser's login, was used, or expired. */
export class OidcStateInvalidError extends DomainError {
  readonly status = 400;
  readonly code = 'oidc_state_invalid';
  constructor() {
    super('The login request is unknown, expired or already used; start the login again');
  }
}

/** 401: the provider's answer did not pass validation (code exchange, PKCE, nonce, issuer, audience, signature…). */
export class OidcLoginFailedError extends DomainError {
  readonly status = 401;
  readonly code = 'oidc_login_failed';
  constructor(readonly reason: string) {
    super('The identity provider’s answer could not be verified; the login failed');
  }
}

/** 502: the provider could not be reached (discovery, token endpoint or keys). */
export class OidcProviderUnavailableError extends DomainError {
  readonly status = 502;
  readonly code = 'oidc_provider_unavailable';
  constructor() {
    super('The identity provider could not be reached; try again shortly');
  }
}

/** 400 (RFC 6749 `invalid_grant`): the code is unknown, used, expired, or not the one this verifier and URI belong to. */
export class OidcInvalidGrantError extends DomainError {
  readonly status = 400;
  readonly code = 'invalid_grant';
  constructor() {
    super('The code is unknown, expired, already used, or does not match the verifier or redirect URI');
  }
}
