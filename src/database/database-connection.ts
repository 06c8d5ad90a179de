import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import type { DatabaseTarget } from './data-source-options.js';
import { EmbeddedPostgres } from './embedded-postgres.js';

/** Where the database is: PostgreSQL from DATABASE_URL, or the embedded one this process started. */
export class DatabaseConnection implements DatabaseTarget {
  private constructor(
    readonly url: string,
    readonly poolSize: number,
    readonly kind: 'postgresql' | 'embedded',
    /** Named prepared statements for hot queries (see PreparedStatementsService). */
    readonly preparedStatements: boolean,
    private readonly embedded?: EmbeddedPostgres,
  ) {}

  static async open(config: AppConfig): Promise<DatabaseConnection> {
    const logger = new Logger('Database');
    if (config.database.url) {
      logger.log(`Using PostgreSQL from DATABASE_URL (${withoutPassword(config.database.url)})`);
      return new DatabaseConnection(
        config.database.url,
        config.database.poolSize,
        'postgresql',
        config.database.preparedStatements,
      );
    }
    logger.log(`DATABASE_URL is unset: using the embedded PostgreSQL (PGlite) in ${config.dataDir}`);
    const embedded = await EmbeddedPostgres.start(config.dataDir);
    return new DatabaseConnection(embedded.url, 1, 'embedded', false, embedded);
  }

  async close(): Promise<void> {
    await this.embedded?.stop();
  }
}

/** The URL without its password, for logs. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      parsed.password = '***';
    }
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
