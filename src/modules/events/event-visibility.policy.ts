import type { HubEvent } from './hub-event.js';

/**
 * Who may see which events. People and the hub token see everything (they may read every task, agent and
 * schedule); a registered agent sees events of its own tasks and its teams' tasks, its own status, and
 * schedule occurrences whose task is in one of its teams.
 */
export type EventAudience = { kind: 'everything' } | { kind: 'agent'; agentId: string; teamIds: ReadonlySet<string> };

/** The caller's own narrowing (`type`, `teamId`, `taskId` query parameters). */
export interface EventFilter {
  types?: ReadonlySet<string>;
  teamId?: string;
  taskId?: string;
}

export function audienceSees(audience: EventAudience, event: HubEvent): boolean {
  if (audience.kind === 'everything') {
    return true;
  }
  const inTeam = event.teamId !== null && audience.teamIds.has(event.teamId);
  if (event.type.startsWith('task.')) {
    return event.agentId === audience.agentId || inTeam;
  }
  if (event.type.startsWith('agent.')) {
    return event.agentId === audience.agentId;
  }
  return inTeam;
}

export function filterMatches(filter: EventFilter, event: HubEvent): boolean {
  return (
    (!filter.types || filter.types.has(event.type)) &&
    (!filter.teamId || event.teamId === filter.teamId) &&
    (!filter.taskId || event.taskId === filter.taskId)
  );
}
