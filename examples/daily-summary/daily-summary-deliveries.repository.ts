import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DailySummaryDeliveryEntity } from './daily-summary-delivery.entity.js';

export type DeliveryValues = Omit<DailySummaryDeliveryEntity, 'id' | 'sentAt'>;

/** The extension's repository: the only class of it that uses TypeORM, as in the hub's own modules. */
@Injectable()
export class DailySummaryDeliveriesRepository {
  constructor(
    @InjectRepository(DailySummaryDeliveryEntity)
    private readonly deliveries: Repository<DailySummaryDeliveryEntity>,
  ) {}

  async record(values: DeliveryValues): Promise<void> {
    await this.deliveries.insert(values);
  }

  /** Newest first. */
  list(limit: number, offset: number): Promise<[DailySummaryDeliveryEntity[], number]> {
    return this.deliveries.findAndCount({ order: { sentAt: 'DESC', id: 'ASC' }, take: limit, skip: offset });
  }
}
