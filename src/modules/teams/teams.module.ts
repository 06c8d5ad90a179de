import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { TemplatesService } from '../templates/templates.service.js';
import { DefaultTeamTypesSeeder } from './default-team-types.seeder.js';
import { RoleEntity } from './role.entity.js';
import { RolesController } from './roles.controller.js';
import { RolesRepository } from './roles.repository.js';
import { RolesService } from './roles.service.js';
import { TeamMemberEntity } from './team-member.entity.js';
import { TeamTypeRoleLinkEntity } from './team-type-role-link.entity.js';
import { TeamTemplateReferencesRepository } from './team-template-references.repository.js';
import { TeamTypeEntity } from './team-type.entity.js';
import { TeamTypesController } from './team-types.controller.js';
import { TeamTypesRepository } from './team-types.repository.js';
import { TeamTypesService } from './team-types.service.js';
import { TeamEntity } from './team.entity.js';
import { TeamsController } from './teams.controller.js';
import { TeamsRepository } from './teams.repository.js';
import { TeamsService } from './teams.service.js';

/** Team types, roles, type–role links, teams and members (SPEC section 5), and the default seed. */
@Module({
  imports: [
    TypeOrmModule.forFeature([TeamTypeEntity, RoleEntity, TeamTypeRoleLinkEntity, TeamEntity, TeamMemberEntity]),
    AgentsModule,
    TemplatesModule,
    AuditModule,
  ],
  controllers: [TeamTypesController, RolesController, TeamsController],
  providers: [
    TeamTypesService,
    RolesService,
    TeamsService,
    TeamTypesRepository,
    RolesRepository,
    TeamsRepository,
    TeamTemplateReferencesRepository,
    DefaultTeamTypesSeeder,
  ],
  exports: [TeamsService, RolesService, TeamTypesService],
})
export class TeamsModule implements OnModuleInit {
  constructor(
    private readonly templates: TemplatesService,
    private readonly templateReferences: TeamTemplateReferencesRepository,
  ) {}

  /** Deleting a template clears the teams' references to it (see TemplateReferenceHolder). */
  onModuleInit(): void {
    this.templates.addReferenceHolder(this.templateReferences);
  }
}
