import type { ModuleSchema } from '../../database/module-schema.js';
import { HubEventEntity, HubEventHorizonEntity } from './hub-event.entity.js';
import { CreateHubEvents1796800000000 } from './migrations/1796800000000-CreateHubEvents.js';

/** The durable event log behind `GET /api/events`, and the triggers that fill it. */
export const EVENTS_SCHEMA: ModuleSchema = {
  entities: [HubEventEntity, HubEventHorizonEntity],
  migrations: [CreateHubEvents1796800000000],
};
