import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { definedOnly } from '../../common/defined-only.js';
import { TemplateEntity } from './template.entity.js';

export type TemplateValues = Pick<TemplateEntity, 'name' | 'description' | 'promptTemplate'>;

/** What deleting a template cleared, by the ids of the rows that pointed at it. */
export interface ClearedReferences {
  roles: string[];
  teamTypeRoleLinks: Array<{ teamTypeId: string; roleId: string }>;
  teamMembers: string[];
}

@Injectable()
export class TemplatesRepository {
  constructor(@InjectRepository(TemplateEntity) private readonly repository: Repository<TemplateEntity>) {}

  getById(id: string): Promise<TemplateEntity | null> {
    return this.repository.findOneBy({ id });
  }

  getByName(name: string): Promise<TemplateEntity | null> {
    return this.repository.findOneBy({ name });
  }

  list(limit: number, offset: number): Promise<[TemplateEntity[], number]> {
    return this.repository.findAndCount({ order: { name: 'ASC' }, take: limit, skip: offset });
  }

  create(values: TemplateValues): Promise<TemplateEntity> {
    return this.repository.save(this.repository.create(values));
  }

  async update(id: string, values: Partial<TemplateValues>): Promise<TemplateEntity | null> {
    await this.repository.update({ id }, definedOnly(values));
    return this.getById(id);
  }

  /**
   * Clears every reference (role defaults, type–role links, member overrides) and deletes the template in
   * one transaction, reporting what was cleared. The foreign keys would null them too, but silently.
   */
  deleteClearingReferences(id: string): Promise<ClearedReferences | null> {
    return this.repository.manager.transaction(async (manager) => {
      const locked = await manager.query<unknown[]>('SELECT id FROM templates WHERE id = $1 FOR UPDATE', [id]);
      if (locked.length === 0) {
        return null;
      }
      const [roles] = await manager.query<[Array<{ id: string }>, number]>(
        'UPDATE roles SET default_template_id = NULL WHERE default_template_id = $1 RETURNING id',
        [id],
      );
      const [links] = await manager.query<[Array<{ team_type_id: string; role_id: string }>, number]>(
        'UPDATE team_type_role_links SET template_id = NULL WHERE template_id = $1 RETURNING team_type_id, role_id',
        [id],
      );
      const [members] = await manager.query<[Array<{ id: string }>, number]>(
        'UPDATE team_members SET custom_template_id = NULL WHERE custom_template_id = $1 RETURNING id',
        [id],
      );
      await manager.delete(TemplateEntity, { id });
      return {
        roles: roles.map((row) => row.id),
        teamTypeRoleLinks: links.map((row) => ({ teamTypeId: row.team_type_id, roleId: row.role_id })),
        teamMembers: members.map((row) => row.id),
      };
    });
  }
}
