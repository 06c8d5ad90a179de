import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AccessGuard } from './common/auth/access.guard.js';
import { PassportRegistryModule } from './common/auth/passport-registry.service.js';
import { IdempotencyModule } from './common/idempotency/idempotency.module.js';
import { RateLimitGuard, RateLimitModule } from './common/rate-limit/rate-limit.js';
import { ErrorEnvelopeFilter } from './common/errors/error-envelope.filter.js';
import { SuccessEnvelopeInterceptor } from './common/http/success-envelope.interceptor.js';
import { createValidationPipe } from './common/http/validation.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { composeSchemas, type ModuleSchema } from './database/module-schema.js';
import { HUB_SCHEMA } from './hub-schema.js';
import { AgentsModule } from './modules/agents/agents.module.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { CryptoModule } from './common/crypto/crypto.module.js';
import { EventsModule } from './modules/events/events.module.js';
import { SchedulerModule } from './modules/scheduler/scheduler.module.js';
import { SystemModule } from './modules/system/system.module.js';
import { TasksModule } from './modules/tasks/tasks.module.js';
import { TeamsModule } from './modules/teams/teams.module.js';
import { TemplatesModule } from './modules/templates/templates.module.js';
import { UsersModule } from './modules/users/users.module.js';

export type AppModuleImports = Array<Type<unknown> | DynamicModule>;

/**
 * The hub. Built from an explicit config, so tests and `main.ts` assemble exactly the same application;
 * `extraImports` lets an embedding application add its own feature modules under the same global pipeline,
 * and `extraSchemas` their tables (entities and migrations, applied with the hub's at start).
 */
@Module({})
export class AppModule {
  static forRoot(
    config: AppConfig,
    extraImports: AppModuleImports = [],
    extraSchemas: ModuleSchema[] = [],
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        PassportRegistryModule,
        RateLimitModule,
        IdempotencyModule,
        DatabaseModule.forRoot(config, composeSchemas(HUB_SCHEMA, ...extraSchemas)),
        CryptoModule,
        AuditModule,
        UsersModule,
        AuthModule,
        AgentsModule,
        TemplatesModule,
        TeamsModule,
        TasksModule,
        SchedulerModule.forRoot(config),
        SystemModule,
        EventsModule,
        ...extraImports,
      ],
      providers: [
        AccessGuard,
        { provide: APP_GUARD, useExisting: AccessGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
        { provide: APP_INTERCEPTOR, useClass: SuccessEnvelopeInterceptor },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
