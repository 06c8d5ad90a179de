import type { Scope } from '../../common/auth/scopes.js';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const AGENT_STATUSES = ['online', 'offline', 'busy', 'disabled'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** A registered agent (SPEC section 4). Its key is stored only as a SHA-256 hash. */
@Entity({ name: 'agents' })
@Index('agents_url_key', ['url'], { unique: true })
@Index('agents_key_hash_key', ['keyHash'], { unique: true })
@Index('agents_status_last_seen_at_idx', ['status', 'lastSeenAt'])
@Check('agents_max_concurrent_tasks_check', `"max_concurrent_tasks" >= 1`)
@Check('agents_status_check', `"status" IN ('online', 'offline', 'busy', 'disabled')`)
export class AgentEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'agents_pkey' })
  id!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 32, default: 'worker' })
  role!: string;

  @Column({ type: 'varchar', length: 16, default: 'online' })
  status!: AgentStatus;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  capabilities!: string[];

  @Column({ type: 'varchar', length: 64, nullable: true })
  version!: string | null;

  /** The last load report from a heartbeat (free-form, bounded in size by the DTO). */
  @Column({ type: 'jsonb', nullable: true })
  load!: object | null;

  /** What the agent's key may do; null: AGENT_DEFAULT_SCOPES (set by an administrator only). */
  @Column({ type: 'text', array: true, nullable: true })
  scopes!: Scope[] | null;

  /** At most this many tasks assigned to the agent or in progress at once through claims; null: no limit. */
  @Column({ name: 'max_concurrent_tasks', type: 'integer', nullable: true })
  maxConcurrentTasks!: number | null;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  @Column({ name: 'key_hash', type: 'char', length: 64, nullable: true })
  keyHash!: string | null;

  /** What the hub sends when it calls the agent, sealed with the at-rest key. */
  @Column({ name: 'outbound_token_sealed', type: 'text', nullable: true })
  outboundTokenSealed!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
