import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The hub's AGENT_TOKEN once it lives in the database (seeded from the environment, replaced by rotation),
 * so every instance accepts the same token. One row; tokens are sealed with the at-rest key.
 */
@Entity({ name: 'hub_agent_token' })
@Check('hub_agent_token_singleton_check', `"id" = 1`)
export class AgentTokenStateEntity {
  @PrimaryColumn({ type: 'smallint', default: 1, primaryKeyConstraintName: 'hub_agent_token_pkey' })
  id!: number;

  @Column({ name: 'current_sealed', type: 'text' })
  currentSealed!: string;

  @Column({ name: 'previous_sealed', type: 'text', nullable: true })
  previousSealed!: string | null;

  /** Until when the previous token is still accepted (the rotation grace period). */
  @Column({ name: 'previous_valid_until', type: 'timestamptz', nullable: true })
  previousValidUntil!: Date | null;

  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  rotatedAt!: Date | null;
}
