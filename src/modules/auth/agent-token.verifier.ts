import { createHash, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { AppConfig } from '../../config/app-config.js';
import { JWT_CLOCK_TOLERANCE_SECONDS } from './strategies/user-jwt.strategy.js';

interface AcceptedToken {
  digest: Buffer;
  key: KeyObject;
}

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks a credential against the hub's `AGENT_TOKEN`, either as the static bearer string (compared in
 * constant time over SHA-256 digests, so neither content nor length leaks) or as the HS256 key of a JWT
 * that carries `exp` and names this hub as its audience. With `AGENT_TOKEN` unset nothing matches.
 */
@Injectable()
export class AgentTokenVerifier {
  private readonly accepted: AcceptedToken[];
  private readonly audience: string;

  constructor(config: AppConfig) {
    const token = config.agentToken.value;
    this.accepted = token ? [{ digest: sha256(token), key: createSecretKey(Buffer.from(token, 'utf8')) }] : [];
    this.audience = config.jwt.audience;
  }

  matches(credential: string): boolean {
    if (this.accepted.length === 0) {
      return false;
    }
    return (JWT_SHAPE.test(credential) && this.matchesJwt(credential)) || this.matchesStatic(credential);
  }

  private matchesStatic(credential: string): boolean {
    const digest = sha256(credential);
    // Every accepted token is compared, so timing does not reveal which one (if any) matched.
    return this.accepted.reduce((found, token) => timingSafeEqual(digest, token.digest) || found, false);
  }

  private matchesJwt(credential: string): boolean {
    return this.accepted.some((token) => {
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
