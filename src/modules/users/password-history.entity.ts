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
import { UserEntity } from './user.entity.js';

/** Previous password hashes of a user, for the "not one of the last N" rule. */
@Entity({ name: 'password_history' })
@Index('password_history_user_id_created_at_idx', ['userId', 'createdAt'])
export class PasswordHistoryEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'password_history_pkey' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'password_history_user_id_fkey' })
  user?: Relation<UserEntity>;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
