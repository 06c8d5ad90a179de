import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import type { Scope } from '../../../common/auth/scopes.js';
import { UserEntity } from '../../users/user.entity.js';

/** A personal access token: the hub keeps its SHA-256 hash, never the token (shown once, at creation). */
@Entity({ name: 'personal_access_tokens' })
@Index('personal_access_tokens_token_hash_key', ['tokenHash'], { unique: true })
@Index('personal_access_tokens_user_id_idx', ['userId'])
export class PersonalAccessTokenEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'personal_access_tokens_pkey' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'personal_access_tokens_user_id_fkey' })
  user?: Relation<UserEntity>;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ type: 'text', array: true })
  scopes!: Scope[];

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
