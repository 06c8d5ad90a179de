import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ConflictError, NotFoundError } from '../../common/errors/domain-errors.js';
import { PgErrorCode, sqlState } from '../../common/errors/database-errors.js';
import { withUniqueName } from '../../common/errors/unique-name.js';
import { type Page, pageOf } from '../../common/http/pagination.dto.js';
import { AgentsService } from '../agents/agents.service.js';
import { AuditService } from '../audit/audit.service.js';
import { TemplatesService } from '../templates/templates.service.js';
import { toMemberResponse, toTeamResponse } from './dto/teams.mappers.js';
import type {
  AddMemberDto,
  ListTeamsQueryDto,
  TeamInputDto,
  TeamMemberResponseDto,
  TeamResponseDto,
  UpdateTeamDto,
} from './dto/teams.dto.js';
import { RolesService } from './roles.service.js';
import { assertRolesFitType } from './team-type-fit.js';
import { TeamTypesService } from './team-types.service.js';
import type { TeamMemberEntity } from './team-member.entity.js';
import type { TeamEntity } from './team.entity.js';
import { TeamsRepository } from './teams.repository.js';

/** A team an agent belongs to, and its role there (an agent is in a team at most once). */
export type AgentMembership = Pick<TeamMemberEntity, 'teamId' | 'roleId'>;

/** Teams and their members (SPEC section 5). */
@Injectable()
export class TeamsService {
  constructor(
    private readonly teams: TeamsRepository,
    private readonly types: TeamTypesService,
    private readonly roles: RolesService,
    private readonly agents: AgentsService,
    private readonly templates: TemplatesService,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListTeamsQueryDto): Promise<Page<TeamResponseDto>> {
    const [rows, total] = await this.teams.list(query);
    const members = await this.teams.membersOf(rows.map((team) => team.id));
    const items = rows.map((team) =>
      toTeamResponse(
        team,
        members.filter((member) => member.teamId === team.id),
      ),
    );
    return pageOf(items, total, query);
  }

  /** Whether a team with this id exists (for other modules' references). */
  async exists(id: string): Promise<boolean> {
    return (await this.teams.getById(id)) !== null;
  }

  async get(id: string): Promise<TeamResponseDto> {
    const team = await this.require(id);
    return toTeamResponse(team, await this.teams.membersOf([id]));
  }

  /** The agent's memberships, read fresh (no cache), so a removal takes effect on the next claim. */
  membershipsOfAgent(agentId: string): Promise<AgentMembership[]> {
    return this.teams.membershipsOfAgent(agentId);
  }

  async create(ctx: RequestContext, dto: TeamInputDto): Promise<TeamResponseDto> {
    if (dto.teamTypeId) {
      await this.types.require(dto.teamTypeId);
    }
    const team = await withUniqueName('team', () =>
      this.teams.save({
        name: dto.name,
        description: dto.description ?? null,
        teamTypeId: dto.teamTypeId ?? null,
        isActive: dto.isActive ?? false,
      }),
    );
    await this.audit.record(ctx, {
      action: 'team.created',
      targetType: 'team',
      targetId: team.id,
      details: { ...dto },
    });
    return toTeamResponse(team, []);
  }

  async update(ctx: RequestContext, id: string, dto: UpdateTeamDto): Promise<TeamResponseDto> {
    const team = await this.require(id);
    if (dto.teamTypeId && dto.teamTypeId !== team.teamTypeId) {
      await this.types.require(dto.teamTypeId);
      await this.assertMembersFitType(id, dto.teamTypeId);
    }
    await withUniqueName('team', () => this.teams.save(dto, id));
    await this.audit.record(ctx, { action: 'team.updated', targetType: 'team', targetId: id, details: { ...dto } });
    return this.get(id);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    const team = await this.require(id);
    await this.teams.delete(id); // members go with it (ON DELETE CASCADE)
    await this.audit.record(ctx, {
      action: 'team.deleted',
      targetType: 'team',
      targetId: id,
      details: { name: team.name },
    });
  }

  async activate(ctx: RequestContext, id: string): Promise<TeamResponseDto> {
    await this.require(id);
    await this.teams.save({ isActive: true }, id);
    await this.audit.record(ctx, { action: 'team.activated', targetType: 'team', targetId: id });
    return this.get(id);
  }

  async addMember(ctx: RequestContext, id: string, dto: AddMemberDto): Promise<TeamMemberResponseDto> {
    const team = await this.require(id);
    if (!(await this.agents.exists(dto.agentId))) {
      throw new NotFoundError('agent');
    }
    await this.roles.require(dto.roleId);
    await this.assertRoleFitsType(team.teamTypeId, dto.roleId);
    if (dto.customTemplateId && !(await this.templates.exists(dto.customTemplateId))) {
      throw new NotFoundError('template');
    }
    let member;
    try {
      member = await this.teams.addMember({
        teamId: id,
        agentId: dto.agentId,
        roleId: dto.roleId,
        customTemplateId: dto.customTemplateId ?? null,
      });
    } catch (error) {
      if (sqlState(error) === PgErrorCode.UniqueViolation) {
        throw new ConflictError('The agent is already a member of this team', 'already_member');
      }
      throw error;
    }
    await this.audit.record(ctx, {
      action: 'team.member_added',
      targetType: 'team',
      targetId: id,
      details: { memberId: member.id, ...dto },
    });
    return toMemberResponse(member);
  }

  async removeMember(ctx: RequestContext, id: string, memberId: string): Promise<void> {
    await this.require(id);
    const member = await this.teams.getMember(id, memberId);
    if (!member) {
      throw new NotFoundError('team_member');
    }
    await this.teams.removeMember(memberId);
    await this.audit.record(ctx, {
      action: 'team.member_removed',
      targetType: 'team',
      targetId: id,
      details: { memberId, agentId: member.agentId },
    });
  }

  private async require(id: string): Promise<TeamEntity> {
    const team = await this.teams.getById(id);
    if (!team) {
      throw new NotFoundError('team');
    }
    return team;
  }

  // A team without a type admits any role.
  private async assertRoleFitsType(teamTypeId: string | null, roleId: string): Promise<void> {
    if (teamTypeId) {
      assertRolesFitType(await this.types.allowedRoleIds(teamTypeId), [roleId]);
    }
  }

  private async assertMembersFitType(teamId: string, teamTypeId: string): Promise<void> {
    const allowed = await this.types.allowedRoleIds(teamTypeId);
    // A type without links admits every member, so their roles need not be read.
    if (allowed.length > 0) {
      assertRolesFitType(
        allowed,
        (await this.teams.membersOf([teamId])).map((member) => member.roleId),
      );
    }
  }
}
