import { Injectable } from '@nestjs/common';
import { callingUser, type RequestContext } from '../../../common/auth/request-context.js';
import { ADMIN_SCOPE } from '../../../common/auth/scopes.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../common/errors/domain-errors.js';
import { AuditService } from '../../audit/audit.service.js';
import { newPersonalToken } from './personal-token-secret.js';
import {
  type CreatedPersonalTokenDto,
  type CreatePersonalTokenDto,
  DEFAULT_TOKEN_DAYS,
  type PersonalTokenDto,
  toPersonalTokenResponse,
} from './personal-token.dto.js';
import { PersonalTokensRepository } from './personal-tokens.repository.js';

/** Enough for every pipeline a person runs; more usually means tokens are made and never revoked. */
const MAX_TOKENS_PER_USER = 50;
const DAY_MS = 86_400_000;

/** People's own API tokens: made, listed and revoked in a session (a token never manages tokens). */
@Injectable()
export class PersonalTokensService {
  constructor(
    private readonly tokens: PersonalTokensRepository,
    private readonly audit: AuditService,
  ) {}

  async create(ctx: RequestContext, dto: CreatePersonalTokenDto): Promise<CreatedPersonalTokenDto> {
    const user = callingUser(ctx);
    if (dto.scopes.includes(ADMIN_SCOPE) && user.role !== 'admin') {
      throw new ForbiddenError('Only administrators may give a token the admin scope', 'admin_scope_forbidden');
    }
    if ((await this.tokens.countOf(user.id)) >= MAX_TOKENS_PER_USER) {
      throw new ConflictError(`At most ${MAX_TOKENS_PER_USER} tokens per user; revoke one first`, 'too_many_tokens');
    }
    const { token, hash } = newPersonalToken();
    const created = await this.tokens.create({
      userId: user.id,
      name: dto.name,
      tokenHash: hash,
      scopes: dto.scopes,
      expiresAt: new Date(Date.now() + (dto.expiresInDays ?? DEFAULT_TOKEN_DAYS) * DAY_MS),
    });
    await this.audit.record(ctx, {
      action: 'personal_token.created',
      targetType: 'personal_token',
      targetId: created.id,
      details: { name: dto.name, scopes: dto.scopes, expiresAt: created.expiresAt.toISOString() },
    });
    return { ...toPersonalTokenResponse(created), token };
  }

  async list(ctx: RequestContext): Promise<PersonalTokenDto[]> {
    return (await this.tokens.listOf(callingUser(ctx).id)).map(toPersonalTokenResponse);
  }

  async revoke(ctx: RequestContext, id: string): Promise<void> {
    if (!(await this.tokens.delete(callingUser(ctx).id, id))) {
      throw new NotFoundError('personal_token');
    }
    await this.audit.record(ctx, { action: 'personal_token.revoked', targetType: 'personal_token', targetId: id });
  }
}
