import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ConflictError, NotFoundError } from '../../common/errors/domain-errors.js';
import { withUniqueName } from '../../common/errors/unique-name.js';
import { type Page, type PageQueryDto, pageOf } from '../../common/http/pagination.dto.js';
import { AuditService } from '../audit/audit.service.js';
import { TemplatesService } from '../templates/templates.service.js';
import { toRoleResponse } from './dto/teams.mappers.js';
import type { RoleInputDto, RoleResponseDto, UpdateRoleDto } from './dto/teams.dto.js';
import type { RoleEntity } from './role.entity.js';
import { RolesRepository } from './roles.repository.js';

@Injectable()
export class RolesService {
  constructor(
    private readonly roles: RolesRepository,
    private readonly templates: TemplatesService,
    private readonly audit: AuditService,
  ) {}

  async list(query: PageQueryDto): Promise<Page<RoleResponseDto>> {
    const [rows, total] = await this.roles.list(query.limit, query.offset);
    return pageOf(rows.map(toRoleResponse), total, query);
  }

  /** Whether a role with this id exists (for other modules' references). */
  async exists(id: string): Promise<boolean> {
    return (await this.roles.getById(id)) !== null;
  }

  async get(id: string): Promise<RoleResponseDto> {
    return toRoleResponse(await this.require(id));
  }

  async create(ctx: RequestContext, dto: RoleInputDto): Promise<RoleResponseDto> {
    await this.requireTemplate(dto.defaultTemplateId);
    const role = await withUniqueName('role', () =>
      this.roles.create({
        name: dto.name,
        description: dto.description ?? null,
        defaultTemplateId: dto.defaultTemplateId ?? null,
      }),
    );
    await this.audit.record(ctx, {
      action: 'role.created',
      targetType: 'role',
      targetId: role.id,
      details: { name: role.name },
    });
    return toRoleResponse(role);
  }

  async update(ctx: RequestContext, id: string, dto: UpdateRoleDto): Promise<RoleResponseDto> {
    await this.require(id);
    await this.requireTemplate(dto.defaultTemplateId);
    const role = (await withUniqueName('role', () => this.roles.update(id, dto)))!;
    await this.audit.record(ctx, { action: 'role.updated', targetType: 'role', targetId: id, details: { ...dto } });
    return toRoleResponse(role);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.require(id);
    const usage = await this.roles.usage(id);
    if (usage.teamTypeIds.length > 0 || usage.teamMemberIds.length > 0) {
      throw new ConflictError('The role is still in use by team types or team members', 'role_in_use', usage);
    }
    await this.roles.delete(id);
    await this.audit.record(ctx, { action: 'role.deleted', targetType: 'role', targetId: id });
  }

  /** The role, or 404 `role_not_found`. */
  async require(id: string): Promise<RoleEntity> {
    const role = await this.roles.getById(id);
    if (!role) {
      throw new NotFoundError('role');
    }
    return role;
  }

  private async requireTemplate(templateId: string | null | undefined): Promise<void> {
    if (templateId && !(await this.templates.exists(templateId))) {
      throw new NotFoundError('template');
    }
  }
}
