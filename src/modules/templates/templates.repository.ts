import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { definedOnly } from '../../common/defined-only.js';
import type { TemplateReferenceHolder } from './template-references.js';
import { TemplateEntity } from './template.entity.js';

export type TemplateValues = Pick<TemplateEntity, 'name' | 'description' | 'promptTemplate'>;

/** What deleting a template cleared, by the ids of the rows that pointed at it. */
export interface ClearedReferences {
  roles: string[];
  teamTypeRoleLinks: Array<{ teamTypeId: string; roleId: string }>;
  teamMembers: string[];
}

/** The transaction a template deletion runs in, handed to the modules that clear their references. */
export type TemplateTransaction = EntityManager;

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

  /** Inserts the templates that do not exist yet (by name), leaving existing ones as they are. */
  async ensureByName(templates: TemplateValues[]): Promise<{ ids: Map<string, string>; inserted: number }> {
    const ids = new Map<string, string>();
    let inserted = 0;
    for (const { name, description, promptTemplate } of templates) {
      const [row] = await this.repository.query<Array<{ id: string; inserted: boolean }>>(
        `INSERT INTO templates (name, description, prompt_template) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, (xmax = 0) AS inserted`,
        [name, description, promptTemplate],
      );
      ids.set(name, row.id);
      inserted += row.inserted ? 1 : 0;
    }
    return { ids, inserted };
  }

  /**
   * Locks the template, lets every holder clear its references in the same transaction, and deletes it,
   * reporting what was cleared. The foreign keys would null the references too, but silently.
   */
  deleteClearingReferences(id: string, holders: readonly TemplateReferenceHolder[]): Promise<ClearedReferences | null> {
    return this.repository.manager.transaction(async (manager) => {
      const locked = await manager.query<unknown[]>('SELECT id FROM templates WHERE id = $1 FOR UPDATE', [id]);
      if (locked.length === 0) {
        return null;
      }
      const cleared: ClearedReferences = { roles: [], teamTypeRoleLinks: [], teamMembers: [] };
      for (const holder of holders) {
        Object.assign(cleared, await holder.clearTemplate(id, manager));
      }
      await manager.delete(TemplateEntity, { id });
      return cleared;
    });
  }
}
