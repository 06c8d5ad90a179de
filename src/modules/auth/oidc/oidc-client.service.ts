import { Injectable, Logger } from '@nestjs/common';
import * as client from 'openid-client';
import { AppConfig, type OidcConfig } from '../../../config/app-config.js';
import { OidcLoginFailedError, OidcNotConfiguredError, OidcProviderUnavailableError } from './oidc-errors.js';
import type { OidcLoginChecks } from './oidc-login-requests.repository.js';

export type OidcClaims = client.IDToken & Record<string, unknown>;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * The hub as an OpenID Connect relying party, through openid-client: discovery on the first login (then
 * cached for the process; retried after a failure), the authorization URL, and the code exchange in which
 * the library checks state, PKCE, nonce, issuer, audience, signature and expiry. The provider's signing keys
 * are the library's to fetch and cache: an ID token signed with a key the cache does not know makes it fetch
 * the keys again (at most once a minute), so key rotation at the provider needs nothing from the hub.
 */
@Injectable()
export class OidcClientService {
  private readonly logger = new Logger('OidcClient');
  private readonly settings: OidcConfig | null;
  private configuration: Promise<client.Configuration> | undefined;

  constructor(config: AppConfig) {
    this.settings = config.oidc;
  }

  /** The settings, or 404 `oidc_not_configured`. */
  require(): OidcConfig {
    if (!this.settings) {
      throw new OidcNotConfiguredError();
    }
    return this.settings;
  }

  async authorizationUrl(checks: OidcLoginChecks): Promise<URL> {
    const settings = this.require();
    return client.buildAuthorizationUrl(await this.discover(), {
      redirect_uri: settings.redirectUrl.href,
      scope: settings.scopes,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * Exchanges the callback's code and returns the validated ID token's claims, completed from the userinfo
   * endpoint when the ID token leaves out the role claim or `preferred_username` (providers that keep
   * profile claims out of ID tokens). Throws 401 `oidc_login_failed` with the reason when validation fails.
   */
  async exchange(callbackQuery: string, checks: OidcLoginChecks): Promise<OidcClaims> {
    const settings = this.require();
    const configuration = await this.discover();
    const callbackUrl = new URL(settings.redirectUrl);
    callbackUrl.search = callbackQuery;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) {
        throw new OidcLoginFailedError('no_id_token');
      }
      const incomplete = claims[settings.roleClaim] === undefined || claims.preferred_username === undefined;
      if (incomplete && configuration.serverMetadata().userinfo_endpoint) {
        const userInfo = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub);
        // The ID token's own claims win: they are the signed ones.
        return { ...userInfo, ...claims };
      }
      return { ...claims };
    } catch (error) {
      throw this.failure(error);
    }
  }

  private discover(): Promise<client.Configuration> {
    const settings = this.require();
    this.configuration ??= client
      .discovery(
        settings.issuer,
        settings.clientId,
        undefined,
        settings.clientSecret === undefined ? client.None() : client.ClientSecretBasic(settings.clientSecret),
        {
          // validateEnv allows http:// only for a provider on this machine (development, tests).
          execute: [
            // openid-client trusts an ID token from the token endpoint on the strength of TLS alone unless told
            // to verify its signature too (against the provider's JWKS): the hub wants both.
            client.enableNonRepudiationChecks,
            // validateEnv allows http:// only for a provider on this machine (development, tests).
            ...(settings.issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(settings.issuer.hostname)
              ? [client.allowInsecureRequests]
              : []),
          ],
          timeout: PROVIDER_TIMEOUT_SECONDS,
        },
      )
      .catch((error: unknown) => {
        this.configuration = undefined;
        this.logger.warn(`OIDC discovery at ${settings.issuer.href} failed: ${describe(error)}`);
        throw new OidcProviderUnavailableError();
      });
    return this.configuration;
  }

  /** The error to answer with; what went wrong is kept as a reason (never a token or a claim value). */
  private failure(error: unknown): Error {
    if (error instanceof OidcLoginFailedError) {
      return error;
    }
    // fetch() rejects with a TypeError when the provider cannot be reached.
    if (error instanceof TypeError) {
      this.logger.warn(`OIDC provider request failed: ${describe(error)}`);
      return new OidcProviderUnavailableError();
    }
    if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) {
      return new OidcLoginFailedError(`${error.code}: ${error.error}`);
    }
    if (error instanceof Error) {
      // openid-client's own message is generic; its cause (a library error, when it is one) names the check.
      const code = (error as { code?: unknown }).code;
      const detail = error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
      return new OidcLoginFailedError(typeof code === 'string' ? `${code}: ${detail}` : detail);
    }
    return new OidcLoginFailedError('unknown');
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
