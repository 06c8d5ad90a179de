import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ConflictError, NotFoundError } from '../../common/errors/domain-errors.js';
import { withUniqueName } from '../../common/errors/unique-name.js';
import { type Page, type PageQueryDto, pageOf } from '../../common/http/pagination.dto.js';
import { AuditService } from '../audit/audit.service.js';
import { TemplatesService } from '../templates/templates.service.js';
import { toTeamTypeResponse } from './dto/teams.mappers.js';
import type { RoleLinkDto, TeamTypeInputDto, TeamTypeResponseDto, UpdateTeamTypeDto } from './dto/teams.dto.js';
import { RolesService } from './roles.service.js';
import type { TeamTypeEntity } from './team-type.entity.js';
import { TeamTypesRepository } from './team-types.repository.js';

@Injectable()
export class TeamTypesService {
  constructor(
    private readonly types: TeamTypesRepository,
    private readonly roles: RolesService,
    private readonly templates: TemplatesService,
    private readonly audit: AuditService,
  ) {}

  async list(query: PageQueryDto): Promise<Page<TeamTypeResponseDto>> {
    const [rows, total] = await this.types.list(query.limit, query.offset);
    return pageOf(await this.withRoles(rows), total, query);
  }

  async get(id: string): Promise<TeamTypeResponseDto> {
    const [response] = await this.withRoles([await this.require(id)]);
    return response;
  }

  async create(ctx: RequestContext, dto: TeamTypeInputDto): Promise<TeamTypeResponseDto> {
    const type = await withUniqueName('team_type', () =>
      this.types.create({ name: dto.name, description: dto.description ?? null }),
    );
    await this.audit.record(ctx, {
      action: 'team_type.created',
      targetType: 'team_type',
      targetId: type.id,
      details: { name: type.name },
    });
    return toTeamTypeResponse(type, []);
  }

  async update(ctx: RequestContext, id: string, dto: UpdateTeamTypeDto): Promise<TeamTypeResponseDto> {
    await this.require(id);
    await withUniqueName('team_type', () => this.types.update(id, dto));
    await this.audit.record(ctx, {
      action: 'team_type.updated',
      targetType: 'team_type',
      targetId: id,
      details: { ...dto },
    });
    return this.get(id);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.require(id);
    const teamIds = await this.types.teamIdsUsing(id);
    if (teamIds.length > 0) {
      throw new ConflictError('The team type is still used by teams', 'team_type_in_use', { teamIds });
    }
    await this.types.delete(id);
    await this.audit.record(ctx, { action: 'team_type.deleted', targetType: 'team_type', targetId: id });
  }

  async roleLinks(id: string): Promise<RoleLinkDto[]> {
    return (await this.get(id)).roles;
  }

  async linkRole(ctx: RequestContext, id: string, roleId: string, templateId?: string): Promise<RoleLinkDto[]> {
    await this.require(id);
    await this.roles.require(roleId);
    await this.requireTemplate(templateId);
    if (await this.types.getLink(id, roleId)) {
      throw new ConflictError('The role is already linked to this team type', 'role_already_linked');
    }
    await this.types.link(id, roleId, templateId ?? null);
    await this.audit.record(ctx, {
      action: 'team_type.role_linked',
      targetType: 'team_type',
      targetId: id,
      details: { roleId, templateId },
    });
    return this.roleLinks(id);
  }

  async setRoleTemplate(
    ctx: RequestContext,
    id: string,
    roleId: string,
    templateId: string | null,
  ): Promise<RoleLinkDto[]> {
    await this.requireLink(id, roleId);
    await this.requireTemplate(templateId);
    await this.types.setLinkTemplate(id, roleId, templateId);
    await this.audit.record(ctx, {
      action: 'team_type.role_template_updated',
      targetType: 'team_type',
      targetId: id,
      details: { roleId, templateId },
    });
    return this.roleLinks(id);
  }

  async unlinkRole(ctx: RequestContext, id: string, roleId: string): Promise<void> {
    await this.requireLink(id, roleId);
    const memberIds = await this.types.memberIdsWithRole(id, roleId);
    if (memberIds.length > 0) {
      throw new ConflictError('Members of teams of this type still hold the role', 'role_in_use', {
        teamMemberIds: memberIds,
      });
    }
    await this.types.unlink(id, roleId);
    await this.audit.record(ctx, {
      action: 'team_type.role_unlinked',
      targetType: 'team_type',
      targetId: id,
      details: { roleId },
    });
  }

  /** The roles a type allows; an empty list means any role. */
  async allowedRoleIds(id: string): Promise<string[]> {
    return (await this.types.linksOf([id])).map((link) => link.roleId);
  }

  /** The type, or 404 `team_type_not_found`. */
  async require(id: string): Promise<TeamTypeEntity> {
    const type = await this.types.getById(id);
    if (!type) {
      throw new NotFoundError('team_type');
    }
    return type;
  }

  private async requireLink(id: string, roleId: string): Promise<void> {
    await this.require(id);
    if (!(await this.types.getLink(id, roleId))) {
      throw new NotFoundError('role_link', 'The role is not linked to this team type');
    }
  }

  private async requireTemplate(templateId: string | null | undefined): Promise<void> {
    if (templateId && !(await this.templates.exists(templateId))) {
      throw new NotFoundError('template');
    }
  }

  private async withRoles(types: TeamTypeEntity[]): Promise<TeamTypeResponseDto[]> {
    const links = await this.types.linksOf(types.map((type) => type.id));
    return types.map((type) =>
      toTeamTypeResponse(
        type,
        links
          .filter((link) => link.teamTypeId === type.id)
          .map((link) => ({ roleId: link.roleId, roleName: link.role!.name, templateId: link.templateId })),
      ),
    );
  }
}
