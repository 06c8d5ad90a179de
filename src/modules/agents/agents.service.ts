import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { SecretBoxService } from '../../common/crypto/secret-box.service.js';
import { sha256 } from '../../common/crypto/secret-digest.js';
import { NotFoundError } from '../../common/errors/domain-errors.js';
import { type Page, pageOf } from '../../common/http/pagination.dto.js';
import { AppConfig } from '../../config/app-config.js';
import { AuditService } from '../audit/audit.service.js';
import { agentAccessPolicy } from './agent-access.policy.js';
import type { AgentEntity } from './agent.entity.js';
import { newAgentKey } from './agent-keys.js';
import { AgentsRepository } from './agents.repository.js';
import {
  type AgentKeyResponseDto,
  type AgentResponseDto,
  type HeartbeatDto,
  type ListAgentsQueryDto,
  type RegisterAgentDto,
  type RegistrationResponseDto,
  toAgentResponse,
  type UpdateAgentDto,
} from './dto/agent.dto.js';

/** The agent registry (SPEC section 4). */
@Injectable()
export class AgentsService {
  private readonly registrationTokenDigest?: Buffer;
  private readonly offlineTimeoutSeconds: number;

  constructor(
    private readonly agents: AgentsRepository,
    private readonly box: SecretBoxService,
    private readonly audit: AuditService,
    config: AppConfig,
  ) {
    this.registrationTokenDigest = config.registrationToken ? sha256(config.registrationToken) : undefined;
    this.offlineTimeoutSeconds = config.agents.offlineTimeoutSeconds;
  }

  /** Upsert by URL. A key is returned on first registration, or on request (`rotateKey`), and never again. */
  async register(
    ctx: RequestContext,
    dto: RegisterAgentDto,
    registrationToken?: string,
  ): Promise<RegistrationResponseDto> {
    agentAccessPolicy.assertMayRegister(ctx, this.registrationTokenDigest, registrationToken);
    const { key, hash } = newAgentKey();
    const rotateKey = dto.rotateKey === true;
    const { agent, inserted } = await this.agents.upsertByUrl(
      {
        url: dto.url,
        name: dto.name,
        role: dto.role ?? 'worker',
        capabilities: dto.capabilities ?? [],
        version: dto.version ?? null,
        keyHash: hash,
        outboundTokenSealed: dto.token ? this.box.seal(dto.token) : null,
        maxConcurrentTasks: dto.maxConcurrentTasks,
      },
      rotateKey,
    );
    await this.audit.record(ctx, {
      action: 'agent.registered',
      targetType: 'agent',
      targetId: agent.id,
      details: { name: agent.name, url: agent.url, created: inserted, keyIssued: inserted || rotateKey },
    });
    return inserted || rotateKey ? { agent: toAgentResponse(agent), agentKey: key } : { agent: toAgentResponse(agent) };
  }

  async list(query: ListAgentsQueryDto): Promise<Page<AgentResponseDto>> {
    const [rows, total] = await this.agents.list(query);
    return pageOf(rows.map(toAgentResponse), total, query);
  }

  async get(id: string): Promise<AgentResponseDto> {
    return toAgentResponse(await this.require(id));
  }

  /** Whether an agent with this id exists (for other modules' validation). */
  async exists(id: string): Promise<boolean> {
    return (await this.agents.getById(id)) !== null;
  }

  async update(ctx: RequestContext, id: string, dto: UpdateAgentDto): Promise<AgentResponseDto> {
    await this.require(id);
    const { outboundToken, ...fields } = dto;
    const sealed =
      outboundToken === undefined ? undefined : outboundToken === null ? null : this.box.seal(outboundToken);
    const agent = (await this.agents.update(id, { ...fields, outboundTokenSealed: sealed }))!;
    await this.audit.record(ctx, {
      action: 'agent.updated',
      targetType: 'agent',
      targetId: id,
      details: { ...fields, outboundTokenChanged: outboundToken !== undefined },
    });
    return toAgentResponse(agent);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    const agent = await this.require(id);
    await this.agents.delete(id);
    await this.audit.record(ctx, {
      action: 'agent.deleted',
      targetType: 'agent',
      targetId: id,
      details: { name: agent.name, url: agent.url },
    });
  }

  async heartbeat(ctx: RequestContext, id: string, dto: HeartbeatDto): Promise<AgentResponseDto> {
    agentAccessPolicy.assertMayActOn(ctx, id);
    agentAccessPolicy.assertMayHeartbeat(await this.require(id));
    return toAgentResponse((await this.agents.heartbeat(id, dto.status ?? 'online', dto.load ?? null))!);
  }

  async rotateKey(ctx: RequestContext, id: string): Promise<AgentKeyResponseDto> {
    agentAccessPolicy.assertMayActOn(ctx, id);
    await this.require(id);
    const { key, hash } = newAgentKey();
    await this.agents.replaceKey(id, hash);
    await this.audit.record(ctx, { action: 'agent.key_rotated', targetType: 'agent', targetId: id });
    return { agentKey: key };
  }

  /** The offline sweep: agents silent for longer than AGENT_OFFLINE_TIMEOUT_SECONDS become `offline`. */
  async markStaleOffline(ctx: RequestContext): Promise<string[]> {
    const ids = await this.agents.markStaleOffline(this.offlineTimeoutSeconds);
    if (ids.length > 0) {
      await this.audit.record(ctx, { action: 'agent.marked_offline', targetType: 'agent', details: { agentIds: ids } });
    }
    return ids;
  }

  private async require(id: string): Promise<AgentEntity> {
    const agent = await this.agents.getById(id);
    if (!agent) {
      throw new NotFoundError('agent');
    }
    return agent;
  }
}
