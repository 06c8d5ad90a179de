import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { sha256Hex } from '../../common/crypto/secret-digest.js';
import { AppConfig } from '../../config/app-config.js';
import { toUserResponse } from '../users/dto/user.response.dto.js';
import type { UserEntity } from '../users/user.entity.js';
import type { AccessTokenClaims } from './access-token-claims.js';
import type { TokenPairDto } from './dto/auth.dto.js';
import type { RefreshTokenEntity } from './refresh-token.entity.js';
import { type RefreshTokenInsert, RefreshTokensRepository } from './refresh-tokens.repository.js';

export const hashRefreshToken = sha256Hex;

/** Issues access tokens (JWT, SPEC claims) and opaque refresh tokens (256 bits, stored as SHA-256). */
@Injectable()
export class TokenService {
  private readonly accessTtlSeconds: number;
  private readonly refreshTtlSeconds: number;

  constructor(
    private readonly jwt: JwtService,
    private readonly refreshTokens: RefreshTokensRepository,
    config: AppConfig,
  ) {
    this.accessTtlSeconds = config.jwt.accessTtlSeconds;
    this.refreshTtlSeconds = config.auth.refreshTtlSeconds;
  }

  /** A new pair that starts a new refresh-token family (login). */
  async issue(user: UserEntity): Promise<TokenPairDto> {
    const { pair, row } = await this.build(user, randomUUID());
    await this.refreshTokens.insert(row);
    return pair;
  }

  /** The next pair of `parent`'s family (rotation); null when the family was revoked while rotating. */
  async rotate(user: UserEntity, parent: RefreshTokenEntity): Promise<TokenPairDto | null> {
    const { pair, row } = await this.build(user, parent.familyId);
    return (await this.refreshTokens.insertSuccessor(parent.id, row)) ? pair : null;
  }

  private async build(user: UserEntity, familyId: string): Promise<{ pair: TokenPairDto; row: RefreshTokenInsert }> {
    const claims: Pick<AccessTokenClaims, 'sub' | 'username' | 'role' | 'mfa' | 'typ' | 'ver'> = {
      sub: user.id,
      username: user.username,
      role: user.role,
      mfa: user.mfaEnabled,
      typ: 'access',
      ver: user.tokenVersion,
    };
    const accessToken = await this.jwt.signAsync(claims, { jwtid: randomUUID() });
    const refreshToken = randomBytes(32).toString('base64url');
    return {
      pair: {
        accessToken,
        refreshToken,
        tokenType: 'Bearer',
        expiresIn: this.accessTtlSeconds,
        user: toUserResponse(user),
      },
      row: {
        userId: user.id,
        familyId,
        tokenHash: hashRefreshToken(refreshToken),
        userTokenVersion: user.tokenVersion,
        expiresAt: new Date(Date.now() + this.refreshTtlSeconds * 1000),
      },
    };
  }
}
