import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { TeamsModule } from '../teams/teams.module.js';
import { ClaimWakeupsService } from './claim-wakeups.service.js';
import { ArchivedTaskEntity } from './archived-task.entity.js';
import { CallbackDeliveriesRepository } from './callbacks/callback-deliveries.repository.js';
import { CallbackDeliveryEntity } from './callbacks/callback-delivery.entity.js';
import { ConcurrencyLimitsController } from './concurrency/concurrency-limits.controller.js';
import { ConcurrencyLimitsRepository } from './concurrency/concurrency-limits.repository.js';
import { ConcurrencyLimitsService } from './concurrency/concurrency-limits.service.js';
import { CallbackDispatcherService } from './callbacks/callback-dispatcher.service.js';
import { CallbackSenderService } from './callbacks/callback-sender.service.js';
import { CallbackUrlPolicy } from './callbacks/callback-url.policy.js';
import { WebhookSenderService } from './callbacks/webhook-sender.service.js';
import { TaskArchiveController } from './task-archive.controller.js';
import { TaskArchiveRepository } from './task-archive.repository.js';
import { TaskArchiveService } from './task-archive.service.js';
import { TaskCallbacksService } from './task-callbacks.service.js';
import { TaskQueueRepository } from './task-queue.repository.js';
import { TaskWorkflowService } from './task-workflow.service.js';
import { TaskEntity } from './task.entity.js';
import { TasksController } from './tasks.controller.js';
import { TasksFacade } from './tasks.facade.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';

/**
 * Tasks: lifecycle, work queue with leases and concurrency limits, callbacks through an outbox, archive (SPEC
 * section 7).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([TaskEntity, ArchivedTaskEntity, CallbackDeliveryEntity]),
    AgentsModule,
    TeamsModule,
    AuditModule,
  ],
  controllers: [TaskArchiveController, TasksController, ConcurrencyLimitsController],
  providers: [
    TasksService,
    ClaimWakeupsService,
    TaskWorkflowService,
    TaskArchiveService,
    TaskCallbacksService,
    TasksRepository,
    TaskQueueRepository,
    TaskArchiveRepository,
    CallbackDeliveriesRepository,
    CallbackUrlPolicy,
    CallbackSenderService,
    CallbackDispatcherService,
    WebhookSenderService,
    TasksFacade,
    ConcurrencyLimitsService,
    ConcurrencyLimitsRepository,
  ],
  exports: [
    TasksService,
    TaskWorkflowService,
    TaskArchiveService,
    CallbackDispatcherService,
    WebhookSenderService,
    TasksFacade,
  ],
})
export class TasksModule {}
