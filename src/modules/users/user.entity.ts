import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { UserRole } from '../../common/auth/principal.js';

@Entity({ name: 'users' })
@Index('users_username_lower_key', { synchronize: false })
@Check('users_role_check', `"role" IN ('admin', 'user')`)
@Check('users_username_check', `"username" ~ '^[a-zA-Z0-9._-]{3,64}$'`)
@Check('users_oidc_identity_check', `("oidc_issuer" IS NULL) = ("oidc_subject" IS NULL)`)
@Index('users_oidc_identity_key', ['oidcIssuer', 'oidcSubject'], { unique: true })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'users_pkey' })
  id!: string;

  // Unique case-insensitively through the expression index users_username_lower_key (see the migration).
  @Column({ type: 'varchar', length: 64 })
  username!: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16, default: 'user' })
  role!: UserRole;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** AES-256-GCM ciphertext of the TOTP secret, never the secret itself. */
  @Column({ name: 'mfa_secret_encrypted', type: 'text', nullable: true })
  mfaSecretEncrypted!: string | null;

  @Column({ name: 'mfa_enabled', type: 'boolean', default: false })
  mfaEnabled!: boolean;

  /** SHA-256 hashes of the unused backup codes. */
  @Column({ name: 'mfa_backup_code_hashes', type: 'text', array: true, default: () => "'{}'" })
  mfaBackupCodeHashes!: string[];

  /** The last TOTP time step accepted, so a code cannot be replayed. */
  @Column({ name: 'mfa_last_used_step', type: 'bigint', nullable: true })
  mfaLastUsedStep!: string | null;

  @Column({ name: 'failed_login_count', type: 'integer', default: 0 })
  failedLoginCount!: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  /** Bumped to revoke every access token issued before (role or password change, log-out-everywhere). */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion!: number;

  /** The OpenID Connect identity (issuer and `sub`) this user signs in with, if any. */
  @Column({ name: 'oidc_issuer', type: 'varchar', length: 512, nullable: true })
  oidcIssuer!: string | null;

  @Column({ name: 'oidc_subject', type: 'varchar', length: 255, nullable: true })
  oidcSubject!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
