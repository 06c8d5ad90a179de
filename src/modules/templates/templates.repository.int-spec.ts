import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createAgent } from '../../../test/factories/agent.factory.js';
import { addMember, createRole, createTeam, createTeamType, linkRole } from '../../../test/factories/team.factory.js';
import { createTemplate, templatesRepository } from '../../../test/factories/template.factory.js';
import { openTestInstances, type TestInstances } from '../../../test/utils/test-database.js';
import { TeamTemplateReferencesRepository } from '../teams/team-template-references.repository.js';
import type { TemplateReferenceHolder } from './template-references.js';
import { TemplatesRepository } from './templates.repository.js';

describe(TemplatesRepository.name, () => {
  let instances: TestInstances;
  let source: DataSource;
  let templates: TemplatesRepository;
  const holders = [new TeamTemplateReferencesRepository()];

  beforeAll(async () => {
    instances = await openTestInstances();
    [source] = instances.sources;
    templates = templatesRepository(source);
  });
  afterAll(async () => {
    await instances.close();
  });

  const column = async (sql: string, id: string): Promise<unknown> =>
    ((await source.query<Array<{ value: unknown }>>(sql, [id]))[0] ?? { value: 'no row' }).value;

  describe('ensureByName', () => {
    it('inserts the missing templates, keeps existing ones as they are, and returns every id by name', async () => {
      const existing = await createTemplate(source, { promptTemplate: 'Our own text' });
      const fresh = `fresh-${randomUUID()}`;
      const result = await templates.ensureByName([
        { name: existing.name, description: 'seeded', promptTemplate: 'Seeded text' },
        { name: fresh, description: null, promptTemplate: 'New {{task}}' },
      ]);
      expect(result.inserted).toBe(1);
      expect(result.ids.get(existing.name)).toBe(existing.id);
      expect(await templates.getById(existing.id)).toEqual(existing);
      expect(await templates.getById(result.ids.get(fresh)!)).toMatchObject({
        name: fresh,
        promptTemplate: 'New {{task}}',
      });

      const again = await templates.ensureByName([{ name: fresh, description: 'other', promptTemplate: 'other' }]);
      expect(again).toEqual({ ids: new Map([[fresh, result.ids.get(fresh)]]), inserted: 0 });
      expect(await templates.getById(result.ids.get(fresh)!)).toMatchObject({
        description: null,
        promptTemplate: 'New {{task}}',
      });
    });
  });

  describe('deleteClearingReferences', () => {
    it('clears the role defaults, link templates and member overrides pointing at it, reports them, and deletes it', async () => {
      const doomed = await createTemplate(source);
      const kept = await createTemplate(source);
      const role = await createRole(source, { defaultTemplateId: doomed.id });
      const decoyRole = await createRole(source, { defaultTemplateId: kept.id });
      const [type, otherType] = [await createTeamType(source), await createTeamType(source)];
      await linkRole(source, { teamTypeId: type.id, roleId: role.id, templateId: doomed.id });
      await linkRole(source, { teamTypeId: type.id, roleId: decoyRole.id, templateId: kept.id });
      await linkRole(source, { teamTypeId: otherType.id, roleId: role.id, templateId: doomed.id });
      const team = await createTeam(source, { teamTypeId: type.id });
      const member = await addMember(source, {
        teamId: team.id,
        agentId: (await createAgent(source)).id,
        roleId: role.id,
        customTemplateId: doomed.id,
      });
      const decoyMember = await addMember(source, {
        teamId: team.id,
        agentId: (await createAgent(source)).id,
        roleId: decoyRole.id,
        customTemplateId: kept.id,
      });

      const cleared = await templates.deleteClearingReferences(doomed.id, holders);
      const byType = (a: { teamTypeId: string }, b: { teamTypeId: string }): number =>
        a.teamTypeId.localeCompare(b.teamTypeId);
      expect({ ...cleared!, teamTypeRoleLinks: [...cleared!.teamTypeRoleLinks].sort(byType) }).toEqual({
        roles: [role.id],
        teamTypeRoleLinks: [
          { teamTypeId: type.id, roleId: role.id },
          { teamTypeId: otherType.id, roleId: role.id },
        ].sort(byType),
        teamMembers: [member.id],
      });

      expect(await templates.getById(doomed.id)).toBeNull();
      expect(await templates.getById(kept.id)).not.toBeNull();
      const roleDefault = 'SELECT default_template_id AS value FROM roles WHERE id = $1';
      expect(await column(roleDefault, role.id)).toBeNull();
      expect(await column(roleDefault, decoyRole.id)).toBe(kept.id);
      const links = await source.query<Array<{ team_type_id: string; role_id: string; template_id: string | null }>>(
        'SELECT team_type_id, role_id, template_id FROM team_type_role_links WHERE team_type_id = ANY($1)',
        [[type.id, otherType.id]],
      );
      expect(links.map((l) => `${l.team_type_id}/${l.role_id}:${l.template_id}`).sort()).toEqual(
        [
          `${type.id}/${role.id}:null`,
          `${type.id}/${decoyRole.id}:${kept.id}`,
          `${otherType.id}/${role.id}:null`,
        ].sort(),
      );
      const override = 'SELECT custom_template_id AS value FROM team_members WHERE id = $1';
      expect(await column(override, member.id)).toBeNull();
      expect(await column(override, decoyMember.id)).toBe(kept.id);
    });

    it('reports nothing cleared for a template nothing uses', async () => {
      const template = await createTemplate(source);
      expect(await templates.deleteClearingReferences(template.id, holders)).toEqual({
        roles: [],
        teamTypeRoleLinks: [],
        teamMembers: [],
      });
      expect(await templates.getById(template.id)).toBeNull();
    });

    it('answers null for a missing template, asking no holder to clear anything', async () => {
      const asked: string[] = [];
      const spy: TemplateReferenceHolder = {
        clearTemplate: (templateId) => {
          asked.push(templateId);
          return Promise.resolve({});
        },
      };
      expect(await templates.deleteClearingReferences(randomUUID(), [spy])).toBeNull();
      expect(asked).toEqual([]);
    });

    it('clears nothing and keeps the template when a holder fails: one transaction', async () => {
      const template = await createTemplate(source);
      const role = await createRole(source, { defaultTemplateId: template.id });
      const failing: TemplateReferenceHolder = {
        clearTemplate: () => Promise.reject(new Error('holder failed')),
      };
      await expect(templates.deleteClearingReferences(template.id, [...holders, failing])).rejects.toThrow(
        'holder failed',
      );
      expect(await templates.getById(template.id)).not.toBeNull();
      expect(await column('SELECT default_template_id AS value FROM roles WHERE id = $1', role.id)).toBe(template.id);
    });
  });
});
