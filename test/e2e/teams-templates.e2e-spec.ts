import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app/create-app.js';
import { createUser, tokenFor } from '../factories/user.factory.js';
import { allAuditEntries, answer, call, codeOf, dataOf, fieldsOf, type Method, sorted } from '../utils/api.js';
import type { AuditEntry, KeyedRegistration, Page } from '../utils/payloads.js';
import {
  type DeletedTemplate,
  inUseDetailsOf,
  type MemberDto,
  type RoleDto,
  type RoleLink,
  type TeamDto,
  type TeamTypeDto,
  type TemplateDto,
  type TemplateWithWarnings,
} from '../utils/teams-api.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN, testConfig } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { unique, UUID } from '../utils/values.js';

const ALLOWED_VARIABLES = [
  'agent_name',
  'task_title',
  'task_description',
  'team_name',
  'role_name',
  'team_goal',
  'anforderungen',
  'funktion',
  'feature_name',
  'title',
  'description',
  'task',
  'endpoint_name',
  'beschreibung',
  'sprache',
  'api_details',
];

const SEED = {
  Scrum: ['Product Owner', 'Scrum Master', 'Developer'],
  Kanban: ['Service Delivery Manager', 'Flow Manager', 'Developer'],
} as const;
const SEEDED_TEMPLATES = [
  'Scrum - Product Owner',
  'Scrum - Scrum Master',
  'Scrum - Developer',
  'Kanban - Service Delivery Manager',
  'Kanban - Flow Manager',
  'Kanban - Developer',
];

/** A second hub on the same database, started and closed again (as a restart or a second replica would). */
async function startAndClose(databaseUrl: string): Promise<void> {
  const second = await createApp(testConfig({ DATABASE_URL: databaseUrl }), { logger: pino({ level: 'silent' }) });
  await second.close();
}

/** Fails with the whole answer in the diff when the status is not the expected one. */
function expectStatus(response: Response, status: number): void {
  expect(answer(response)).toMatchObject({ status });
}

interface SeedCounts {
  teamTypes: number;
  roles: number;
  templates: number;
  links: number;
}

async function seedCounts(db: DataSource): Promise<SeedCounts> {
  const [row] = await db.query<SeedCounts[]>(
    `SELECT (SELECT count(*)::int FROM team_types) AS "teamTypes", (SELECT count(*)::int FROM roles) AS "roles",
            (SELECT count(*)::int FROM templates) AS "templates",
            (SELECT count(*)::int FROM team_type_role_links) AS "links"`,
  );
  return row;
}

async function seedTables(db: DataSource): Promise<Record<string, unknown[]>> {
  return {
    teamTypes: await db.query<unknown[]>('SELECT * FROM team_types ORDER BY id'),
    roles: await db.query<unknown[]>('SELECT * FROM roles ORDER BY id'),
    templates: await db.query<unknown[]>('SELECT * FROM templates ORDER BY id'),
    links: await db.query<unknown[]>('SELECT * FROM team_type_role_links ORDER BY team_type_id, role_id'),
  };
}

