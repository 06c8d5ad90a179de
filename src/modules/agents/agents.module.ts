import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { AgentKeyStrategy } from './agent-key.strategy.js';
import { AgentEntity } from './agent.entity.js';
import { AgentsController } from './agents.controller.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';

/** The agent registry: registration, keys, heartbeats, offline detection. */
@Module({
  imports: [TypeOrmModule.forFeature([AgentEntity]), AuditModule],
  controllers: [AgentsController],
  providers: [AgentsService, AgentsRepository, AgentKeyStrategy],
  exports: [AgentsService],
})
export class AgentsModule {}
