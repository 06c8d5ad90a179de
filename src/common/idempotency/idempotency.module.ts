import { Global, Module } from '@nestjs/common';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';

/** The key store for `@Idempotent()` routes in any module, and for housekeeping. */
@Global()
@Module({ providers: [IdempotencyKeysRepository], exports: [IdempotencyKeysRepository] })
export class IdempotencyModule {}
