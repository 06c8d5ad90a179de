import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createAgent } from '../../../test/factories/agent.factory.js';
import {
  addMember,
  createRole,
  createTeam,
  createTeamType,
  linkRole,
  teamTypesRepository,
} from '../../../test/factories/team.factory.js';
import { createTemplate, templatesRepository } from '../../../test/factories/template.factory.js';
import { openTestInstances, type TestInstances } from '../../../test/utils/test-database.js';
import type { TemplatesService } from '../templates/templates.service.js';
import { DefaultTeamTypesSeeder } from './default-team-types.seeder.js';
import type { TeamTypesRepository } from './team-types.repository.js';

interface SeedCounts {
  teamTypes: number;
  roles: number;
  templates: number;
  links: number;
}

describe('TeamTypesRepository', () => {
  let instances: TestInstances;
  const sources: DataSource[] = [];
  let source: DataSource;
  let types: TeamTypesRepository;

  beforeAll(async () => {
    // Three independent pools stand in for three hub instances starting together.
    instances = await openTestInstances(3);
    sources.push(...instances.sources);
    [source] = sources;
    types = teamTypesRepository(source);
  });
  afterAll(async () => {
    await instances.close();
  });
  beforeEach(async () => {
    await source.query('TRUNCATE team_types, roles, templates, teams CASCADE');
  });

  describe('links', () => {
    it('lists the links of the given types with their roles, by role id, and nothing for no types', async () => {
      const [type, other] = [await createTeamType(source), await createTeamType(source)];
      const [first, second] = [await createRole(source), await createRole(source)];
      const template = await createTemplate(source);
      await linkRole(source, { teamTypeId: type.id, roleId: first.id, templateId: template.id });
      await linkRole(source, { teamTypeId: type.id, roleId: second.id });
      await linkRole(source, { teamTypeId: other.id, roleId: first.id });

      const links = await types.linksOf([type.id]);
      expect(links.map((link) => [link.roleId, link.role?.name, link.templateId])).toEqual(
        [
          [first.id, first.name, template.id],
          [second.id, second.name, null],
        ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
      );
      expect(await types.linksOf([type.id, other.id])).toHaveLength(3);
      expect(await types.linksOf([])).toEqual([]);
    });

    it("reads, re-templates, clears and removes one link, leaving the type's other links alone", async () => {
      const type = await createTeamType(source);
      const [role, kept] = [await createRole(source), await createRole(source)];
      const template = await createTemplate(source);
      await linkRole(source, { teamTypeId: type.id, roleId: role.id });
      await linkRole(source, { teamTypeId: type.id, roleId: kept.id, templateId: template.id });

      await types.setLinkTemplate(type.id, role.id, template.id);
      expect(await types.getLink(type.id, role.id)).toMatchObject({ templateId: template.id });
      await types.setLinkTemplate(type.id, role.id, null);
      expect(await types.getLink(type.id, role.id)).toMatchObject({ templateId: null });
      await types.unlink(type.id, role.id);
      expect(await types.getLink(type.id, role.id)).toBeNull();
      expect(await types.getLink(type.id, kept.id)).toMatchObject({ templateId: template.id });
    });

    it('goes with its type when the type is deleted', async () => {
      const type = await createTeamType(source);
      const role = await createRole(source);
      await linkRole(source, { teamTypeId: type.id, roleId: role.id });
      await types.delete(type.id);
      expect(await types.getById(type.id)).toBeNull();
      expect(await source.query('SELECT * FROM team_type_role_links WHERE team_type_id = $1', [type.id])).toEqual([]);
    });
  });

  describe('teamIdsUsing', () => {
    it('names the teams of the type, and none once they are deleted or have no type', async () => {
      const [type, other] = [await createTeamType(source), await createTeamType(source)];
      const first = await createTeam(source, { teamTypeId: type.id });
      const second = await createTeam(source, { teamTypeId: type.id });
      await createTeam(source, { teamTypeId: other.id });
      await createTeam(source);
      expect((await types.teamIdsUsing(type.id)).sort()).toEqual([first.id, second.id].sort());

      await source.query('DELETE FROM teams WHERE id = $1', [first.id]);
      expect(await types.teamIdsUsing(type.id)).toEqual([second.id]);
      await source.query('UPDATE teams SET team_type_id = NULL WHERE id = $1', [second.id]);
      expect(await types.teamIdsUsing(type.id)).toEqual([]);
    });
  });

  describe('memberIdsWithRole', () => {
    it('names the members holding the role in teams of this type only', async () => {
      const [type, sibling] = [await createTeamType(source), await createTeamType(source)];
      const [held, other] = [await createRole(source), await createRole(source)];
      const [agent, second] = [await createAgent(source), await createAgent(source)];
      const team = await createTeam(source, { teamTypeId: type.id });
      const holder = await addMember(source, { teamId: team.id, agentId: agent.id, roleId: held.id });
      await addMember(source, { teamId: team.id, agentId: second.id, roleId: other.id });
      const siblingTeam = await createTeam(source, { teamTypeId: sibling.id });
      await addMember(source, { teamId: siblingTeam.id, agentId: agent.id, roleId: held.id });
      const untyped = await createTeam(source);
      await addMember(source, { teamId: untyped.id, agentId: second.id, roleId: held.id });

      expect(await types.memberIdsWithRole(type.id, held.id)).toEqual([holder.id]);
      await source.query('DELETE FROM team_members WHERE id = $1', [holder.id]);
      expect(await types.memberIdsWithRole(type.id, held.id)).toEqual([]);
    });
  });

  describe('seed (through DefaultTeamTypesSeeder, as every start runs it)', () => {
    // The seeder needs only ensureExist of the templates service, which is the repository's ensureByName.
    const seedOn = (each: DataSource): Promise<void> => {
      const templates = templatesRepository(each);
      const ensureOnly = { ensureExist: (values) => templates.ensureByName(values) } as Pick<
        TemplatesService,
        'ensureExist'
      >;
      return new DefaultTeamTypesSeeder(
        ensureOnly as TemplatesService,
        teamTypesRepository(each),
      ).onApplicationBootstrap();
    };
    const counts = async (): Promise<SeedCounts> => {
      const [row] = await source.query<SeedCounts[]>(
        `SELECT (SELECT count(*)::int FROM team_types) AS "teamTypes", (SELECT count(*)::int FROM roles) AS "roles",
                (SELECT count(*)::int FROM templates) AS "templates",
                (SELECT count(*)::int FROM team_type_role_links) AS "links"`,
      );
      return row;
    };
    const tables = async (): Promise<Record<string, unknown[]>> => ({
      teamTypes: await source.query<unknown[]>('SELECT * FROM team_types ORDER BY id'),
      roles: await source.query<unknown[]>('SELECT * FROM roles ORDER BY id'),
      templates: await source.query<unknown[]>('SELECT * FROM templates ORDER BY id'),
      links: await source.query<unknown[]>('SELECT * FROM team_type_role_links ORDER BY team_type_id, role_id'),
    });
    const roleDefault = async (name: string): Promise<string | null> =>
      (
        await source.query<Array<{ t: string | null }>>('SELECT default_template_id AS t FROM roles WHERE name = $1', [
          name,
        ])
      )[0].t;
    const templateId = async (name: string): Promise<string> =>
      (await source.query<Array<{ id: string }>>('SELECT id FROM templates WHERE name = $1', [name]))[0].id;

    // The seeder logs what it added; here that is every test's noise.
    beforeAll(() => {
      Logger.overrideLogger(false);
    });

    it('adds two types, five roles (one shared Developer), six templates and six links to an empty database', async () => {
      await seedOn(source);
      expect(await counts()).toEqual({ teamTypes: 2, roles: 5, templates: 6, links: 6 });
      const links = await source.query<Array<{ type: string; role: string; template: string }>>(
        `SELECT tt.name AS type, r.name AS role, t.name AS template FROM team_type_role_links l
         JOIN team_types tt ON tt.id = l.team_type_id JOIN roles r ON r.id = l.role_id JOIN templates t ON t.id = l.template_id
         ORDER BY 1, 2`,
      );
      expect(links.map(({ type, role, template }) => `${type}/${role}: ${template}`)).toEqual([
        'Kanban/Developer: Kanban - Developer',
        'Kanban/Flow Manager: Kanban - Flow Manager',
        'Kanban/Service Delivery Manager: Kanban - Service Delivery Manager',
        'Scrum/Developer: Scrum - Developer',
        'Scrum/Product Owner: Scrum - Product Owner',
        'Scrum/Scrum Master: Scrum - Scrum Master',
      ]);
      expect(await roleDefault('Product Owner')).toBe(await templateId('Scrum - Product Owner'));
      expect(await roleDefault('Flow Manager')).toBe(await templateId('Kanban - Flow Manager'));
      expect([await templateId('Scrum - Developer'), await templateId('Kanban - Developer')]).toContain(
        await roleDefault('Developer'),
      );
    });

    it('is idempotent: seeding again leaves every seeded row as it was and reports nothing added', async () => {
      await seedOn(source);
      const before = await tables();
      const templates = await templatesRepository(source).ensureByName([
        { name: 'Scrum - Developer', description: 'other', promptTemplate: 'other' },
      ]);
      expect(templates.inserted).toBe(0);
      expect(
        await types.seed([
          {
            name: 'Scrum',
            description: 'other',
            roles: [{ role: 'Developer', templateId: templates.ids.get('Scrum - Developer')! }],
          },
        ]),
      ).toBe(0);
      await seedOn(source);
      expect(await tables()).toEqual(before);
    });

    it('seeds once when three instances start together on an empty database', async () => {
      await Promise.all(sources.map(seedOn));
      expect(await counts()).toEqual({ teamTypes: 2, roles: 5, templates: 6, links: 6 });
    });

    it("keeps an admin's changes to templates, role defaults, link templates and types, and fills only what is missing", async () => {
      await seedOn(source);
      const custom = await createTemplate(source);
      await source.query(
        `UPDATE templates SET prompt_template = 'Ours: {{team_goal}}' WHERE name = 'Scrum - Product Owner'`,
      );
      await source.query(`UPDATE roles SET default_template_id = $1 WHERE name = 'Scrum Master'`, [custom.id]);
      await source.query(`UPDATE team_types SET description = 'Our Scrum' WHERE name = 'Scrum'`);
      await source.query(
        `UPDATE team_type_role_links SET template_id = $1
         WHERE team_type_id = (SELECT id FROM team_types WHERE name = 'Kanban') AND role_id = (SELECT id FROM roles WHERE name = 'Developer')`,
        [custom.id],
      );
      await source.query(`UPDATE roles SET default_template_id = NULL WHERE name = 'Flow Manager'`);
      await source.query(
        `DELETE FROM team_type_role_links WHERE role_id = (SELECT id FROM roles WHERE name = 'Product Owner')`,
      );
      const before = await tables();

      await seedOn(source);
      const after = await tables();
      expect(after.teamTypes).toEqual(before.teamTypes);
      expect(after.templates).toEqual(before.templates);
      expect(await roleDefault('Scrum Master')).toBe(custom.id);
      // An emptied role default and a removed link are the only rows the seed fills in again.
      expect(await roleDefault('Flow Manager')).toBe(await templateId('Kanban - Flow Manager'));
      expect(after.links).toHaveLength(6);
      expect(after.links).toEqual(expect.arrayContaining(before.links));
      expect(await counts()).toEqual({ teamTypes: 2, roles: 5, templates: 7, links: 6 });
    });
  });
});
