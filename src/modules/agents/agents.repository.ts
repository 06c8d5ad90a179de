import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { definedOnly } from '../../common/defined-only.js';
import { AgentEntity, type AgentStatus } from './agent.entity.js';

export type AgentRegistration = Pick<AgentEntity, 'url' | 'name' | 'role' | 'capabilities' | 'version'> & {
  keyHash: string;
  outboundTokenSealed: string | null;
  /** Undefined on a re-registration keeps the agent's current limit. */
  maxConcurrentTasks?: number | null;
};
export type AgentPatch = Partial<
  Pick<
    AgentEntity,
    'name' | 'role' | 'status' | 'capabilities' | 'version' | 'outboundTokenSealed' | 'maxConcurrentTasks' | 'scopes'
  >
>;

@Injectable()
export class AgentsRepository {
  constructor(@InjectRepository(AgentEntity) private readonly repository: Repository<AgentEntity>) {}

  getById(id: string): Promise<AgentEntity | null> {
    return this.repository.findOneBy({ id });
  }

  getByKeyHash(keyHash: string): Promise<AgentEntity | null> {
    return this.repository.findOneBy({ keyHash });
  }

  list(filter: {
    status?: AgentStatus;
    role?: string;
    limit: number;
    offset: number;
  }): Promise<[AgentEntity[], number]> {
    return this.repository.findAndCount({
      where: definedOnly({ status: filter.status, role: filter.role }),
      order: { name: 'ASC', id: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
  }

  /**
   * Inserts the agent or updates the one with this URL, in one statement, so concurrent registrations of one
   * URL give one agent. The new key hash is stored on insert, and on update only when `replaceKey` is set.
   */
  async upsertByUrl(
    values: AgentRegistration,
    replaceKey: boolean,
  ): Promise<{ agent: AgentEntity; inserted: boolean }> {
    const rows = await this.repository.query<Array<{ id: string; inserted: boolean }>>(
      `INSERT INTO agents (url, name, role, capabilities, version, key_hash, outbound_token_sealed,
         max_concurrent_tasks, status, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $9, 'online', now())
       ON CONFLICT (url) DO UPDATE SET
         name = EXCLUDED.name, role = EXCLUDED.role, capabilities = EXCLUDED.capabilities, version = EXCLUDED.version,
         outbound_token_sealed = COALESCE(EXCLUDED.outbound_token_sealed, agents.outbound_token_sealed),
         key_hash = CASE WHEN $8 THEN EXCLUDED.key_hash ELSE agents.key_hash END,
         max_concurrent_tasks = CASE WHEN $10 THEN EXCLUDED.max_concurrent_tasks ELSE agents.max_concurrent_tasks END,
         status = CASE WHEN agents.status = 'disabled' THEN agents.status ELSE 'online' END,
         last_seen_at = now(), updated_at = now()
       RETURNING id, (xmax = 0) AS inserted`,
      [
        values.url,
        values.name,
        values.role,
        JSON.stringify(values.capabilities),
        values.version,
        values.keyHash,
        values.outboundTokenSealed,
        replaceKey,
        values.maxConcurrentTasks ?? null,
        values.maxConcurrentTasks !== undefined,
      ],
    );
    return { agent: (await this.getById(rows[0].id))!, inserted: rows[0].inserted };
  }

  async update(id: string, patch: AgentPatch): Promise<AgentEntity | null> {
    const values = definedOnly(patch);
    if (Object.keys(values).length > 0) {
      await this.repository.update({ id }, values);
    }
    return this.getById(id);
  }

  async heartbeat(id: string, status: AgentStatus, load: object | null): Promise<AgentEntity | null> {
    await this.repository
      .createQueryBuilder()
      .update(AgentEntity)
      .set({ status, ...(load ? { load } : {}), lastSeenAt: () => 'now()' })
      .where('id = :id', { id })
      .execute();
    return this.getById(id);
  }

  async replaceKey(id: string, keyHash: string): Promise<void> {
    await this.repository.update({ id }, { keyHash });
  }

  async delete(id: string): Promise<boolean> {
    const { affected } = await this.repository.delete({ id });
    return (affected ?? 0) > 0;
  }

  /** Agents not heard from within the timeout become offline; returns the ids it changed. */
  async markStaleOffline(timeoutSeconds: number): Promise<string[]> {
    const result = await this.repository
      .createQueryBuilder()
      .update(AgentEntity)
      .set({ status: 'offline' })
      .where(`status IN ('online', 'busy')`)
      .andWhere('(last_seen_at IS NULL OR last_seen_at < now() - make_interval(secs => :timeoutSeconds))', {
        timeoutSeconds,
      })
      .returning(['id'])
      .execute();
    return (result.raw as Array<{ id: string }>).map((row) => row.id);
  }
}
