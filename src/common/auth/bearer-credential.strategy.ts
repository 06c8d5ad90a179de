import { Strategy } from 'passport-strategy';
import type { AuthenticatedRequest } from './authenticated-request.js';

type Verified = (error: unknown, principal?: unknown) => void;

/**
 * A passport strategy for opaque bearer credentials that the access guard has already extracted into
 * `request.credential`. `PassportStrategy(BearerCredentialStrategy, name)` supplies the verify callback,
 * which calls the subclass's `validate(credential)`.
 */
export class BearerCredentialStrategy extends Strategy {
  constructor(private readonly verify: (credential: string, done: Verified) => void) {
    super();
  }

  // passport's types assume Express; on Fastify the access guard hands us its own request object.
  override authenticate(request: Parameters<Strategy['authenticate']>[0]): void {
    const credential = (request as unknown as AuthenticatedRequest).credential;
    if (!credential) {
      this.fail(401);
      return;
    }
    this.verify(credential, (error, principal) => {
      if (error) {
        this.error(error as Error);
      } else if (principal) {
        this.success(principal);
      } else {
        this.fail(401);
      }
    });
  }
}
