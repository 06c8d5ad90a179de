import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, type JWK, SignJWT } from 'jose';
import { signingKey, TEST_CLIENT_ID, TEST_CLIENT_SECRET } from './oidc-test-provider.js';

/** What the next ID token says and how it is signed; each test changes one thing. */
export interface Forgery {
  claims?: Record<string, unknown>;
  /** Sign with a key the provider does not publish (under the published key's `kid`). */
  foreignKey?: boolean;
}

interface PendingCode {
  nonce: string;
  codeChallenge: string;
  subject: string;
}

const PUBLISHED_KID = 'forging-key';

/**
 * A minimal OpenID provider on 127.0.0.1 whose ID tokens the test shapes: the real provider never issues a
 * token with a wrong nonce, issuer, audience or signature, so this one does, on request. It implements what
 * the hub uses (discovery, JWKS, authorization with PKCE, token endpoint with client_secret_basic) and
 * checks PKCE and the client's credentials itself, so only the ID token is wrong.
 */
export class OidcForgingProvider {
  subject = 'forged-subject';
  forgery: Forgery = {};
  /** Every ID token it handed out, so tests can check none of them reached the audit log. */
  readonly issuedIdTokens: string[] = [];
  private readonly codes = new Map<string, PendingCode>();

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    private readonly published: JWK,
    private readonly foreign: JWK,
  ) {}

  static async start(): Promise<OidcForgingProvider> {
    let handle: (request: IncomingMessage, response: ServerResponse) => Promise<void> = () => Promise.resolve();
    const server = createServer((request, response) => void handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const provider = new OidcForgingProvider(
      server,
      issuer,
      await signingKey(PUBLISHED_KID),
      await signingKey(PUBLISHED_KID),
    );
    handle = (request, response) => provider.handle(request, response);
    return provider;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.issuer);
    switch (`${request.method} ${url.pathname}`) {
      case 'GET /.well-known/openid-configuration':
        return json(response, 200, {
          issuer: this.issuer,
          authorization_endpoint: `${this.issuer}/authorize`,
          token_endpoint: `${this.issuer}/token`,
          jwks_uri: `${this.issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic'],
        });
      case 'GET /jwks': {
        const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicKey } = this.published;
        return json(response, 200, { keys: [publicKey] });
      }
      case 'GET /authorize':
        return this.authorize(url.searchParams, response);
      case 'POST /token':
        return this.token(request, response);
      default:
        return json(response, 404, { error: 'not_found' });
    }
  }

  private authorize(params: URLSearchParams, response: ServerResponse): void {
    const code = randomBytes(16).toString('base64url');
    this.codes.set(code, {
      nonce: params.get('nonce') ?? '',
      codeChallenge: params.get('code_challenge') ?? '',
      subject: this.subject,
    });
    const back = new URL(params.get('redirect_uri') ?? '');
    back.searchParams.set('code', code);
    back.searchParams.set('state', params.get('state') ?? '');
    response.writeHead(302, { location: back.href }).end();
  }

  private async token(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = new URLSearchParams(await readBody(request));
    if (!hasClientCredentials(request.headers.authorization)) {
      return json(response, 401, { error: 'invalid_client' });
    }
    const pending = this.codes.get(body.get('code') ?? '');
    this.codes.delete(body.get('code') ?? '');
    const challenge = createHash('sha256')
      .update(body.get('code_verifier') ?? '')
      .digest('base64url');
    if (!pending || challenge !== pending.codeChallenge) {
      return json(response, 400, { error: 'invalid_grant' });
    }
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: this.issuer,
      sub: pending.subject,
      aud: TEST_CLIENT_ID,
      nonce: pending.nonce,
      iat: now,
      exp: now + 300,
      preferred_username: pending.subject,
      groups: ['staff'],
      ...this.forgery.claims,
    };
    const key = await importJWK(this.forgery.foreignKey ? this.foreign : this.published, 'RS256');
    const idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: PUBLISHED_KID }).sign(key);
    this.issuedIdTokens.push(idToken);
    json(response, 200, {
      access_token: randomBytes(16).toString('hex'),
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
    });
  }
}

/** client_secret_basic: both parts form-urlencoded before base64 (RFC 6749 section 2.3.1). */
function hasClientCredentials(authorization: string | undefined): boolean {
  const [scheme, encoded] = (authorization ?? '').split(' ');
  const [id, secret] = Buffer.from(encoded ?? '', 'base64')
    .toString('utf8')
    .split(':')
    .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
  return scheme === 'Basic' && id === TEST_CLIENT_ID && secret === TEST_CLIENT_SECRET;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
