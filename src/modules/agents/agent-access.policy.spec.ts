import { describe, expect, it } from '@jest/globals';
import { AGENT_DEFAULT_SCOPES } from '../../common/auth/scopes.js';
import type { Principal } from '../../common/auth/principal.js';
import { requestContext } from '../../common/auth/request-context.js';
import { sha256 } from '../../common/crypto/secret-digest.js';
import { DomainError } from '../../common/errors/domain-errors.js';
import { agentAccessPolicy } from './agent-access.policy.js';

const ctxOf = (principal: Principal) => requestContext(principal, 'request-1', '127.0.0.1');
const self = ctxOf({ kind: 'agent', id: 'agent-1', name: 'worker-1', scopes: AGENT_DEFAULT_SCOPES });
const otherAgent = ctxOf({ kind: 'agent', id: 'agent-2', name: 'worker-2', scopes: AGENT_DEFAULT_SCOPES });
const plainUser = ctxOf({ kind: 'user', id: 'user-1', username: 'alice', role: 'user' });
const adminUser = ctxOf({ kind: 'user', id: 'user-2', username: 'root', role: 'admin' });
const hubToken = ctxOf({ kind: 'hub-token', id: 'hub-token' });
const anonymous = ctxOf({ kind: 'anonymous', id: 'anonymous' });

/** The refusal a rule throws, as status and code (or 'allowed'). */
function outcome(rule: () => void): string {
  try {
    rule();
    return 'allowed';
  } catch (error) {
    if (error instanceof DomainError) {
      return `${error.status} ${error.code}`;
    }
    throw error;
  }
}

describe('agentAccessPolicy.assertMayActOn (heartbeat, rotate-key)', () => {
  it.each([
    ['the agent itself', self, 'allowed'],
    ['another agent', otherAgent, '403 forbidden'],
    ['a plain user', plainUser, '403 forbidden'],
    ['an admin user', adminUser, 'allowed'],
    ['the hub token', hubToken, 'allowed'],
  ])('%s: %s', (_who, ctx, expected) => {
    expect(outcome(() => agentAccessPolicy.assertMayActOn(ctx, 'agent-1'))).toBe(expected);
  });
});

describe('agentAccessPolicy.assertMayHeartbeat', () => {
  it.each([
    ['online', 'allowed'],
    ['offline', 'allowed'],
    ['busy', 'allowed'],
    ['disabled', '403 agent_disabled'],
  ] as const)('an agent that is %s: %s', (status, expected) => {
    expect(outcome(() => agentAccessPolicy.assertMayHeartbeat({ status }))).toBe(expected);
  });
});

describe('agentAccessPolicy.assertMayRegister', () => {
  const token = 'registration-token-0123456789abcdef';
  const digest = sha256(token);

  it.each([
    ['an admin user without a token', adminUser, digest, undefined, 'allowed'],
    ['the hub token without a token', hubToken, undefined, undefined, 'allowed'],
    ['anyone with the right token', anonymous, digest, token, 'allowed'],
    ['a plain user with the right token', plainUser, digest, token, 'allowed'],
    ['anyone with a wrong token', anonymous, digest, `${token}x`, '401 unauthenticated'],
    ['anyone with a token when none is configured', anonymous, undefined, token, '401 unauthenticated'],
    ['an anonymous caller without a token', anonymous, digest, undefined, '401 unauthenticated'],
    ['a plain user without a token', plainUser, digest, undefined, '403 forbidden'],
    ['a registered agent without a token', self, undefined, undefined, '403 forbidden'],
  ])('%s: %s', (_who, ctx, configured, sent, expected) => {
    expect(outcome(() => agentAccessPolicy.assertMayRegister(ctx, configured, sent))).toBe(expected);
  });
});
