import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { RefreshTokenEntity } from './refresh-token.entity.js';

export type RefreshTokenInsert = Pick<
  RefreshTokenEntity,
  'userId' | 'familyId' | 'tokenHash' | 'userTokenVersion' | 'expiresAt'
>;

export type ConsumeOutcome =
  { kind: 'valid'; token: RefreshTokenEntity } | { kind: 'reused'; token: RefreshTokenEntity } | { kind: 'invalid' };

@Injectable()
export class RefreshTokensRepository {
  constructor(@InjectRepository(RefreshTokenEntity) private readonly repository: Repository<RefreshTokenEntity>) {}

  async insert(values: RefreshTokenInsert): Promise<void> {
    await this.repository.insert(values);
  }

  /**
   * Marks a token as rotated, in one transaction with the row locked, so two concurrent exchanges of one token
   * cannot both succeed. A token that was already rotated is reuse: its whole family is revoked.
   */
  consume(tokenHash: string): Promise<ConsumeOutcome> {
    return this.repository.manager.transaction(async (manager) => {
      const token = await manager.findOne(RefreshTokenEntity, {
        where: { tokenHash },
        lock: { mode: 'pessimistic_write' },
      });
      if (!token || token.revokedAt || token.expiresAt.getTime() <= Date.now()) {
        return { kind: 'invalid' };
      }
      if (token.rotatedAt) {
        await manager.update(
          RefreshTokenEntity,
          { familyId: token.familyId, revokedAt: IsNull() },
          { revokedAt: new Date() },
        );
        return { kind: 'reused', token };
      }
      await manager.update(RefreshTokenEntity, { id: token.id }, { rotatedAt: new Date() });
      return { kind: 'valid', token };
    });
  }

  /**
   * Inserts the successor of a rotated token unless the family was revoked meanwhile; false if it was. The
   * parent row is locked first, as `consume` locks it before revoking a family on reuse: the successor is
   * either refused here or already committed when that revocation runs, so it cannot outlive the family.
   */
  insertSuccessor(parentId: string, values: RefreshTokenInsert): Promise<boolean> {
    return this.repository.manager.transaction(async (manager) => {
      const parent = await manager.findOne(RefreshTokenEntity, {
        where: { id: parentId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!parent || parent.revokedAt) {
        return false;
      }
      await manager.insert(RefreshTokenEntity, values);
      return true;
    });
  }

  /** Revokes the family of the token with this hash; returns the family's user, if the token exists. */
  async revokeFamilyOf(tokenHash: string): Promise<string | null> {
    const token = await this.repository.findOneBy({ tokenHash });
    if (!token) {
      return null;
    }
    await this.revokeFamily(token.familyId);
    return token.userId;
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.repository.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