describe('Teams, roles, team types, templates and the default seed (SPEC sections 5, 6, 9, 12)', () => {
  let hub: TestApp;
  /** Every successful write of this file, checked against the audit log at the end. */
  const expectedAudit: Array<{ action: string; targetId: string }> = [];

  beforeAll(async () => {
    hub = await startTestApp();
  });
  afterAll(() => hub.close());

  const db = (): DataSource => hub.app.get(DataSource);
  const admin = (): Headers => bearer(TEST_AGENT_TOKEN);
  const api = (method: Method, path: string, body?: object, headers: Headers = admin()) =>
    call(hub.server, method, path, headers, body);
  const audited = (action: string, targetId: string): void => {
    expectedAudit.push({ action, targetId });
  };

  // ---- admin writes that must succeed (each one records the audit entry it must leave) ----

  async function createTemplate(name: string, promptTemplate: string): Promise<TemplateWithWarnings> {
    const response = await api('post', '/api/templates', { name, promptTemplate });
    expectStatus(response, 201);
    const template = dataOf<TemplateWithWarnings>(response);
    audited('template.created', template.id);
    return template;
  }

  async function createRole(name: string, defaultTemplateId?: string): Promise<RoleDto> {
    const response = await api('post', '/api/roles', { name, ...(defaultTemplateId ? { defaultTemplateId } : {}) });
    expectStatus(response, 201);
    const role = dataOf<RoleDto>(response);
    audited('role.created', role.id);
    return role;
  }

  async function createType(name: string): Promise<TeamTypeDto> {
    const response = await api('post', '/api/team-types', { name });
    expectStatus(response, 201);
    const type = dataOf<TeamTypeDto>(response);
    audited('team_type.created', type.id);
    return type;
  }

  async function linkRole(typeId: string, roleId: string, templateId?: string): Promise<RoleLink[]> {
    const response = await api('post', `/api/team-types/${typeId}/roles`, {
      roleId,
      ...(templateId ? { templateId } : {}),
    });
    expectStatus(response, 201);
    audited('team_type.role_linked', typeId);
    return dataOf<RoleLink[]>(response);
  }

  async function createTeam(body: { name?: string; teamTypeId?: string; isActive?: boolean }): Promise<TeamDto> {
    const response = await api('post', '/api/teams', { name: unique('team'), ...body });
    expectStatus(response, 201);
    const team = dataOf<TeamDto>(response);
    audited('team.created', team.id);
    return team;
  }

  async function addMember(
    teamId: string,
    body: { agentId: string; roleId: string; customTemplateId?: string },
  ): Promise<MemberDto> {
    const response = await api('post', `/api/teams/${teamId}/members`, body);
    expectStatus(response, 201);
    audited('team.member_added', teamId);
    return dataOf<MemberDto>(response);
  }

  async function removeMember(teamId: string, memberId: string): Promise<void> {
    expectStatus(await api('delete', `/api/teams/${teamId}/members/${memberId}`), 204);
    audited('team.member_removed', teamId);
  }

  async function registerAgent(): Promise<KeyedRegistration> {
    const name = unique('worker');
    const response = await api('post', '/api/agents/register', { name, url: `http://${name}.test:5001` });
    expectStatus(response, 200);
    const registration = dataOf<KeyedRegistration>(response);
    expect(typeof registration.agentKey).toBe('string');
    return registration;
  }

  // ---- reads ----

  const getTeam = async (id: string): Promise<TeamDto> =>
    dataOf<TeamDto>(await api('get', `/api/teams/${id}`).expect(200));
  const getRole = async (id: string): Promise<RoleDto> =>
    dataOf<RoleDto>(await api('get', `/api/roles/${id}`).expect(200));
  const getType = async (id: string): Promise<TeamTypeDto> =>
    dataOf<TeamTypeDto>(await api('get', `/api/team-types/${id}`).expect(200));
  const membersInDb = async (teamId: string): Promise<Array<{ id: string; role_id: string }>> =>
    db().query('SELECT id, role_id FROM team_members WHERE team_id = $1 ORDER BY id', [teamId]);

  interface Seeded {
    scrum: TeamTypeDto;
    kanban: TeamTypeDto;
    roleId: (name: string) => string;
    templateId: (name: string) => string;
  }

  async function seeded(): Promise<Seeded> {
    const types = dataOf<Page<TeamTypeDto>>(await api('get', '/api/team-types?limit=500').expect(200)).items;
    const roles = dataOf<Page<RoleDto>>(await api('get', '/api/roles?limit=500').expect(200)).items;
    const templates = dataOf<Page<TemplateDto>>(await api('get', '/api/templates?limit=500').expect(200)).items;
    const byName = <T extends { name: string; id: string }>(rows: T[], name: string): T => {
      const found = rows.filter((row) => row.name === name);
      expect(found).toHaveLength(1);
      return found[0];
    };
    return {
      scrum: byName(types, 'Scrum'),
      kanban: byName(types, 'Kanban'),
      roleId: (name) => byName(roles, name).id,
      templateId: (name) => byName(templates, name).id,
    };
  }

  describe('the default seed (Scrum and Kanban, their roles and prompt templates)', () => {
    it('gives a fresh hub the two types, five roles (one shared Developer), six templates and six links', async () => {
      expect(await seedCounts(db())).toEqual({ teamTypes: 2, roles: 5, templates: 6, links: 6 });

      const types = dataOf<Page<TeamTypeDto>>(await api('get', '/api/team-types?limit=500').expect(200));
      const roles = dataOf<Page<RoleDto>>(await api('get', '/api/roles?limit=500').expect(200)).items;
      const templates = dataOf<Page<TemplateDto>>(await api('get', '/api/templates?limit=500').expect(200)).items;
      expect(sorted(types.items.map((type) => type.name))).toEqual(['Kanban', 'Scrum']);
      expect(types.total).toBe(2);
      expect(sorted(roles.map((role) => role.name))).toEqual(
        sorted(['Product Owner', 'Scrum Master', 'Developer', 'Service Delivery Manager', 'Flow Manager']),
      );
      expect(sorted(templates.map((template) => template.name))).toEqual(sorted(SEEDED_TEMPLATES));

      const templateByName = new Map(templates.map((template) => [template.name, template]));
      const roleByName = new Map(roles.map((role) => [role.name, role]));
      for (const typeName of ['Scrum', 'Kanban'] as const) {
        const type = types.items.find((candidate) => candidate.name === typeName)!;
        expect(sorted(type.roles.map((link) => link.roleName))).toEqual(sorted(SEED[typeName]));
        for (const link of type.roles) {
          expect(link.roleId).toBe(roleByName.get(link.roleName)?.id);
          // Each link carries the template of its own type: "Scrum - Developer" vs "Kanban - Developer".
          expect({ type: typeName, role: link.roleName, templateId: link.templateId }).toEqual({
            type: typeName,
            role: link.roleName,
            templateId: templateByName.get(`${typeName} - ${link.roleName}`)?.id,
          });
        }
      }

      const scrumDeveloper = types.items
        .find((t) => t.name === 'Scrum')!
        .roles.find((l) => l.roleName === 'Developer')!;
      const kanbanDeveloper = types.items
        .find((t) => t.name === 'Kanban')!
        .roles.find((l) => l.roleName === 'Developer')!;
      expect(scrumDeveloper.roleId).toBe(kanbanDeveloper.roleId);
      expect(scrumDeveloper.templateId).not.toBe(kanbanDeveloper.templateId);
      expect(roles.filter((role) => role.name === 'Developer')).toHaveLength(1);

      for (const name of SEEDED_TEMPLATES) {
        const template = templateByName.get(name)!;
        expect({ name, containsTeamGoal: template.promptTemplate.includes('{{team_goal}}') }).toEqual({
          name,
          containsTeamGoal: true,
        });
        expect(template.variables).toContain('team_goal');
      }

      // Every role has a default template: the one of its own type (Developer: one of its two).
      const defaults = Object.fromEntries(roles.map((role) => [role.name, role.defaultTemplateId]));
      expect(defaults).toEqual({
        'Product Owner': templateByName.get('Scrum - Product Owner')!.id,
        'Scrum Master': templateByName.get('Scrum - Scrum Master')!.id,
        'Service Delivery Manager': templateByName.get('Kanban - Service Delivery Manager')!.id,
        'Flow Manager': templateByName.get('Kanban - Flow Manager')!.id,
        Developer: expect.stringMatching(UUID),
      });
      expect([templateByName.get('Scrum - Developer')!.id, templateByName.get('Kanban - Developer')!.id]).toContain(
        defaults.Developer,
      );
    });

    it("does not overwrite an admin's changes to seeded templates, role defaults, link templates or types at restart", async () => {
      const seed = await seeded();
      const productOwnerTemplate = seed.templateId('Scrum - Product Owner');
      const customText = 'Our own product owner prompt. Goal: {{team_goal}}. Team: {{team_name}}.';
      const patched = await api('patch', `/api/templates/${productOwnerTemplate}`, { promptTemplate: customText });
      expectStatus(patched, 200);
      expect(dataOf<TemplateWithWarnings>(patched)).toMatchObject({ promptTemplate: customText, warnings: [] });
      audited('template.updated', productOwnerTemplate);

      const custom = await createTemplate(unique('Custom scrum master'), 'Facilitate. Goal: {{team_goal}}');
      const scrumMaster = seed.roleId('Scrum Master');
      expectStatus(await api('patch', `/api/roles/${scrumMaster}`, { defaultTemplateId: custom.id }), 200);
      audited('role.updated', scrumMaster);

      const developer = seed.roleId('Developer');
      const relinked = await api('patch', `/api/team-types/${seed.kanban.id}/roles/${developer}`, {
        templateId: custom.id,
      });
      expectStatus(relinked, 200);
      expect(dataOf<RoleLink[]>(relinked)).toContainEqual({
        roleId: developer,
        roleName: 'Developer',
        templateId: custom.id,
      });
      audited('team_type.role_template_updated', seed.kanban.id);

      expectStatus(await api('patch', `/api/team-types/${seed.scrum.id}`, { description: 'Our Scrum' }), 200);
      audited('team_type.updated', seed.scrum.id);

      const countsBefore = await seedCounts(db());
      expect(countsBefore).toEqual({ teamTypes: 2, roles: 5, templates: 7, links: 6 });
      const before = await seedTables(db());
      await startAndClose(hub.database.url);

      expect(await seedCounts(db())).toEqual(countsBefore);
      expect(await seedTables(db())).toEqual(before);
      const template = dataOf<TemplateDto>(await api('get', `/api/templates/${productOwnerTemplate}`).expect(200));
      expect(template.promptTemplate).toBe(customText);
      expect((await getRole(scrumMaster)).defaultTemplateId).toBe(custom.id);
      expect((await getType(seed.kanban.id)).roles).toContainEqual({
        roleId: developer,
        roleName: 'Developer',
        templateId: custom.id,
      });
      expect((await getType(seed.scrum.id)).description).toBe('Our Scrum');
    });
  });

  describe('membership rules', () => {
    let seed: Seeded;
    let alpha: KeyedRegistration;
    let beta: KeyedRegistration;
    let gamma: KeyedRegistration;
    /** A role no type links. */
    let loneRole: RoleDto;
    /** A type without links. */
    let openType: TeamTypeDto;

    beforeAll(async () => {
      seed = await seeded();
      alpha = await registerAgent();
      beta = await registerAgent();
      gamma = await registerAgent();
      loneRole = await createRole(unique('Tester'));
      openType = await createType(unique('Freeform'));
      expect(openType.roles).toEqual([]);
    });

    it('admits only roles linked to the team type when it has links (400 invalid_role_for_team_type)', async () => {
      const team = await createTeam({ teamTypeId: seed.scrum.id });
      for (const roleId of [seed.roleId('Flow Manager'), seed.roleId('Service Delivery Manager'), loneRole.id]) {
        const response = await api('post', `/api/teams/${team.id}/members`, { agentId: alpha.agent.id, roleId });
        expectStatus(response, 400);
        expect(codeOf(response)).toBe('invalid_role_for_team_type');
      }
      expect(await membersInDb(team.id)).toEqual([]);

      const member = await addMember(team.id, { agentId: alpha.agent.id, roleId: seed.roleId('Developer') });
      expect(member).toEqual({
        id: expect.stringMatching(UUID),
        teamId: team.id,
        agentId: alpha.agent.id,
        roleId: seed.roleId('Developer'),
        customTemplateId: null,
        createdAt: expect.any(String),
      });
      expect((await getTeam(team.id)).members).toEqual([member]);
      // The Kanban-only roles pass in a Kanban team.
      const kanbanTeam = await createTeam({ teamTypeId: seed.kanban.id });
      await addMember(kanbanTeam.id, { agentId: alpha.agent.id, roleId: seed.roleId('Flow Manager') });
      expect((await getTeam(kanbanTeam.id)).members.map((m) => m.roleId)).toEqual([seed.roleId('Flow Manager')]);
    });

    it('lists teams with their members, unfiltered and filtered by type and by activity', async () => {
      const team = await createTeam({ teamTypeId: openType.id });
      const member = await addMember(team.id, { agentId: beta.agent.id, roleId: loneRole.id });
      const paths = {
        all: '/api/teams?limit=500',
        byType: `/api/teams?teamTypeId=${openType.id}&limit=500`,
        byActivity: '/api/teams?isActive=false&limit=500',
        byBoth: `/api/teams?teamTypeId=${openType.id}&isActive=false&limit=500`,
      };
      const responses = Object.fromEntries(
        await Promise.all(Object.entries(paths).map(async ([key, path]) => [key, await api('get', path)] as const)),
      );
      expect(Object.fromEntries(Object.entries(responses).map(([key, response]) => [key, response.status]))).toEqual({
        all: 200,
        byType: 200,
        byActivity: 200,
        byBoth: 200,
      });
      for (const [key, response] of Object.entries(responses)) {
        const page = dataOf<Page<TeamDto>>(response);
        expect({ key, listed: page.items.find((candidate) => candidate.id === team.id)?.members }).toEqual({
          key,
          listed: [member],
        });
        const misfits = page.items.filter(
          (item) =>
            ((key === 'byType' || key === 'byBoth') && item.teamTypeId !== openType.id) ||
            ((key === 'byActivity' || key === 'byBoth') && item.isActive),
        );
        expect({ key, misfits }).toEqual({ key, misfits: [] });
      }
    });

    it('lets a type without links, or a team without a type, take any role', async () => {
      const open = await createTeam({ teamTypeId: openType.id });
      await addMember(open.id, { agentId: alpha.agent.id, roleId: loneRole.id });
      await addMember(open.id, { agentId: beta.agent.id, roleId: seed.roleId('Flow Manager') });
      await addMember(open.id, { agentId: gamma.agent.id, roleId: seed.roleId('Product Owner') });
      const untyped = await createTeam({});
      expect(untyped.teamTypeId).toBeNull();
      await addMember(untyped.id, { agentId: alpha.agent.id, roleId: seed.roleId('Service Delivery Manager') });
      await addMember(untyped.id, { agentId: beta.agent.id, roleId: loneRole.id });
      expect((await membersInDb(open.id)).length).toBe(3);
      expect((await membersInDb(untyped.id)).length).toBe(2);
    });

    it('puts an agent into a team only once (409 already_member)', async () => {
      const team = await createTeam({ teamTypeId: seed.scrum.id });
      const first = await addMember(team.id, { agentId: beta.agent.id, roleId: seed.roleId('Developer') });
      const response = await api('post', `/api/teams/${team.id}/members`, {
        agentId: beta.agent.id,
        roleId: seed.roleId('Scrum Master'),
      });
      expectStatus(response, 409);
      expect(codeOf(response)).toBe('already_member');
      expect(await membersInDb(team.id)).toEqual([{ id: first.id, role_id: seed.roleId('Developer') }]);
    });

    it('answers 404 for an unknown team, agent, role, custom template or team type', async () => {
      const team = await createTeam({ teamTypeId: seed.scrum.id });
      const developer = seed.roleId('Developer');
      const cases: Array<[string, object, string]> = [
        [`/api/teams/${randomUUID()}/members`, { agentId: alpha.agent.id, roleId: developer }, 'team_not_found'],
        [`/api/teams/${team.id}/members`, { agentId: randomUUID(), roleId: developer }, 'agent_not_found'],
        [`/api/teams/${team.id}/members`, { agentId: alpha.agent.id, roleId: randomUUID() }, 'role_not_found'],
        [
          `/api/teams/${team.id}/members`,
          { agentId: alpha.agent.id, roleId: developer, customTemplateId: randomUUID() },
          'template_not_found',
        ],
      ];
      for (const [path, body, code] of cases) {
        const response = await api('post', path, body);
        expect({ path, body, status: response.status, code: codeOf(response) }).toEqual({
          path,
          body,
          status: 404,
          code,
        });
      }
      expect(await membersInDb(team.id)).toEqual([]);

      const reads: Array<[string, string]> = [
        [`/api/teams/${randomUUID()}`, 'team_not_found'],
        [`/api/roles/${randomUUID()}`, 'role_not_found'],
        [`/api/team-types/${randomUUID()}`, 'team_type_not_found'],
        [`/api/team-types/${randomUUID()}/roles`, 'team_type_not_found'],
        [`/api/templates/${randomUUID()}`, 'template_not_found'],
      ];
      for (const [path, code] of reads) {
        const response = await api('get', path);
        expect({ path, status: response.status, code: codeOf(response) }).toEqual({ path, status: 404, code });
      }

      const unknownType = await api('post', '/api/teams', { name: unique('team'), teamTypeId: randomUUID() });
      expectStatus(unknownType, 404);
      expect(codeOf(unknownType)).toBe('team_type_not_found');
      const unknownLinkRole = await api('post', `/api/team-types/${openType.id}/roles`, { roleId: randomUUID() });
      expectStatus(unknownLinkRole, 404);
      expect(codeOf(unknownLinkRole)).toBe('role_not_found');
      const unknownDefault = await api('post', '/api/roles', { name: unique('role'), defaultTemplateId: randomUUID() });
      expectStatus(unknownDefault, 404);
      expect(codeOf(unknownDefault)).toBe('template_not_found');
    });

    it('answers 400 validation_failed for malformed ids in paths and bodies', async () => {
      const team = await createTeam({});
      const cases: Array<[Method, string, object | undefined, string]> = [
        ['get', '/api/teams/not-a-uuid', undefined, 'id'],
        ['get', '/api/roles/42', undefined, 'id'],
        ['get', '/api/team-types/xyz', undefined, 'id'],
        ['get', '/api/templates/xyz', undefined, 'id'],
        ['post', '/api/templates/xyz/render', { variables: {} }, 'id'],
        ['post', '/api/teams/xyz/members', { agentId: alpha.agent.id, roleId: loneRole.id }, 'id'],
        ['post', `/api/teams/${team.id}/members`, { agentId: 'agent-1', roleId: loneRole.id }, 'agentId'],
        ['post', `/api/teams/${team.id}/members`, { agentId: alpha.agent.id, roleId: 'developer' }, 'roleId'],
        [
          'post',
          `/api/teams/${team.id}/members`,
          { agentId: alpha.agent.id, roleId: loneRole.id, customTemplateId: 'x' },
          'customTemplateId',
        ],
        ['delete', `/api/teams/${team.id}/members/nope`, undefined, 'memberId'],
        ['delete', '/api/teams/nope', undefined, 'id'],
        ['post', '/api/teams', { name: unique('team'), teamTypeId: 'scrum' }, 'teamTypeId'],
        ['patch', `/api/teams/${team.id}`, { teamTypeId: 'kanban' }, 'teamTypeId'],
        ['post', `/api/team-types/${openType.id}/roles`, { roleId: 'dev' }, 'roleId'],
        ['delete', `/api/team-types/${openType.id}/roles/dev`, undefined, 'roleId'],
        ['post', '/api/roles', { name: unique('role'), defaultTemplateId: 'tpl' }, 'defaultTemplateId'],
      ];
      for (const [method, path, body, field] of cases) {
        const response = await api(method, path, body);
        expect({ method, path, status: response.status, code: codeOf(response) }).toEqual({
          method,
          path,
          status: 400,
          code: 'validation_failed',
        });
        expect({ method, path, fields: fieldsOf(response) }).toEqual({
          method,
          path,
          fields: expect.arrayContaining([field]),
        });
      }
      expect(await membersInDb(team.id)).toEqual([]);
    });

    it('deletes a team with its members (204), and then answers 404 for it', async () => {
      const team = await createTeam({ teamTypeId: seed.kanban.id });
      await addMember(team.id, { agentId: alpha.agent.id, roleId: seed.roleId('Developer') });
      await addMember(team.id, { agentId: beta.agent.id, roleId: seed.roleId('Flow Manager') });

      expectStatus(await api('delete', `/api/teams/${team.id}`), 204);
      audited('team.deleted', team.id);
      const gone = await api('get', `/api/teams/${team.id}`);
      expectStatus(gone, 404);
      expect(codeOf(gone)).toBe('team_not_found');
      expectStatus(await api('delete', `/api/teams/${team.id}`), 404);
    });

    it("refuses a new team type that does not admit a member's role (400), and accepts one that does", async () => {
      const team = await createTeam({ teamTypeId: openType.id });
      await addMember(team.id, { agentId: alpha.agent.id, roleId: seed.roleId('Product Owner') });

      const toKanban = await api('patch', `/api/teams/${team.id}`, { teamTypeId: seed.kanban.id });
      expectStatus(toKanban, 400);
      expect(codeOf(toKanban)).toBe('invalid_role_for_team_type');
      expect((await getTeam(team.id)).teamTypeId).toBe(openType.id);

      const toScrum = await api('patch', `/api/teams/${team.id}`, { teamTypeId: seed.scrum.id });
      expectStatus(toScrum, 200);
      audited('team.updated', team.id);
      expect(dataOf<TeamDto>(toScrum).teamTypeId).toBe(seed.scrum.id);

      // A team without a type gets a type only if every member's role fits it.
      const untyped = await createTeam({});
      await addMember(untyped.id, { agentId: beta.agent.id, roleId: seed.roleId('Flow Manager') });
      const toScrumAgain = await api('patch', `/api/teams/${untyped.id}`, { teamTypeId: seed.scrum.id });
      expectStatus(toScrumAgain, 400);
      expect(codeOf(toScrumAgain)).toBe('invalid_role_for_team_type');
      expect((await getTeam(untyped.id)).teamTypeId).toBeNull();
    });

    it('answers 404 when deleting a member through another team, and deletes it through its own', async () => {
      const home = await createTeam({});
      const other = await createTeam({});
      const member = await addMember(home.id, { agentId: gamma.agent.id, roleId: loneRole.id });
      await addMember(other.id, { agentId: gamma.agent.id, roleId: loneRole.id });

      const wrongTeam = await api('delete', `/api/teams/${other.id}/members/${member.id}`);
      expectStatus(wrongTeam, 404);
      expect(codeOf(wrongTeam)).toBe('team_member_not_found');
      expect((await membersInDb(home.id)).map((row) => row.id)).toEqual([member.id]);
      expect((await membersInDb(other.id)).length).toBe(1);

      const unknownTeam = await api('delete', `/api/teams/${randomUUID()}/members/${member.id}`);
      expectStatus(unknownTeam, 404);
      expect(codeOf(unknownTeam)).toBe('team_not_found');

      await removeMember(home.id, member.id);
      expect(await membersInDb(home.id)).toEqual([]);
      expect((await getTeam(home.id)).members).toEqual([]);
      expect((await membersInDb(other.id)).length).toBe(1);
      expectStatus(await api('delete', `/api/teams/${home.id}/members/${member.id}`), 404);
    });
  });

  describe('roles and team types in use', () => {
    let agent: KeyedRegistration;

    beforeAll(async () => {
      agent = await registerAgent();
    });

    it('refuses to delete a role used by a link or a member (409 role_in_use with the ids) until the uses are gone', async () => {
      const role = await createRole(unique('Reviewer'));
      const type = await createType(unique('Review board'));
      expect(await linkRole(type.id, role.id)).toEqual([{ roleId: role.id, roleName: role.name, templateId: null }]);
      const team = await createTeam({});
      const member = await addMember(team.id, { agentId: agent.agent.id, roleId: role.id });

      const both = await api('delete', `/api/roles/${role.id}`);
      expectStatus(both, 409);
      expect(codeOf(both)).toBe('role_in_use');
      expect(inUseDetailsOf(both)).toEqual({ teamTypeIds: [type.id], teamMemberIds: [member.id] });

      await removeMember(team.id, member.id);
      expectStatus(await api('delete', `/api/team-types/${type.id}/roles/${role.id}`), 204);
      audited('team_type.role_unlinked', type.id);
      expectStatus(await api('delete', `/api/roles/${role.id}`), 204);
      audited('role.deleted', role.id);
      const gone = await api('get', `/api/roles/${role.id}`);
      expectStatus(gone, 404);
      expect(codeOf(gone)).toBe('role_not_found');
    });

    it('refuses to delete a seeded role its types link (409 with both type ids)', async () => {
      const seed = await seeded();
      const response = await api('delete', `/api/roles/${seed.roleId('Developer')}`);
      expectStatus(response, 409);
      expect(codeOf(response)).toBe('role_in_use');
      expect(sorted(inUseDetailsOf(response).teamTypeIds ?? [])).toEqual(sorted([seed.scrum.id, seed.kanban.id]));
    });

    it('refuses to delete a team type used by teams (409 team_type_in_use with the team ids) until none is left', async () => {
      const type = await createType(unique('Squad'));
      const role = await createRole(unique('Squad member'));
      await linkRole(type.id, role.id);
      const first = await createTeam({ teamTypeId: type.id });
      const second = await createTeam({ teamTypeId: type.id });

      const both = await api('delete', `/api/team-types/${type.id}`);
      expectStatus(both, 409);
      expect(codeOf(both)).toBe('team_type_in_use');
      expect(sorted(inUseDetailsOf(both).teamIds ?? [])).toEqual(sorted([first.id, second.id]));

      expectStatus(await api('delete', `/api/teams/${first.id}`), 204);
      audited('team.deleted', first.id);

      const untyped = await api('patch', `/api/teams/${second.id}`, { teamTypeId: null });
      expectStatus(untyped, 200);
      audited('team.updated', second.id);
      expect(dataOf<TeamDto>(untyped).teamTypeId).toBeNull();

      expectStatus(await api('delete', `/api/team-types/${type.id}`), 204);
      audited('team_type.deleted', type.id);
      const gone = await api('get', `/api/team-types/${type.id}`);
      expectStatus(gone, 404);
      expect(codeOf(gone)).toBe('team_type_not_found');
      // The role the type linked is free again.
      expectStatus(await api('delete', `/api/roles/${role.id}`), 204);
      audited('role.deleted', role.id);
    });

    it('refuses to unlink a role that members of teams of that type hold (409 role_in_use)', async () => {
      const type = await createType(unique('Guild'));
      const held = await createRole(unique('Lead'));
      const free = await createRole(unique('Scribe'));
      await linkRole(type.id, held.id);
      await linkRole(type.id, free.id);
      const duplicate = await api('post', `/api/team-types/${type.id}/roles`, { roleId: held.id });
      expectStatus(duplicate, 409);
      expect(codeOf(duplicate)).toBe('role_already_linked');

      const team = await createTeam({ teamTypeId: type.id });
      const member = await addMember(team.id, { agentId: agent.agent.id, roleId: held.id });

      const refused = await api('delete', `/api/team-types/${type.id}/roles/${held.id}`);
      expectStatus(refused, 409);
      expect(codeOf(refused)).toBe('role_in_use');
      expect(inUseDetailsOf(refused).teamMemberIds).toEqual([member.id]);
      expect(sorted((await getType(type.id)).roles.map((link) => link.roleId))).toEqual(sorted([held.id, free.id]));

      // A role nobody holds in teams of this type unlinks, as does the held one once its holder is gone.
      expectStatus(await api('delete', `/api/team-types/${type.id}/roles/${free.id}`), 204);
      audited('team_type.role_unlinked', type.id);
      await removeMember(team.id, member.id);
      expectStatus(await api('delete', `/api/team-types/${type.id}/roles/${held.id}`), 204);
      audited('team_type.role_unlinked', type.id);
      expect((await getType(type.id)).roles).toEqual([]);
      const notLinked = await api('delete', `/api/team-types/${type.id}/roles/${held.id}`);
      expectStatus(notLinked, 404);
      expect(codeOf(notLinked)).toBe('role_link_not_found');
    });

    it('re-templates a link and clears its template with null', async () => {
      const type = await createType(unique('Crew'));
      const role = await createRole(unique('Navigator'));
      const template = await createTemplate(unique('Navigator prompt'), 'Navigate towards {{team_goal}}');
      await linkRole(type.id, role.id);
      const set = await api('patch', `/api/team-types/${type.id}/roles/${role.id}`, { templateId: template.id });
      expectStatus(set, 200);
      audited('team_type.role_template_updated', type.id);
      expect(dataOf<RoleLink[]>(set)).toEqual([{ roleId: role.id, roleName: role.name, templateId: template.id }]);
      const unknown = await api('patch', `/api/team-types/${type.id}/roles/${role.id}`, { templateId: randomUUID() });
      expectStatus(unknown, 404);
      expect(codeOf(unknown)).toBe('template_not_found');
      const cleared = await api('patch', `/api/team-types/${type.id}/roles/${role.id}`, { templateId: null });
      expectStatus(cleared, 200);
      audited('team_type.role_template_updated', type.id);
      expect((await api('get', `/api/team-types/${type.id}/roles`).expect(200)).body).toEqual({
        status: 'success',
        data: [{ roleId: role.id, roleName: role.name, templateId: null }],
      });
    });
  });

  describe('the active team', () => {
    const activeInDb = async (): Promise<string[]> =>
      (await db().query<Array<{ id: string }>>('SELECT id FROM teams WHERE is_active ORDER BY id')).map((r) => r.id);

    it('keeps at most one team active: activate, create and patch with isActive true each deactivate the other', async () => {
      const first = await createTeam({ isActive: true });
      expect(first.isActive).toBe(true);
      expect(await activeInDb()).toEqual([first.id]);

      const quiet = await createTeam({});
      expect(quiet.isActive).toBe(false);
      expect(await activeInDb()).toEqual([first.id]);

      const second = await createTeam({ isActive: true });
      expect(second.isActive).toBe(true);
      expect(await activeInDb()).toEqual([second.id]);
      expect((await getTeam(first.id)).isActive).toBe(false);

      const activated = await api('post', `/api/teams/${first.id}/activate`);
      expectStatus(activated, 200);
      audited('team.activated', first.id);
      expect(dataOf<TeamDto>(activated)).toMatchObject({ id: first.id, isActive: true });
      expect(await activeInDb()).toEqual([first.id]);
      expect((await getTeam(second.id)).isActive).toBe(false);

      const patched = await api('patch', `/api/teams/${quiet.id}`, { isActive: true });
      expectStatus(patched, 200);
      audited('team.updated', quiet.id);
      expect(dataOf<TeamDto>(patched).isActive).toBe(true);
      expect(await activeInDb()).toEqual([quiet.id]);
      expect((await getTeam(first.id)).isActive).toBe(false);

      const off = await api('patch', `/api/teams/${quiet.id}`, { isActive: false });
      expectStatus(off, 200);
      audited('team.updated', quiet.id);
      expect(await activeInDb()).toEqual([]);

      const unknown = await api('post', `/api/teams/${randomUUID()}/activate`);
      expectStatus(unknown, 404);
      expect(codeOf(unknown)).toBe('team_not_found');
    });
  });

  describe('templates', () => {
    it('creates a template with unknown placeholders (201) and warns, listing them once each', async () => {
      const name = unique('Greeting');
      const promptTemplate = 'Hi {{agent_name}}, paint it {{colour}} in {{ size }}; {{colour}} again. {{team_goal}}';
      const response = await api('post', '/api/templates', { name, description: 'Greets', promptTemplate });
      expectStatus(response, 201);
      const template = dataOf<TemplateWithWarnings>(response);
      audited('template.created', template.id);
      expect(template).toEqual({
        id: expect.stringMatching(UUID),
        name,
        description: 'Greets',
        promptTemplate,
        variables: ['agent_name', 'colour', 'size', 'team_goal'],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        warnings: [
          {
            type: 'unknown_variables',
            details: expect.stringContaining('colour'),
            variables: ['colour', 'size'],
            allowed: expect.any(Array),
          },
        ],
      });
      expect(template.warnings[0].details).toContain('size');
      expect(sorted(template.warnings[0].allowed)).toEqual(sorted(ALLOWED_VARIABLES));

      // The stored template reads back without warnings; a read is not a write.
      const read = dataOf<TemplateDto>(await api('get', `/api/templates/${template.id}`).expect(200));
      expect(read).toEqual({
        id: template.id,
        name,
        description: 'Greets',
        promptTemplate,
        variables: template.variables,
        createdAt: template.createdAt,
        updatedAt: template.updatedAt,
      });
    });

    it('answers warnings: [] when every placeholder is allowed, and warns again on an update that adds one', async () => {
      const promptTemplate = ALLOWED_VARIABLES.map((variable) => `${variable}={{${variable}}}`).join('; ');
      const template = await createTemplate(unique('All allowed'), promptTemplate);
      expect(template.warnings).toEqual([]);
      expect(sorted(template.variables)).toEqual(sorted(ALLOWED_VARIABLES));

      const updated = await api('patch', `/api/templates/${template.id}`, {
        promptTemplate: `${promptTemplate}; {{mood}}`,
      });
      expectStatus(updated, 200);
      audited('template.updated', template.id);
      expect(dataOf<TemplateWithWarnings>(updated).warnings).toEqual([
        expect.objectContaining({ type: 'unknown_variables', variables: ['mood'] }),
      ]);
      const clean = await api('patch', `/api/templates/${template.id}`, { promptTemplate: 'Only {{task}}' });
      expectStatus(clean, 200);
      audited('template.updated', template.id);
      expect(dataOf<TemplateWithWarnings>(clean)).toMatchObject({ variables: ['task'], warnings: [] });
    });

    it('refuses a duplicate name (409 template_name_taken)', async () => {
      const template = await createTemplate(unique('Unique'), 'x {{task}}');
      const duplicate = await api('post', '/api/templates', { name: template.name, promptTemplate: 'y' });
      expectStatus(duplicate, 409);
      expect(codeOf(duplicate)).toBe('template_name_taken');
      const other = await createTemplate(unique('Other'), 'z');
      const renamed = await api('patch', `/api/templates/${other.id}`, { name: template.name });
      expectStatus(renamed, 409);
      expect(codeOf(renamed)).toBe('template_name_taken');
    });

    it('renders: fills repeated and spaced placeholders, ignores extra variables', async () => {
      const template = await createTemplate(
        unique('Render'),
        'Goal: {{team_goal}}. Again: {{ team_goal }}. Role: {{role_name}}, sprint {{title}}, done {{task}}.',
      );
      const response = await api('post', `/api/templates/${template.id}/render`, {
        variables: { team_goal: 'Ship v2', role_name: 'Developer', title: 7, task: false, unused: 'ignored' },
      });
      expectStatus(response, 200);
      expect(dataOf<{ text: string }>(response)).toEqual({
        text: 'Goal: Ship v2. Again: Ship v2. Role: Developer, sprint 7, done false.',
      });
    });

    it('answers 400 validation_failed naming each missing variable, and 404 for an unknown template', async () => {
      const template = await createTemplate(
        unique('Needs'),
        '{{team_goal}} {{role_name}} {{ team_name }} {{team_goal}}',
      );
      const none = await api('post', `/api/templates/${template.id}/render`, { variables: { unrelated: 'x' } });
      expectStatus(none, 400);
      expect(codeOf(none)).toBe('validation_failed');
      expect(sorted(fieldsOf(none))).toEqual(
        sorted(['variables.team_goal', 'variables.role_name', 'variables.team_name']),
      );

      const unknown = await api('post', `/api/templates/${randomUUID()}/render`, { variables: {} });
      expectStatus(unknown, 404);
      expect(codeOf(unknown)).toBe('template_not_found');
    });

    it('deletes a template in use (200), reporting and clearing the role default, link templates and member override', async () => {
      const agent = await registerAgent();
      const doomed = await createTemplate(unique('Doomed'), 'Soon gone: {{team_goal}}');

      const role = await createRole(unique('Architect'), doomed.id);
      const type = await createType(unique('Studio'));
      const otherType = await createType(unique('Atelier'));
      await linkRole(type.id, role.id, doomed.id);
      await linkRole(otherType.id, role.id, doomed.id);
      const team = await createTeam({ teamTypeId: type.id });
      const member = await addMember(team.id, {
        agentId: agent.agent.id,
        roleId: role.id,
        customTemplateId: doomed.id,
      });
      expect(member.customTemplateId).toBe(doomed.id);

      const response = await api('delete', `/api/templates/${doomed.id}`);
      expectStatus(response, 200);
      audited('template.deleted', doomed.id);
      const deleted = dataOf<DeletedTemplate>(response);
      expect(deleted.id).toBe(doomed.id);
      expect(deleted.cleared.roles).toEqual([role.id]);
      expect(deleted.cleared.teamMembers).toEqual([member.id]);
      const byType = (a: { teamTypeId: string }, b: { teamTypeId: string }): number =>
        a.teamTypeId.localeCompare(b.teamTypeId);
      expect([...deleted.cleared.teamTypeRoleLinks].sort(byType)).toEqual(
        [
          { teamTypeId: type.id, roleId: role.id },
          { teamTypeId: otherType.id, roleId: role.id },
        ].sort(byType),
      );
      expect(Object.keys(deleted.cleared).sort()).toEqual(['roles', 'teamMembers', 'teamTypeRoleLinks']);

      expect((await getRole(role.id)).defaultTemplateId).toBeNull();
      expect((await getType(otherType.id)).roles).toEqual([{ roleId: role.id, roleName: role.name, templateId: null }]);
      expect((await getTeam(team.id)).members[0].customTemplateId).toBeNull();

      const gone = await api('get', `/api/templates/${doomed.id}`);
      expectStatus(gone, 404);
      expect(codeOf(gone)).toBe('template_not_found');
      const again = await api('delete', `/api/templates/${doomed.id}`);
      expectStatus(again, 404);
      expect(codeOf(again)).toBe('template_not_found');
    });

    it('deletes an unused template with nothing to clear', async () => {
      const template = await createTemplate(unique('Lonely'), 'alone');
      const response = await api('delete', `/api/templates/${template.id}`);
      expectStatus(response, 200);
      audited('template.deleted', template.id);
      expect(dataOf<DeletedTemplate>(response)).toEqual({
        id: template.id,
        cleared: { roles: [], teamTypeRoleLinks: [], teamMembers: [] },
      });
    });
  });

  describe('access levels', () => {
    interface Fixture {
      template: TemplateDto;
      spareTemplate: TemplateDto;
      role: RoleDto;
      spareRole: RoleDto;
      linkedRole: RoleDto;
      type: TeamTypeDto;
      spareType: TeamTypeDto;
      team: TeamDto;
      spareTeam: TeamDto;
      member: MemberDto;
      outsider: KeyedRegistration;
    }
    let f: Fixture;
    let agentKey: string;
    let userToken: string;

    beforeAll(async () => {
      const template = await createTemplate(unique('Access'), 'Goal {{team_goal}}');
      const spareTemplate = await createTemplate(unique('Spare'), 'spare');
      const role = await createRole(unique('Operator'), template.id);
      const spareRole = await createRole(unique('Spare role'));
      const linkedRole = await createRole(unique('Linked role'));
      const type = await createType(unique('Access type'));
      const spareType = await createType(unique('Spare type'));
      await linkRole(type.id, role.id);
      await linkRole(type.id, linkedRole.id);
      const team = await createTeam({ teamTypeId: type.id });
      const spareTeam = await createTeam({});
      const memberAgent = await registerAgent();
      const member = await addMember(team.id, { agentId: memberAgent.agent.id, roleId: role.id });
      const outsider = await registerAgent();
      f = { template, spareTemplate, role, spareRole, linkedRole, type, spareType, team, spareTeam, member, outsider };
      agentKey = memberAgent.agentKey;
      userToken = tokenFor(hub.config, (await createUser(hub.app, { role: 'user' })).user);
    });

    const reads = (): Array<[Method, string, object?]> => [
      ['get', '/api/templates'],
      ['get', `/api/templates/${f.template.id}`],
      ['post', `/api/templates/${f.template.id}/render`, { variables: { team_goal: 'read' } }],
      ['get', '/api/roles'],
      ['get', `/api/roles/${f.role.id}`],
      ['get', '/api/team-types'],
      ['get', `/api/team-types/${f.type.id}`],
      ['get', `/api/team-types/${f.type.id}/roles`],
      ['get', '/api/teams'],
      ['get', `/api/teams/${f.team.id}`],
    ];

    // Each body is valid and each target exists and is free, so an admin would get 2xx on every one.
    const writes = (): Array<[Method, string, object?]> => [
      ['post', '/api/templates', { name: unique('Sneaky'), promptTemplate: 'x' }],
      ['patch', `/api/templates/${f.template.id}`, { description: 'changed' }],
      ['delete', `/api/templates/${f.spareTemplate.id}`],
      ['post', '/api/roles', { name: unique('Sneaky role') }],
      ['patch', `/api/roles/${f.role.id}`, { description: 'changed' }],
      ['delete', `/api/roles/${f.spareRole.id}`],
      ['post', '/api/team-types', { name: unique('Sneaky type') }],
      ['patch', `/api/team-types/${f.type.id}`, { description: 'changed' }],
      ['delete', `/api/team-types/${f.spareType.id}`],
      ['post', `/api/team-types/${f.type.id}/roles`, { roleId: f.spareRole.id }],
      ['patch', `/api/team-types/${f.type.id}/roles/${f.role.id}`, { templateId: f.template.id }],
      ['delete', `/api/team-types/${f.type.id}/roles/${f.linkedRole.id}`],
      ['post', '/api/teams', { name: unique('Sneaky team') }],
      ['patch', `/api/teams/${f.team.id}`, { description: 'changed' }],
      ['delete', `/api/teams/${f.spareTeam.id}`],
      ['post', `/api/teams/${f.team.id}/activate`],
      ['post', `/api/teams/${f.team.id}/members`, { agentId: f.outsider.agent.id, roleId: f.role.id }],
      ['delete', `/api/teams/${f.team.id}/members/${f.member.id}`],
    ];

    const allTables = async (): Promise<Record<string, unknown[]>> => ({
      ...(await seedTables(db())),
      teams: await db().query<unknown[]>('SELECT * FROM teams ORDER BY id'),
      members: await db().query<unknown[]>('SELECT * FROM team_members ORDER BY id'),
    });

    it('lets an agent key and a plain user token read every list and read route (200)', async () => {
      const answers: string[] = [];
      const expected: string[] = [];
      for (const [who, headers] of [
        ['agent', bearer(agentKey)],
        ['user', bearer(userToken)],
      ] as const) {
        for (const [method, path, body] of reads()) {
          const response = await call(hub.server, method, path, headers, body);
          answers.push(`${who} ${method.toUpperCase()} ${path} -> ${response.status}`);
          expected.push(`${who} ${method.toUpperCase()} ${path} -> 200`);
        }
      }
      expect(answers).toEqual(expected);
      const team = dataOf<TeamDto>(await call(hub.server, 'get', `/api/teams/${f.team.id}`, bearer(agentKey)));
      expect(team.members).toEqual([f.member]);
      const page = dataOf<Page<TeamDto>>(await call(hub.server, 'get', '/api/teams?limit=1', bearer(userToken)));
      expect(page).toMatchObject({ limit: 1, offset: 0 });
      expect(page.items).toHaveLength(1);
      expect(page.total).toBeGreaterThan(1);
    });

    it('answers 403 forbidden to an agent key and a plain user token on every write route, changing nothing', async () => {
      const before = await allTables();
      const answers: string[] = [];
      const expected: string[] = [];
      for (const [who, headers] of [
        ['agent', bearer(agentKey)],
        ['user', bearer(userToken)],
      ] as const) {
        for (const [method, path, body] of writes()) {
          const response = await call(hub.server, method, path, headers, body);
          answers.push(`${who} ${method.toUpperCase()} ${path} -> ${response.status} ${codeOf(response)}`);
          expected.push(`${who} ${method.toUpperCase()} ${path} -> 403 forbidden`);
        }
      }
      expect(answers).toEqual(expected);
      expect(await allTables()).toEqual(before);
    });

    it('answers 401 to a caller without a credential on every route', async () => {
      const answers: string[] = [];
      const expected: string[] = [];
      for (const [method, path, body] of [...reads(), ...writes()]) {
        const response = await call(hub.server, method, path, {}, body);
        answers.push(`${method.toUpperCase()} ${path} -> ${response.status} ${codeOf(response)}`);
        expected.push(`${method.toUpperCase()} ${path} -> 401 unauthenticated`);
      }
      expect(answers).toEqual(expected);
    });

    it('lets an admin user write, audited under that user', async () => {
      const { user } = await createUser(hub.app, { role: 'admin' });
      const headers = bearer(tokenFor(hub.config, user));
      const response = await call(hub.server, 'post', '/api/roles', headers, { name: unique('By admin user') });
      expectStatus(response, 201);
      const role = dataOf<RoleDto>(response);
      audited('role.created', role.id);
      const entries = await allAuditEntries(hub.server, TEST_AGENT_TOKEN, `action=role.created&targetId=${role.id}`);
      expect(entries).toEqual([
        expect.objectContaining({ actorType: 'user', actorId: user.id, username: user.username, outcome: 'success' }),
      ]);
    });
  });

  describe('the audit log', () => {
    const WRITE_ACTION = /^(team|team_type|role|template)\./;

    it('holds a success entry for every write this file made, with its action and target', async () => {
      const entries = await allAuditEntries(hub.server, TEST_AGENT_TOKEN);
      const matches = (entry: AuditEntry, expected: { action: string; targetId: string }): boolean =>
        entry.action === expected.action && entry.targetId === expected.targetId && entry.outcome === 'success';
      expect(expectedAudit.length).toBeGreaterThan(50);
      const missing = expectedAudit.filter((expected) => !entries.some((entry) => matches(entry, expected)));
      expect(missing).toEqual([]);
      // Distinct writes with the same action and target (e.g. two member additions) each have their own entry.
      const needed = new Map<string, number>();
      for (const { action, targetId } of expectedAudit) {
        needed.set(`${action} ${targetId}`, (needed.get(`${action} ${targetId}`) ?? 0) + 1);
      }
      const short = [...needed].filter(
        ([key, count]) =>
          entries.filter((entry) => entry.outcome === 'success' && `${entry.action} ${entry.targetId}` === key).length <
          count,
      );
      expect(short).toEqual([]);
    });

    it('has no successful team, role, type or template write by an agent or a non-admin user', async () => {
      const entries = await allAuditEntries(hub.server, TEST_AGENT_TOKEN);
      const writes = entries.filter((entry) => WRITE_ACTION.test(entry.action) && entry.outcome === 'success');
      expect(writes.length).toBeGreaterThan(0);
      const admins = await db().query<Array<{ id: string }>>("SELECT id FROM users WHERE role = 'admin'");
      const adminIds = new Set(admins.map((row) => row.id));
      const byOthers = writes.filter(
        (entry) =>
          !(entry.actorType === 'hub-token' || (entry.actorType === 'user' && adminIds.has(entry.actorId ?? ''))),
      );
      expect(byOthers).toEqual([]);
    });
  });
});
