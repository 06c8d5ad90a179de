import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { UserRole } from '../../../common/auth/principal.js';
import type { Scope } from '../../../common/auth/scopes.js';
import { PersonalAccessTokenEntity } from './personal-access-token.entity.js';

export type PersonalTokenValues = Pick<
  PersonalAccessTokenEntity,
  'userId' | 'name' | 'tokenHash' | 'scopes' | 'expiresAt'
>;

/** A token that is still valid, with what its owner is now (role and name are read at every use). */
export interface ActivePersonalToken {
  id: string;
  userId: string;
  username: string;
  role: UserRole;
  scopes: Scope[];
  lastUsedAt: Date | null;
}

/** `lastUsedAt` is written at most this often per token, not on every request. */
const LAST_USED_RESOLUTION_SECONDS = 60;

@Injectable()
export class PersonalTokensRepository {
  constructor(
    @InjectRepository(PersonalAccessTokenEntity) private readonly tokens: Repository<PersonalAccessTokenEntity>,
  ) {}

  create(values: PersonalTokenValues): Promise<PersonalAccessTokenEntity> {
    return this.tokens.save(this.tokens.create(values));
  }

  listOf(userId: string): Promise<PersonalAccessTokenEntity[]> {
    return this.tokens.find({ where: { userId }, order: { createdAt: 'DESC', id: 'ASC' } });
  }

  countOf(userId: string): Promise<number> {
    return this.tokens.countBy({ userId });
  }

  /** Deletes the user's token; false when the user has no token with this id. */
  async delete(userId: string, id: string): Promise<boolean> {
    const { affected } = await this.tokens.delete({ id, userId });
    return (affected ?? 0) > 0;
  }

  /** The unexpired token with this hash whose owner is not disabled, in one read with the owner. */
  async findActive(tokenHash: string): Promise<ActivePersonalToken | null> {
    const [row] = await this.tokens.query<ActivePersonalToken[]>(
      `SELECT p.id, p.user_id AS "userId", u.username, u.role, p.scopes, p.last_used_at AS "lastUsedAt"
       FROM personal_access_tokens p JOIN users u ON u.id = p.user_id
       WHERE p.token_hash = $1 AND p.expires_at > now() AND NOT u.disabled`,
      [tokenHash],
    );
    return row ?? null;
  }

  /** Records a use, unless one was recorded within the resolution. */
  async touch(id: string): Promise<void> {
    await this.tokens.query(
      `UPDATE personal_access_tokens SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [id, LAST_USED_RESOLUTION_SECONDS],
    );
  }
}
