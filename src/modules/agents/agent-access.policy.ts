import type { RequestContext } from '../../common/auth/request-context.js';
import { matchesDigest } from '../../common/crypto/secret-digest.js';
import { ForbiddenError, UnauthenticatedError } from '../../common/errors/domain-errors.js';
import type { AgentEntity } from './agent.entity.js';

/**
 * The agents module's access rules that depend on data (which agent, its status, the configured registration
 * token); the route levels decide everything else. Pure: the service loads what the rules need.
 */
export const agentAccessPolicy = {
  /** An agent acts only on itself; anyone else but an administrator is refused without learning more. */
  assertMayActOn(ctx: RequestContext, agentId: string): void {
    const self = ctx.principal.kind === 'agent' && ctx.principal.id === agentId;
    if (!self && !ctx.isAdmin) {
      throw new ForbiddenError('An agent may only act on itself');
    }
  },

  /** A disabled agent's heartbeats are refused, whoever sends them. */
  assertMayHeartbeat(agent: Pick<AgentEntity, 'status'>): void {
    if (agent.status === 'disabled') {
      throw new ForbiddenError('This agent is disabled', 'agent_disabled');
    }
  },

  /**
   * Registration (public at the guard): an administrator's credential, or the registration token when one is
   * configured (compared in constant time). A wrong token is 401; another principal without a token 403.
   */
  assertMayRegister(ctx: RequestContext, tokenDigest: Buffer | undefined, registrationToken: string | undefined): void {
    if (ctx.isAdmin) {
      return;
    }
    if (tokenDigest && registrationToken !== undefined) {
      if (matchesDigest(registrationToken, tokenDigest)) {
        return;
      }
      throw new UnauthenticatedError('The registration token is not valid');
    }
    if (ctx.principal.kind !== 'anonymous') {
      throw new ForbiddenError('Only administrators may register agents without a registration token');
    }
    throw new UnauthenticatedError(
      tokenDigest
        ? 'Send the registration token in X-Registration-Token, or register as an administrator'
        : 'Agent registration requires an administrator',
    );
  },
};
