import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { UserEntity } from '../../users/user.entity.js';

/**
 * A one-time code for Swagger UI after a sign-in at the provider: good for 60 s, once, with the PKCE
 * challenge and redirect URI it was issued for. Only its SHA-256 is stored.
 */
@Entity({ name: 'oidc_client_codes' })
@Index('oidc_client_codes_expires_at_idx', ['expiresAt'])
export class OidcClientCodeEntity {
  @PrimaryColumn({ name: 'code_hash', type: 'char', length: 64, primaryKeyConstraintName: 'oidc_client_codes_pkey' })
  codeHash!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'oidc_client_codes_user_id_fkey' })
  user?: Relation<UserEntity>;

  @Column({ name: 'redirect_uri', type: 'varchar', length: 2048 })
  redirectUri!: string;

  @Column({ name: 'code_challenge', type: 'varchar', length: 128 })
  codeChallenge!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
