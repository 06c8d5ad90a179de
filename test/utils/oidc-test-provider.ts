import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

/** A person at the test provider: the claims it vouches for (`groups` may change between logins). */
export interface TestAccount {
  preferred_username?: string;
  email?: string;
  groups: string[];
}

export const TEST_CLIENT_ID = 'ananta-hub-test';
export const TEST_CLIENT_SECRET = 'test-client-secret-0123456789abcdef';
/** Where the provider sends the browser back; the test hands that request to the hub itself. */
export const TEST_REDIRECT_URL = 'http://hub.test/api/auth/oidc/callback';

export async function signingKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

/**
 * A real OpenID Connect provider (`oidc-provider`) on 127.0.0.1, with one confidential test client and the
 * accounts of `accounts`. Its login interaction signs in `nextAccount` without a form, and consent is
 * granted for whatever the client asks, so a test drives the whole redirect flow with plain HTTP requests.
 * `rotateKeys` replaces the provider behind the same address by one with a new signing key.
 */
export class OidcTestProvider {
  nextAccount = '';
  private provider?: Provider;

  private constructor(
    readonly accounts: Map<string, TestAccount>,
    private readonly server: Server,
    readonly issuer: string,
  ) {}

  static async start(accounts: Record<string, TestAccount>): Promise<OidcTestProvider> {
    let handle: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
    const server = createServer((request, response) => handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const test = new OidcTestProvider(new Map(Object.entries(accounts)), server, issuer);
    await test.useKey('key-1');
    handle = (request, response) => {
      if (request.url?.startsWith('/interaction/')) {
        void test.signIn(request, response);
      } else {
        void test.provider!.callback()(request, response);
      }
    };
    return test;
  }

  /** From now on the provider signs with a new key and publishes only that one (a key rotation). */
  async useKey(kid: string): Promise<void> {
    this.provider = new Provider(this.issuer, this.configuration([await signingKey(kid)]));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async signIn(request: IncomingMessage, response: ServerResponse): Promise<void> {
    await this.provider!.interactionDetails(request, response);
    await this.provider!.interactionFinished(
      request,
      response,
      { login: { accountId: this.nextAccount } },
      {
        mergeWithLastSubmission: false,
      },
    );
  }

  private configuration(keys: JWK[]): Configuration {
    const accounts = this.accounts;
    return {
      clients: [
        {
          client_id: TEST_CLIENT_ID,
          client_secret: TEST_CLIENT_SECRET,
          redirect_uris: [TEST_REDIRECT_URL],
          token_endpoint_auth_method: 'client_secret_basic',
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      jwks: { keys },
      cookies: { keys: ['oidc-test-provider-cookie-key'] },
      claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email'], groups: ['groups'] },
      features: { devInteractions: { enabled: false } },
      ttl: { AccessToken: 300, AuthorizationCode: 60, Grant: 600, IdToken: 300, Interaction: 600, Session: 600 },
      findAccount: (_ctx, sub) => {
        const account = accounts.get(sub);
        return account ? { accountId: sub, claims: () => ({ sub, ...account }) } : undefined;
      },
      // Consent for everything the client asks: the tests are about the hub, not the consent screen.
      loadExistingGrant: async (ctx) => {
        const grant = new ctx.oidc.provider.Grant({
          clientId: ctx.oidc.client!.clientId,
          accountId: ctx.oidc.session!.accountId!,
        });
        grant.addOIDCScope(ctx.oidc.params!.scope as string);
        await grant.save();
        return grant;
      },
    };
  }
}
