import { Injectable } from '@nestjs/common';
import { CallbackDeliveriesRepository } from './callbacks/callback-deliveries.repository.js';
import { type CallbackDeliveryDto, toDeliveryResponse } from './dto/task.response.dto.js';
import { TasksService } from './tasks.service.js';

@Injectable()
export class TaskCallbacksService {
  constructor(
    private readonly tasks: TasksService,
    private readonly deliveries: CallbackDeliveriesRepository,
  ) {}

  async log(taskId: string): Promise<CallbackDeliveryDto[]> {
    await this.tasks.require(taskId);
    return (await this.deliveries.ofTask(taskId)).map(toDeliveryResponse);
  }
}
