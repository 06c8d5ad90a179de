import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { OidcLoginRequestEntity } from './oidc-login-request.entity.js';

export interface OidcLoginChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** A consumed login request; `fresh` is false when it had expired (judged by the database clock). */
export type ConsumedLoginRequest = OidcLoginChecks & { fresh: boolean };

@Injectable()
export class OidcLoginRequestsRepository {
  constructor(
    @InjectRepository(OidcLoginRequestEntity) private readonly repository: Repository<OidcLoginRequestEntity>,
  ) {}

  /** Stores a login under way for `ttlSeconds`, and drops the expired ones (abandoned logins). */
  async insert(id: string, checks: OidcLoginChecks, ttlSeconds: number): Promise<void> {
    await this.repository
      .createQueryBuilder()
      .insert()
      .values({ id, ...checks, expiresAt: () => `now() + make_interval(secs => ${Number(ttlSeconds)})` })
      .execute();
    await this.repository.createQueryBuilder().delete().where('expires_at <= now()').execute();
  }

  /** Deletes and returns the request: each works once, and two callbacks racing get it once between them. */
  async consume(id: string): Promise<ConsumedLoginRequest | null> {
    const result = await this.repository
      .createQueryBuilder()
      .delete()
      .where('id = :id', { id })
      .returning('state, nonce, code_verifier, expires_at > now() AS fresh')
      .execute();
    const [row] = result.raw as Array<{ state: string; nonce: string; code_verifier: string; fresh: boolean }>;
    return row ? { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, fresh: row.fresh } : null;
  }
}
