import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { migrationsApplied } from '../../database/migrate.js';

/** The readiness probe's view of the database. */
@Injectable()
export class DatabaseStatusRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Throws the driver's error when the database is unreachable; the error filter answers 503. */
  migrationsApplied(): Promise<boolean> {
    return migrationsApplied(this.dataSource);
  }
}
