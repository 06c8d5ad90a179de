/**
 * Shapes of the response payloads that several e2e files read (SPEC section 12), written down independently of
 * the hub's code: a test that imported the hub's own types could not notice when they drift from the SPEC.
 */

/** A list answer (every list endpoint). */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** GET /api/tasks pages also say whether `total` is exact, and where the next page starts. */
export interface TaskPage<T> extends Page<T> {
  totalIsExact: boolean;
  nextCursor: string | null;
}

// ---------------------------------------------------------------------------------------------------------
// Tasks (SPEC sections 7 and 12)
// ---------------------------------------------------------------------------------------------------------

export type TaskStatus = 'todo' | 'assigned' | 'in_progress' | 'blocked' | 'completed' | 'failed' | 'cancelled';
export type TaskPriority = 'low' | 'medium' | 'high' | 'critical';

export interface TaskActor {
  type: string;
  id: string | null;
  name: string | null;
}

export interface TaskHistoryEntry {
  at: string;
  type: string;
  actor: TaskActor;
  details: Record<string, unknown>;
}

export interface TaskDto {
  id: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  teamId: string | null;
  assignedAgentId: string | null;
  assignedRoleId: string | null;
  parentTaskId: string | null;
  dependsOn: string[];
  history: TaskHistoryEntry[];
  lastOutput: string | null;
  lastExitCode: number | null;
  callbackUrl: string | null;
  version: number;
  leaseExpiresAt: string | null;
  attempt: number;
  maxAttempts: number;
  retryBackoffSeconds: number;
  timeoutSeconds: number | null;
  availableAt: string | null;
  startedAt: string | null;
  failureReason: 'attempts_exhausted' | 'timed_out' | null;
  concurrencyKey: string | null;
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

// ---------------------------------------------------------------------------------------------------------
// Agents (SPEC sections 4 and 12)
// ---------------------------------------------------------------------------------------------------------

export interface AgentDto {
  id: string;
  name: string;
  url: string;
  role: string;
  status: 'online' | 'offline' | 'busy' | 'disabled';
  capabilities: unknown;
  version: string | null;
  load: Record<string, unknown> | null;
  lastSeenAt: string | null;
  maxConcurrentTasks: number | null;
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

/** The answer of `POST /api/agents/register`: `agentKey` only when the registration issued one. */
export interface Registration {
  agent: AgentDto;
  agentKey?: string;
}

/** A registration that issued a key (the first registration of an agent). */
export interface KeyedRegistration extends Registration {
  agentKey: string;
}

// ---------------------------------------------------------------------------------------------------------
// Users, sessions and the audit log (SPEC sections 2, 3, 9 and 12)
// ---------------------------------------------------------------------------------------------------------

export interface UserDto {
  id: string;
  username: string;
  role: 'admin' | 'user';
  disabled: boolean;
  mfaEnabled: boolean;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

/** The body of a successful login or refresh. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
  user: UserDto;
}

export interface AuditEntry {
  id: string;
  at: string;
  actorType: string;
  actorId: string | null;
  username: string | null;
  ip: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  requestId: string | null;
  details: Record<string, unknown>;
}
