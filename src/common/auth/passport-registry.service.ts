import { Global, Injectable, Module } from '@nestjs/common';
import { Passport, type Strategy } from 'passport';
import { UnauthenticatedError } from '../errors/domain-errors.js';
import type { AuthenticatedRequest } from './authenticated-request.js';
import type { Principal } from './principal.js';
import { ANY_CREDENTIAL_STRATEGIES } from './strategy-names.js';

/**
 * This application's own passport instance. `@nestjs/passport` registers strategies in the process-wide
 * passport singleton, where a second hub built in the same process (tests, an embedding application)
 * replaces the first one's strategies, and with them its session cache and AGENT_TOKEN. The access guard
 * authenticates through this per-application registry instead; strategies add themselves to it.
 */
@Injectable()
export class PassportRegistryService {
  private readonly passport = new Passport();

  register(name: string, strategy: Strategy): void {
    this.passport.use(name, strategy);
  }

  /** Runs the strategies in order; resolves to the first principal, rejects with the first error or 401. */
  authenticate(strategies: string[], request: AuthenticatedRequest, reply: unknown): Promise<Principal> {
    return new Promise((resolve, reject) => {
      const done = (error: unknown, principal?: Principal | false): void => {
        if (error instanceof Error) {
          reject(error); // a strategy's own error (database down → 503) keeps its meaning
        } else if (error || !principal) {
          reject(new UnauthenticatedError());
        } else {
          resolve(principal);
        }
      };
      const middleware = this.passport.authenticate(strategies, { session: false }, done) as (
        req: unknown,
        res: unknown,
        next: (error?: unknown) => void,
      ) => void;
      middleware(request, reply, (error) => done(error ?? new UnauthenticatedError()));
    });
  }

  /**
   * Whether the credential of a request authenticated earlier still authenticates the same principal; a
   * long-lived stream asks every few seconds, so a revoked token, rotated key or disabled account ends it. A
   * database outage says nothing about the credential and does not end it.
   */
  async stillAuthenticates(request: AuthenticatedRequest, reply: unknown, principal: Principal): Promise<boolean> {
    try {
      const again = await this.authenticate(ANY_CREDENTIAL_STRATEGIES, request, reply);
      return again.kind === principal.kind && again.id === principal.id;
    } catch (error) {
      return !(error instanceof UnauthenticatedError);
    }
  }
}

@Global()
@Module({ providers: [PassportRegistryService], exports: [PassportRegistryService] })
export class PassportRegistryModule {}
