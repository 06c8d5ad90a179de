import { Global, Injectable, Module } from '@nestjs/common';
import { Passport, type Strategy } from 'passport';
import { UnauthenticatedError } from '../errors/domain-errors.js';
import type { AuthenticatedRequest } from './authenticated-request.js';
import type { Principal } from './principal.js';

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
}

@Global()
@Module({ providers: [PassportRegistryService], exports: [PassportRegistryService] })
export class PassportRegistryModule {}
