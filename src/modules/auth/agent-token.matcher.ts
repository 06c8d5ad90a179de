import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { matchesDigest, sha256 } from '../../common/crypto/secret-digest.js';

/** Clock skew tolerated between hub instances and token issuers (SPEC: at most 30 s). */
export const JWT_CLOCK_TOLERANCE_SECONDS = 30;

export interface AcceptedAgentToken {
  token: string;
  /** Absent for the current token; set for the previous one during the rotation grace period. */
  validUntil?: Date;
}

interface Prepared {
  digest: Buffer;
  key: KeyObject;
  validUntil?: number;
}

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * Checks a credential against the accepted hub tokens, either as the static bearer string (compared in
 * constant time over SHA-256 digests, so neither content nor length leaks) or as the HS256 key of a JWT
 * that carries `exp` and names this hub as its audience. With no accepted token nothing matches.
 */
export class AgentTokenMatcher {
  private readonly accepted: Prepared[];

  constructor(
    tokens: AcceptedAgentToken[],
    private readonly audience: string,
  ) {
    this.accepted = tokens.map(({ token, validUntil }) => ({
      digest: sha256(token),
      key: createSecretKey(Buffer.from(token, 'utf8')),
      validUntil: validUntil?.getTime(),
    }));
  }

  matches(credential: string, now = Date.now()): boolean {
    const live = this.accepted.filter((token) => token.validUntil === undefined || token.validUntil > now);
    if (live.length === 0) {
      return false;
    }
    return (JWT_SHAPE.test(credential) && this.matchesJwt(credential, live)) || this.matchesStatic(credential, live);
  }

  private matchesStatic(credential: string, live: Prepared[]): boolean {
    // Every accepted token is compared, so timing does not reveal which one (if any) matched.
    return live.reduce((found, token) => matchesDigest(credential, token.digest) || found, false);
  }

  private matchesJwt(credential: string, live: Prepared[]): boolean {
    return live.some((token) => {
      try {
        const payload = jwt.verify(credential, token.key, {
          algorithms: ['HS256'],
          audience: this.audience,
          clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
        });
        return typeof payload === 'object' && typeof payload.exp === 'number';
      } catch {
        return false;
      }
    });
  }
}
