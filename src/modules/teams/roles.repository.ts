import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { definedOnly } from '../../common/defined-only.js';
import { RoleEntity } from './role.entity.js';

export type RoleValues = Pick<RoleEntity, 'name' | 'description' | 'defaultTemplateId'>;

export interface RoleUsage {
  teamTypeIds: string[];
  teamMemberIds: string[];
}

@Injectable()
export class RolesRepository {
  constructor(@InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>) {}

  getById(id: string): Promise<RoleEntity | null> {
    return this.roles.findOneBy({ id });
  }

  list(limit: number, offset: number): Promise<[RoleEntity[], number]> {
    return this.roles.findAndCount({ order: { name: 'ASC' }, take: limit, skip: offset });
  }

  create(values: RoleValues): Promise<RoleEntity> {
    return this.roles.save(this.roles.create(values));
  }

  async update(id: string, values: Partial<RoleValues>): Promise<RoleEntity | null> {
    await this.roles.update({ id }, definedOnly(values));
    return this.getById(id);
  }

  async delete(id: string): Promise<void> {
    await this.roles.delete({ id });
  }

  async usage(id: string): Promise<RoleUsage> {
    const [links, members] = await Promise.all([
      this.roles.query<Array<{ team_type_id: string }>>(
        'SELECT team_type_id FROM team_type_role_links WHERE role_id = $1',
        [id],
      ),
      this.roles.query<Array<{ id: string }>>('SELECT id FROM team_members WHERE role_id = $1', [id]),
    ]);
    return { teamTypeIds: links.map((row) => row.team_type_id), teamMemberIds: members.map((row) => row.id) };
  }
}
