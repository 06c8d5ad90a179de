import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ConfigEntryEntity } from './config-entry.entity.js';

@Injectable()
export class ConfigStoreRepository {
  constructor(@InjectRepository(ConfigEntryEntity) private readonly entries: Repository<ConfigEntryEntity>) {}

  list(limit: number, offset: number): Promise<[ConfigEntryEntity[], number]> {
    return this.entries.findAndCount({ order: { key: 'ASC' }, take: limit, skip: offset });
  }

  get(key: string): Promise<ConfigEntryEntity | null> {
    return this.entries.findOneBy({ key });
  }

  async put(key: string, value: unknown): Promise<ConfigEntryEntity> {
    await this.entries.query(
      `INSERT INTO config (key, value, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, JSON.stringify(value)],
    );
    return (await this.get(key))!;
  }

  async delete(key: string): Promise<boolean> {
    const { affected } = await this.entries.delete({ key });
    return (affected ?? 0) > 0;
  }
}
