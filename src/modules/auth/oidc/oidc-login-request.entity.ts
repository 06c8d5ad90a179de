import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** One OIDC login between the redirect to the provider and the callback: at most 10 minutes, used once. */
@Entity({ name: 'oidc_login_requests' })
@Index('oidc_login_requests_expires_at_idx', ['expiresAt'])
export class OidcLoginRequestEntity {
  /** SHA-256 (hex) of the random id in the browser's cookie; the id itself is not stored. */
  @PrimaryColumn({ type: 'char', length: 64, primaryKeyConstraintName: 'oidc_login_requests_pkey' })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  state!: string;

  @Column({ type: 'varchar', length: 128 })
  nonce!: string;

  @Column({ name: 'code_verifier', type: 'varchar', length: 128 })
  codeVerifier!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
