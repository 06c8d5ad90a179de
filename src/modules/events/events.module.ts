import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SystemModule } from '../system/system.module.js';
import { TeamsModule } from '../teams/teams.module.js';
import { EventFanoutService } from './event-fanout.service.js';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';
import { HubEventEntity, HubEventHorizonEntity } from './hub-event.entity.js';
import { HubEventsRepository } from './hub-events.repository.js';

/** Live events over Server-Sent Events, from a durable log that every instance reads (issue 12). */
@Module({
  imports: [TypeOrmModule.forFeature([HubEventEntity, HubEventHorizonEntity]), TeamsModule, SystemModule],
  controllers: [EventsController],
  providers: [HubEventsRepository, EventFanoutService, EventsService],
  exports: [EventsService],
})
export class EventsModule {}
