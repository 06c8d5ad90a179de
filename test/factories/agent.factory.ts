import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AgentEntity } from '../../src/modules/agents/agent.entity.js';
import { AgentsRepository } from '../../src/modules/agents/agents.repository.js';

let sequence = 0;

/** Registers an agent through the hub's own repository (as POST /api/agents/register would); the stored agent. */
export async function createAgent(source: DataSource, overrides: { name?: string } = {}): Promise<AgentEntity> {
  sequence += 1;
  const name = overrides.name ?? `agent${sequence}-${randomBytes(3).toString('hex')}`;
  const { agent } = await new AgentsRepository(source.getRepository(AgentEntity)).upsertByUrl(
    {
      url: `http://${name}.agents.test:5001`,
      name,
      role: 'worker',
      capabilities: [],
      version: null,
      keyHash: randomBytes(32).toString('hex'),
      outboundTokenSealed: null,
    },
    true,
  );
  return agent;
}
