import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../common/auth/request-context.js';
import { NotFoundError } from '../../../common/errors/domain-errors.js';
import { type Page, type PageQueryDto, pageOf } from '../../../common/http/pagination.dto.js';
import { AuditService } from '../../audit/audit.service.js';
import type { ConfigEntryDto } from './config.dto.js';
import type { ConfigEntryEntity } from './config-entry.entity.js';
import { ConfigStoreRepository } from './config-store.repository.js';
import { maskSecrets } from './mask-secrets.js';

const toDto = (entry: ConfigEntryEntity): ConfigEntryDto => ({
  key: entry.key,
  value: maskSecrets(entry.key, entry.value),
  updatedAt: entry.updatedAt.toISOString(),
});

/** The runtime config store (`/api/config`): JSON values, secrets masked on read, writes audited. */
@Injectable()
export class ConfigStoreService {
  constructor(
    private readonly entries: ConfigStoreRepository,
    private readonly audit: AuditService,
  ) {}

  async list(query: PageQueryDto): Promise<Page<ConfigEntryDto>> {
    const [rows, total] = await this.entries.list(query.limit, query.offset);
    return pageOf(rows.map(toDto), total, query);
  }

  async get(key: string): Promise<ConfigEntryDto> {
    const entry = await this.entries.get(key);
    if (!entry) {
      throw new NotFoundError('config_key', `No config value under "${key}"`);
    }
    return toDto(entry);
  }

  /** The raw value for the hub's own use (never masked), or undefined. */
  async raw(key: string): Promise<unknown> {
    return (await this.entries.get(key))?.value;
  }

  async put(ctx: RequestContext, key: string, value: unknown): Promise<ConfigEntryDto> {
    const entry = await this.entries.put(key, value);
    await this.audit.record(ctx, {
      action: 'config.updated',
      targetType: 'config',
      targetId: key,
      // What readers may see is what the audit may keep: the masked value.
      details: { value: maskSecrets(key, value) },
    });
    return toDto(entry);
  }

  async remove(ctx: RequestContext, key: string): Promise<void> {
    if (!(await this.entries.delete(key))) {
      throw new NotFoundError('config_key', `No config value under "${key}"`);
    }
    await this.audit.record(ctx, { action: 'config.deleted', targetType: 'config', targetId: key });
  }
}
