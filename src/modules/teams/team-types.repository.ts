import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { definedOnly } from '../../common/defined-only.js';
import { TeamTypeRoleLinkEntity } from './team-type-role-link.entity.js';
import { TeamTypeEntity } from './team-type.entity.js';

export type TeamTypeValues = Pick<TeamTypeEntity, 'name' | 'description'>;

@Injectable()
export class TeamTypesRepository {
  constructor(
    @InjectRepository(TeamTypeEntity) private readonly types: Repository<TeamTypeEntity>,
    @InjectRepository(TeamTypeRoleLinkEntity) private readonly links: Repository<TeamTypeRoleLinkEntity>,
  ) {}

  getById(id: string): Promise<TeamTypeEntity | null> {
    return this.types.findOneBy({ id });
  }

  list(limit: number, offset: number): Promise<[TeamTypeEntity[], number]> {
    return this.types.findAndCount({ order: { name: 'ASC' }, take: limit, skip: offset });
  }

  create(values: TeamTypeValues): Promise<TeamTypeEntity> {
    return this.types.save(this.types.create(values));
  }

  async update(id: string, values: Partial<TeamTypeValues>): Promise<TeamTypeEntity | null> {
    await this.types.update({ id }, definedOnly(values));
    return this.getById(id);
  }

  async delete(id: string): Promise<void> {
    await this.types.delete({ id });
  }

  /** Teams that use the type: a type in use cannot be deleted. */
  async teamIdsUsing(id: string): Promise<string[]> {
    const rows = await this.types.query<Array<{ id: string }>>('SELECT id FROM teams WHERE team_type_id = $1', [id]);
    return rows.map((row) => row.id);
  }

  /** The links of these types, each with its role (for the role's name), in one query. */
  linksOf(typeIds: string[]): Promise<TeamTypeRoleLinkEntity[]> {
    return typeIds.length === 0
      ? Promise.resolve([])
      : this.links.find({ where: { teamTypeId: In(typeIds) }, relations: { role: true }, order: { roleId: 'ASC' } });
  }

  getLink(teamTypeId: string, roleId: string): Promise<TeamTypeRoleLinkEntity | null> {
    return this.links.findOneBy({ teamTypeId, roleId });
  }

  async link(teamTypeId: string, roleId: string, templateId: string | null): Promise<void> {
    await this.links.insert({ teamTypeId, roleId, templateId });
  }

  async setLinkTemplate(teamTypeId: string, roleId: string, templateId: string | null): Promise<void> {
    await this.links.update({ teamTypeId, roleId }, { templateId });
  }

  async unlink(teamTypeId: string, roleId: string): Promise<void> {
    await this.links.delete({ teamTypeId, roleId });
  }

  /** Members of teams of this type who hold the role: unlinking it would leave them invalid. */
  async memberIdsWithRole(teamTypeId: string, roleId: string): Promise<string[]> {
    const rows = await this.types.query<Array<{ id: string }>>(
      `SELECT m.id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE t.team_type_id = $1 AND m.role_id = $2`,
      [teamTypeId, roleId],
    );
    return rows.map((row) => row.id);
  }
}
