import { Injectable } from '@nestjs/common';
import type { TemplateReferenceHolder } from '../templates/template-references.js';
import type { ClearedReferences, TemplateTransaction } from '../templates/templates.repository.js';

/** The teams module's rows that point at templates, cleared inside the template deletion's transaction. */
@Injectable()
export class TeamTemplateReferencesRepository implements TemplateReferenceHolder {
  async clearTemplate(templateId: string, transaction: TemplateTransaction): Promise<Partial<ClearedReferences>> {
    const [roles] = await transaction.query<[Array<{ id: string }>, number]>(
      'UPDATE roles SET default_template_id = NULL WHERE default_template_id = $1 RETURNING id',
      [templateId],
    );
    const [links] = await transaction.query<[Array<{ team_type_id: string; role_id: string }>, number]>(
      'UPDATE team_type_role_links SET template_id = NULL WHERE template_id = $1 RETURNING team_type_id, role_id',
      [templateId],
    );
    const [members] = await transaction.query<[Array<{ id: string }>, number]>(
      'UPDATE team_members SET custom_template_id = NULL WHERE custom_template_id = $1 RETURNING id',
      [templateId],
    );
    return {
      roles: roles.map((row) => row.id),
      teamTypeRoleLinks: links.map((row) => ({ teamTypeId: row.team_type_id, roleId: row.role_id })),
      teamMembers: members.map((row) => row.id),
    };
  }
}
