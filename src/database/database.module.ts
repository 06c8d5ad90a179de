import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, EntitySchema, type EntityTarget, type ObjectLiteral, Repository } from 'typeorm';
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

const targetName = (target: EntityTarget<ObjectLiteral>): string =>
  typeof target === 'string' ? target : target instanceof EntitySchema ? target.options.name : target.name;

@Global()
@Module({ providers: [connectionProvider], exports: [connectionProvider] })
class DatabaseConnectionModule {}

/**
 * TypeORM on the selected database. Pending migrations are applied inside the data source factory, before
 * anything can use the data source, so every module starts on the current schema (unless
 * DB_MIGRATIONS_RUN=false).
 */
@Module({})
export class DatabaseModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(DatabaseConnection) private readonly connection: DatabaseConnection,
    private readonly modules: ModulesContainer,
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

  /**
   * Refuses to start when a module registered an entity (`TypeOrmModule.forFeature`) that no schema lists: TypeORM
   * would fail only at that repository's first query (typically an extension mounted without its schema).
   */
  onModuleInit(): void {
    const unlisted = new Set<string>();
    for (const module of this.modules.values()) {
      for (const { instance } of module.providers.values()) {
        if (instance instanceof Repository && !this.dataSource.hasMetadata(instance.target)) {
          unlisted.add(targetName(instance.target));
        }
      }
    }
    if (unlisted.size > 0) {
      throw new Error(
        `${[...unlisted].join(', ')} ${unlisted.size === 1 ? 'is' : 'are'} registered with TypeOrmModule.forFeature ` +
          "but in no schema: pass the module's schema to createApp beside the module (`schemas`)",
      );
    }
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
