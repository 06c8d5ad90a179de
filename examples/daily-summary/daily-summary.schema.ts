import type { ModuleSchema } from '../../src/public-api.js';
import { DailySummaryDeliveryEntity } from './daily-summary-delivery.entity.js';
import { CreateDailySummaryDeliveries1796256000000 } from './migrations/1796256000000-CreateDailySummaryDeliveries.js';

/** The extension's tables, handed to `createApp(config, { schemas: [DAILY_SUMMARY_SCHEMA] })`. */
export const DAILY_SUMMARY_SCHEMA: ModuleSchema = {
  entities: [DailySummaryDeliveryEntity],
  migrations: [CreateDailySummaryDeliveries1796256000000],
};
