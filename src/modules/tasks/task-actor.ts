import type { RequestContext } from '../../common/auth/request-context.js';
import type { TaskHistoryEntry } from './task-columns.entity.js';

/** A history entry for an action of the caller. */
export function historyEntry(
  ctx: RequestContext,
  type: string,
  details: Record<string, unknown> = {},
): TaskHistoryEntry {
  const principal = ctx.principal;
  const name = principal.kind === 'user' ? principal.username : principal.kind === 'agent' ? principal.name : null;
  const id = principal.kind === 'anonymous' || principal.kind === 'hub-token' ? null : principal.id;
  return { at: new Date().toISOString(), type, actor: { type: principal.kind, id, name }, details };
}
