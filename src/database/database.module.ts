import { type DynamicModule, Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { DatabaseConnection } from './database-connection.js';
import { DatabaseNotificationsService } from './database-notifications.service.js';
import { dataSourceOptions } from './data-source-options.js';
import type { ModuleSchema } from './module-schema.js';
import { PreparedStatementsService } from './prepared-statements.service.js';
import { runMigrationsLocked } from './migrate.js';

const connectionProvider = {
  provide: DatabaseConnection,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => DatabaseConnection.open(config),
};

@Global()
@Module({ providers: [connectionProvider], exports: [connectionProvider] })
class DatabaseConnectionModule {}

/**
 * TypeORM on the selected database. Pending migrations are applied inside the data source factory, before
 * anything can use the data source, so every module starts on the current schema (unless
 * DB_MIGRATIONS_RUN=false).
 */
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(DatabaseConnection) private readonly connection: DatabaseConnection,
  ) {}

  /** `schema`: the tables of every module the app is built with, the hub's and its extensions'. */
  static forRoot(config: AppConfig, schema: ModuleSchema): DynamicModule {
    const logger = new Logger('Database');
    return {
      module: DatabaseModule,
      global: true,
      providers: [PreparedStatementsService, DatabaseNotificationsService],
      exports: [PreparedStatementsService, DatabaseNotificationsService],
      imports: [
        DatabaseConnectionModule,
        TypeOrmModule.forRootAsync({
          inject: [DatabaseConnection],
          useFactory: (connection: DatabaseConnection) => dataSourceOptions(connection, schema),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            if (config.database.migrationsRun) {
              const applied = await runMigrationsLocked(dataSource);
              if (applied.length > 0) {
                logger.log(`Applied migrations: ${applied.join(', ')}`);
              }
            }
            return dataSource;
          },
        }),
      ],
    };
  }

  /** The pool closes before the embedded server stops, so PGlite flushes to disk with no client attached. */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
    }
    await this.connection.close();
    new Logger('Database').log('Database connections closed');
  }
}
