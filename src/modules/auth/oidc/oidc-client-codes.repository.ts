import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { OidcClientCodeEntity } from './oidc-client-code.entity.js';

/** A consumed code; `fresh` is false when it had expired (judged by the database clock). */
export interface ConsumedClientCode {
  userId: string;
  redirectUri: string;
  codeChallenge: string;
  fresh: boolean;
}

@Injectable()
export class OidcClientCodesRepository {
  constructor(@InjectRepository(OidcClientCodeEntity) private readonly codes: Repository<OidcClientCodeEntity>) {}

  /** Stores a code (by its hash) for `ttlSeconds`, and drops expired ones (codes never exchanged). */
  async insert(values: Omit<OidcClientCodeEntity, 'expiresAt' | 'user'>, ttlSeconds: number): Promise<void> {
    await this.codes.query(
      `INSERT INTO oidc_client_codes (code_hash, user_id, redirect_uri, code_challenge, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [values.codeHash, values.userId, values.redirectUri, values.codeChallenge, ttlSeconds],
    );
    await this.codes.query('DELETE FROM oidc_client_codes WHERE expires_at <= now()');
  }

  /** Deletes and returns the code: each works once, however many instances race for it. */
  async consume(codeHash: string): Promise<ConsumedClientCode | null> {
    const result = await this.codes
      .createQueryBuilder()
      .delete()
      .where('code_hash = :codeHash', { codeHash })
      .returning('user_id, redirect_uri, code_challenge, expires_at > now() AS fresh')
      .execute();
    const [row] = result.raw as Array<{
      user_id: string;
      redirect_uri: string;
      code_challenge: string;
      fresh: boolean;
    }>;
    return row
      ? { userId: row.user_id, redirectUri: row.redirect_uri, codeChallenge: row.code_challenge, fresh: row.fresh }
      : null;
  }
}
