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

  /** Set when Swagger UI started the login (GET /api/auth/oidc/authorize): where its code goes, and how. */
  @Column({ name: 'client_redirect_uri', type: 'varchar', length: 2048, nullable: true })
  clientRedirectUri!: string | null;

  @Column({ name: 'client_state', type: 'varchar', length: 512, nullable: true })
  clientState!: string | null;

  @Column({ name: 'client_code_challenge', type: 'varchar', length: 128, nullable: true })
  clientCodeChallenge!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
