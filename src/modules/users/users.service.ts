import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ConflictError, NotFoundError } from '../../common/errors/domain-errors.js';
import { PgErrorCode, sqlState } from '../../common/errors/database-errors.js';
import { type Page, pageOf } from '../../common/http/pagination.dto.js';
import { AuditService } from '../audit/audit.service.js';
import { toUserResponse, type UserResponseDto } from './dto/user.response.dto.js';
import type { CreateUserDto, ListUsersQueryDto, UpdateUserDto } from './dto/user-inputs.dto.js';
import { UserPasswordsService } from './user-passwords.service.js';
import type { UserEntity } from './user.entity.js';
import { type AdminGuardedOutcome, UsersRepository } from './users.repository.js';
import { SessionVersionsService } from './session-versions.service.js';

/** The admin's view of users (`/api/admin/users`). */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: UserPasswordsService,
    private readonly sessions: SessionVersionsService,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListUsersQueryDto): Promise<Page<UserResponseDto>> {
    const [rows, total] = await this.users.search(query);
    return pageOf(rows.map(toUserResponse), total, query);
  }

  async get(id: string): Promise<UserResponseDto> {
    return toUserResponse(await this.require(id));
  }

  async create(ctx: RequestContext, dto: CreateUserDto): Promise<UserResponseDto> {
    const role = dto.role ?? 'user';
    this.passwords.assertPolicy('password', dto.password);
    if (await this.users.getByUsername(dto.username)) {
      throw usernameTaken();
    }
    let user: UserEntity;
    try {
      user = await this.users.create({
        username: dto.username,
        role,
        passwordHash: await this.passwords.hash(dto.password),
      });
    } catch (error) {
      throw sqlState(error) === PgErrorCode.UniqueViolation ? usernameTaken() : error;
    }
    await this.audit.record(ctx, {
      action: 'user.created',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username, role },
    });
    return toUserResponse(user);
  }

  async update(ctx: RequestContext, id: string, dto: UpdateUserDto): Promise<UserResponseDto> {
    const before = await this.require(id);
    const changesRole = dto.role !== undefined && dto.role !== before.role;
    const changesDisabled = dto.disabled !== undefined && dto.disabled !== before.disabled;
    if (changesRole || changesDisabled) {
      const outcome = await this.users.updateGuarded(id, {
        role: dto.role,
        disabled: dto.disabled,
        revokeSessions: changesRole || dto.disabled === true,
      });
      this.assertGuarded(outcome, 'demote or disable');
      this.sessions.forget(id);
      await this.audit.record(ctx, {
        action: 'user.updated',
        targetType: 'user',
        targetId: id,
        details: {
          username: before.username,
          ...(changesRole ? { role: dto.role } : {}),
          ...(changesDisabled ? { disabled: dto.disabled } : {}),
        },
      });
    }
    return this.get(id);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    const user = await this.require(id);
    this.assertGuarded(await this.users.deleteGuarded(id), 'delete');
    this.sessions.forget(id);
    await this.audit.record(ctx, {
      action: 'user.deleted',
      targetType: 'user',
      targetId: id,
      details: { username: user.username },
    });
  }

  async resetPassword(ctx: RequestContext, id: string, newPassword: string): Promise<void> {
    const user = await this.require(id);
    await this.passwords.replace(user, 'newPassword', newPassword);
    await this.audit.record(ctx, {
      action: 'user.password_reset',
      targetType: 'user',
      targetId: id,
      details: { username: user.username },
    });
  }

  async unlock(ctx: RequestContext, id: string): Promise<UserResponseDto> {
    const user = await this.require(id);
    await this.users.clearFailedLogins(id);
    await this.audit.record(ctx, {
      action: 'user.unlocked',
      targetType: 'user',
      targetId: id,
      details: { username: user.username },
    });
    return this.get(id);
  }

  private async require(id: string): Promise<UserEntity> {
    const user = await this.users.getById(id);
    if (!user) {
      throw new NotFoundError('user');
    }
    return user;
  }

  private assertGuarded(outcome: AdminGuardedOutcome, verb: string): void {
    if (outcome === 'not_found') {
      throw new NotFoundError('user');
    }
    if (outcome === 'last_admin') {
      throw new ConflictError(`Cannot ${verb} the last active administrator`, 'last_admin');
    }
  }
}

function usernameTaken(): ConflictError {
  return new ConflictError('That username is already taken', 'username_taken');
}
