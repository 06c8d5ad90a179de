import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AgentTokenStateEntity } from './agent-token-state.entity.js';

@Injectable()
export class AgentTokenRepository {
  constructor(
    @InjectRepository(AgentTokenStateEntity) private readonly repository: Repository<AgentTokenStateEntity>,
  ) {}

  get(): Promise<AgentTokenStateEntity | null> {
    return this.repository.findOneBy({ id: 1 });
  }

  /**
   * Stores the environment's token. Until the first rotation the environment stays authoritative (an operator
   * may change AGENT_TOKEN and restart); after a rotation the stored token wins and this changes nothing.
   */
  async seed(currentSealed: string): Promise<void> {
    await this.repository.query(
      `INSERT INTO hub_agent_token (id, current_sealed) VALUES (1, $1)
       ON CONFLICT (id) DO UPDATE SET current_sealed = EXCLUDED.current_sealed WHERE hub_agent_token.rotated_at IS NULL`,
      [currentSealed],
    );
  }

  /** The current token becomes the previous one, accepted for `graceSeconds` more. */
  async rotate(newSealed: string, graceSeconds: number): Promise<void> {
    await this.repository.query(
      `UPDATE hub_agent_token SET previous_sealed = current_sealed,
         previous_valid_until = now() + make_interval(secs => $2), current_sealed = $1, rotated_at = now()
       WHERE id = 1`,
      [newSealed, graceSeconds],
    );
  }
}
