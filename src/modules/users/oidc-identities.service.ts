import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { UserRole } from '../../common/auth/principal.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../common/errors/domain-errors.js';
import { PgErrorCode, sqlState } from '../../common/errors/database-errors.js';
import { AuditService } from '../audit/audit.service.js';
import { SessionVersionsService } from './session-versions.service.js';
import type { UserEntity } from './user.entity.js';
import { type OidcIdentity, UsersRepository } from './users.repository.js';

export type { OidcIdentity } from './users.repository.js';

export interface OidcIdentityResponse {
  userId: string;
  issuer: string;
  subject: string;
}

/**
 * Not an argon2 hash, so no password ever verifies against it (the hasher treats an unreadable hash as a
 * mismatch): a user created by single sign-on has no password until an administrator sets one.
 */
const unusablePasswordHash = (): string => `!oidc:${randomBytes(16).toString('hex')}`;

const isUniqueViolation = (error: unknown): boolean => sqlState(error) === PgErrorCode.UniqueViolation;

/** Users by their OpenID Connect identity (issuer + `sub`): sign-in provisioning, role mapping, admin linking. */
@Injectable()
export class OidcIdentitiesService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionVersionsService,
    private readonly audit: AuditService,
  ) {}

  findUser(identity: OidcIdentity): Promise<UserEntity | null> {
    return this.users.getByOidcIdentity(identity);
  }

  /**
   * Creates the user of an identity seen for the first time, with the first free username of `usernames`.
   * A concurrent first login of the same identity (on any instance) makes one user; the other gets it.
   */
  async provision(
    ctx: RequestContext,
    identity: OidcIdentity,
    usernames: readonly string[],
    role: UserRole,
  ): Promise<UserEntity> {
    for (const username of usernames) {
      try {
        const user = await this.users.create({
          username,
          role,
          passwordHash: unusablePasswordHash(),
          oidcIssuer: identity.issuer,
          oidcSubject: identity.subject,
        });
        await this.audit.record(ctx, {
          action: 'user.created',
          targetType: 'user',
          targetId: user.id,
          username: user.username,
          details: { username: user.username, role, source: 'oidc', issuer: identity.issuer },
        });
        return user;
      } catch (error) {
        if (!isUniqueViolation(error)) {
          throw error;
        }
        // Either the identity was provisioned meanwhile, or the username is taken: try the next one.
        const existing = await this.users.getByOidcIdentity(identity);
        if (existing) {
          return existing;
        }
      }
    }
    throw new ConflictError('No free username was found for the new user', 'username_taken');
  }

  /**
   * Gives the user the role the provider's groups map to. A change ends the user's other sessions like an
   * administrator's role change does. Demoting the last active administrator is refused (403 `last_admin`):
   * the login fails rather than leave the hub without an administrator.
   */
  async applyRole(ctx: RequestContext, user: UserEntity, role: UserRole): Promise<UserEntity> {
    if (user.role === role) {
      return user;
    }
    const outcome = await this.users.updateGuarded(user.id, { role, revokeSessions: true });
    if (outcome === 'not_found') {
      throw new NotFoundError('user');
    }
    if (outcome === 'last_admin') {
      throw new ForbiddenError(
        'The identity provider no longer makes this user an administrator, and they are the last active one',
        'last_admin',
      );
    }
    this.sessions.forget(user.id);
    await this.audit.record(ctx, {
      action: 'user.updated',
      targetType: 'user',
      targetId: user.id,
      username: user.username,
      details: { username: user.username, role, source: 'oidc' },
    });
    return (await this.users.getById(user.id)) ?? user;
  }

  /** An administrator links an existing (local) user to an identity, so that person signs in through OIDC. */
  async link(ctx: RequestContext, userId: string, identity: OidcIdentity): Promise<OidcIdentityResponse> {
    const user = await this.require(userId);
    const holder = await this.users.getByOidcIdentity(identity);
    if (holder && holder.id !== userId) {
      throw identityTaken();
    }
    try {
      await this.users.setOidcIdentity(userId, identity);
    } catch (error) {
      throw isUniqueViolation(error) ? identityTaken() : error;
    }
    await this.audit.record(ctx, {
      action: 'user.oidc_identity_linked',
      targetType: 'user',
      targetId: userId,
      details: { username: user.username, issuer: identity.issuer, subject: identity.subject },
    });
    return { userId, ...identity };
  }

  /** Removes the user's identity (idempotent); only an actual removal is audited. */
  async unlink(ctx: RequestContext, userId: string): Promise<void> {
    const user = await this.require(userId);
    if (user.oidcIssuer === null) {
      return;
    }
    await this.users.setOidcIdentity(userId, null);
    await this.audit.record(ctx, {
      action: 'user.oidc_identity_unlinked',
      targetType: 'user',
      targetId: userId,
      details: { username: user.username, issuer: user.oidcIssuer, subject: user.oidcSubject },
    });
  }

  private async require(id: string): Promise<UserEntity> {
    const user = await this.users.getById(id);
    if (!user) {
      throw new NotFoundError('user');
    }
    return user;
  }
}

function identityTaken(): ConflictError {
  return new ConflictError('That OIDC identity belongs to another user', 'oidc_identity_taken');
}
