import { randomUUID } from 'node:crypto';
import { AGENT_DEFAULT_SCOPES } from '../../src/common/auth/scopes.js';
import type { UserRole } from '../../src/common/auth/principal.js';
import { requestContext, type RequestContext } from '../../src/common/auth/request-context.js';

/** The request context of a registered agent (its own key): never an administrator. */
export const agentContext = (id: string = randomUUID()): RequestContext =>
  requestContext({ kind: 'agent', id, name: `agent-${id.slice(0, 8)}`, scopes: AGENT_DEFAULT_SCOPES }, randomUUID());

/** The request context of a person with a user access token. */
export const userContext = (role: UserRole = 'user', id: string = randomUUID()): RequestContext =>
  requestContext({ kind: 'user', id, username: `user-${id.slice(0, 8)}`, role }, randomUUID());

/** The request context of whoever holds the hub's AGENT_TOKEN: an administrator. */
export const hubTokenContext = (): RequestContext =>
  requestContext({ kind: 'hub-token', id: 'hub-token' }, randomUUID());
