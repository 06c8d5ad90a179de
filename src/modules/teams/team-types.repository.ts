import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { definedOnly } from '../../common/defined-only.js';
import { TeamTypeRoleLinkEntity } from './team-type-role-link.entity.js';
import { TeamTypeEntity } from './team-type.entity.js';

export type TeamTypeValues = Pick<TeamTypeEntity, 'name' | 'description'>;

/** A default team type with its roles, each naming the (already existing) template it starts with. */
export interface TeamTypeSeed {
  name: string;
  description: string;
  roles: Array<{ role: string; templateId: string }>;
}

// Serialises seeding across instances that start together.
const SEED_LOCK_KEY = 7_316_427_301;

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

  /**
   * Adds the missing types, roles and links by name in one transaction under an advisory lock; existing
   * rows stay as they are, and a role's default template is set only while it is empty. Returns how many
   * types and roles were added.
   */
  seed(types: TeamTypeSeed[]): Promise<number> {
    return this.types.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
      let inserted = 0;
      const upsertId = async (sql: string, params: unknown[]): Promise<string> => {
        const rows = await manager.query<Array<{ id: string; inserted: boolean }>>(sql, params);
        inserted += rows[0].inserted ? 1 : 0;
        return rows[0].id;
      };
      for (const type of types) {
        const typeId = await upsertId(
          `INSERT INTO team_types (name, description) VALUES ($1, $2)
           ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, (xmax = 0) AS inserted`,
          [type.name, type.description],
        );
        for (const { role, templateId } of type.roles) {
          const roleId = await upsertId(
            `INSERT INTO roles (name, default_template_id) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET default_template_id = COALESCE(roles.default_template_id, EXCLUDED.default_template_id)
             RETURNING id, (xmax = 0) AS inserted`,
            [role, templateId],
          );
          await manager.query(
            `INSERT INTO team_type_role_links (team_type_id, role_id, template_id) VALUES ($1, $2, $3)
             ON CONFLICT (team_type_id, role_id) DO NOTHING`,
            [typeId, roleId, templateId],
          );
        }
      }
      return inserted;
    });
  }
}
