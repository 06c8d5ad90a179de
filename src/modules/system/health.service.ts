import { Inject, Injectable } from '@nestjs/common';
import { DatabaseConnection } from '../../database/database-connection.js';
import { DatabaseStatusRepository } from './database-status.repository.js';
import type { HealthResponseDto, ReadinessResponseDto } from './dto/health.response.dto.js';
import { NotReadyError } from './not-ready.error.js';

@Injectable()
export class HealthService {
  constructor(
    private readonly probe: DatabaseStatusRepository,
    @Inject(DatabaseConnection) private readonly connection: DatabaseConnection,
  ) {}

  liveness(): HealthResponseDto {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime() * 10) / 10 };
  }

  /** Ready means: the database answers and every migration this build knows about has been applied. */
  async readiness(): Promise<ReadinessResponseDto> {
    const migrationsApplied = await this.probe.migrationsApplied();
    if (!migrationsApplied) {
      throw new NotReadyError('Database migrations are pending');
    }
    return { status: 'ready', database: this.connection.kind, migrationsApplied };
  }
}
