import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { ClientAuthorization } from './oidc-client-bridge.js';
import { OidcLoginRequestEntity } from './oidc-login-request.entity.js';

export interface OidcLoginChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/**
 * A consumed login request; `fresh` is false when it had expired (judged by the database clock), `client` is
 * set when Swagger UI started it.
 */
export type ConsumedLoginRequest = OidcLoginChecks & { fresh: boolean; client: ClientAuthorization | null };

@Injectable()
export class OidcLoginRequestsRepository {
  constructor(
    @InjectRepository(OidcLoginRequestEntity) private readonly repository: Repository<OidcLoginRequestEntity>,
  ) {}

  /** Stores a login under way for `ttlSeconds`, and drops the expired ones (abandoned logins). */
  async insert(id: string, checks: OidcLoginChecks, ttlSeconds: number, client?: ClientAuthorization): Promise<void> {
    await this.repository
      .createQueryBuilder()
      .insert()
      .values({
        id,
        ...checks,
        clientRedirectUri: client?.redirectUri ?? null,
        clientState: client?.state ?? null,
        clientCodeChallenge: client?.codeChallenge ?? null,
        expiresAt: () => `now() + make_interval(secs => ${Number(ttlSeconds)})`,
      })
      .execute();
    await this.repository.createQueryBuilder().delete().where('expires_at <= now()').execute();
  }

  /** Deletes and returns the request: each works once, and two callbacks racing get it once between them. */
  async consume(id: string): Promise<ConsumedLoginRequest | null> {
    const result = await this.repository
      .createQueryBuilder()
      .delete()
      .where('id = :id', { id })
      .returning(
        'state, nonce, code_verifier, client_redirect_uri, client_state, client_code_challenge, expires_at > now() AS fresh',
      )
      .execute();
    const [row] = result.raw as Array<{
      state: string;
      nonce: string;
      code_verifier: string;
      client_redirect_uri: string | null;
      client_state: string | null;
      client_code_challenge: string | null;
      fresh: boolean;
    }>;
    if (!row) {
      return null;
    }
    const client =
      row.client_redirect_uri !== null && row.client_state !== null && row.client_code_challenge !== null
        ? { redirectUri: row.client_redirect_uri, state: row.client_state, codeChallenge: row.client_code_challenge }
        : null;
    return { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, fresh: row.fresh, client };
  }
}
