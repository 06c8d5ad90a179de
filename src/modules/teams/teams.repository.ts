import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Not, Repository } from 'typeorm';
import { definedOnly } from '../../common/defined-only.js';
import { TeamMemberEntity } from './team-member.entity.js';
import { TeamEntity } from './team.entity.js';

export type TeamValues = Pick<TeamEntity, 'name' | 'description' | 'teamTypeId' | 'isActive'>;
export type MemberValues = Pick<TeamMemberEntity, 'teamId' | 'agentId' | 'roleId' | 'customTemplateId'>;

@Injectable()
export class TeamsRepository {
  constructor(
    @InjectRepository(TeamEntity) private readonly teams: Repository<TeamEntity>,
    @InjectRepository(TeamMemberEntity) private readonly members: Repository<TeamMemberEntity>,
  ) {}

  getById(id: string): Promise<TeamEntity | null> {
    return this.teams.findOneBy({ id });
  }

  list(filter: {
    teamTypeId?: string;
    isActive?: boolean;
    limit: number;
    offset: number;
  }): Promise<[TeamEntity[], number]> {
    return this.teams.findAndCount({
      where: definedOnly({ teamTypeId: filter.teamTypeId, isActive: filter.isActive }),
      order: { name: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
  }

  membersOf(teamIds: string[]): Promise<TeamMemberEntity[]> {
    return teamIds.length === 0
      ? Promise.resolve([])
      : this.members.find({ where: { teamId: In(teamIds) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The teams the agent belongs to, each with its role there (plain SQL: the claim reads this every time). */
  membershipsOfAgent(agentId: string): Promise<Array<Pick<TeamMemberEntity, 'teamId' | 'roleId'>>> {
    return this.members.query('SELECT team_id AS "teamId", role_id AS "roleId" FROM team_members WHERE agent_id = $1', [
      agentId,
    ]);
  }

  getMember(teamId: string, memberId: string): Promise<TeamMemberEntity | null> {
    return this.members.findOneBy({ id: memberId, teamId });
  }

  /** Creates or changes a team; making it active deactivates every other team in the same transaction. */
  save(values: Partial<TeamValues>, id?: string): Promise<TeamEntity> {
    return this.teams.manager.transaction(async (manager) => {
      if (values.isActive) {
        await manager.update(TeamEntity, id ? { isActive: true, id: Not(id) } : { isActive: true }, {
          isActive: false,
        });
      }
      if (id) {
        await manager.update(TeamEntity, { id }, definedOnly(values));
        return manager.findOneByOrFail(TeamEntity, { id });
      }
      return manager.save(manager.create(TeamEntity, values));
    });
  }

  async delete(id: string): Promise<void> {
    await this.teams.delete({ id });
  }

  addMember(values: MemberValues): Promise<TeamMemberEntity> {
    return this.members.save(this.members.create(values));
  }

  async removeMember(memberId: string): Promise<void> {
    await this.members.delete({ id: memberId });
  }
}
