import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { TemplatesService } from '../templates/templates.service.js';
import { DEFAULT_TEAM_TYPES } from './default-team-types.js';
import { TeamTypesRepository } from './team-types.repository.js';

/**
 * Seeds Scrum and Kanban, their roles and prompt templates at every start, idempotently: existing rows (by
 * name) are kept as they are, missing ones are added, and a role's default template is set only while empty.
 * The templates module creates the templates first; then the types, roles and links are added in one
 * transaction under an advisory lock, so concurrent starts seed once. A start that stops in between leaves
 * only templates, and the next start completes the rest.
 */
@Injectable()
export class DefaultTeamTypesSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly templates: TemplatesService,
    private readonly teamTypes: TeamTypesRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const roles = DEFAULT_TEAM_TYPES.flatMap((type) => type.roles);
    const templates = await this.templates.ensureExist(
      roles.map(({ template, prompt }) => ({ name: template, description: null, promptTemplate: prompt })),
    );
    const added = await this.teamTypes.seed(
      DEFAULT_TEAM_TYPES.map(({ name, description, roles: typeRoles }) => ({
        name,
        description,
        roles: typeRoles.map(({ role, template }) => ({ role, templateId: templates.ids.get(template)! })),
      })),
    );
    if (templates.inserted + added > 0) {
      this.logger.log(`Seeded ${templates.inserted + added} default team types, roles and templates`);
    }
  }
}
