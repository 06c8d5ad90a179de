import type { UserPrincipal, UserRole } from '../../common/auth/principal.js';

/** Claims of a user access token (SPEC section 2). */
export interface AccessTokenClaims {
  sub: string;
  username: string;
  role: UserRole;
  mfa: boolean;
  typ: 'access';
  /** The user's token version when the token was issued; bumped to revoke all of a user's tokens. */
  ver: number;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
  jti: string;
}

const ROLES: readonly string[] = ['admin', 'user'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks what the signature check cannot: that a verified payload really is one of our access tokens.
 * jsonwebtoken accepts tokens without `exp`, so its presence is enforced here.
 */
export function toUserPrincipal(payload: Partial<AccessTokenClaims>): UserPrincipal | undefined {
  const { sub, username, role, typ, exp, jti } = payload;
  const wellFormed =
    typ === 'access' &&
    typeof exp === 'number' &&
    typeof sub === 'string' &&
    UUID.test(sub) &&
    typeof username === 'string' &&
    typeof jti === 'string' &&
    typeof role === 'string' &&
    ROLES.includes(role);
  return wellFormed ? { kind: 'user', id: sub, username, role } : undefined;
}
