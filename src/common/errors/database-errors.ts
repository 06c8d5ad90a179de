/** PostgreSQL SQLSTATE codes the error mapping cares about. */
export const PgErrorCode = {
  UniqueViolation: '23505',
  ForeignKeyViolation: '23503',
  InvalidTextRepresentation: '22P02',
  // A NUL character, which PostgreSQL cannot store in text (22021) or in jsonb as \u0000 (22P05).
  CharacterNotInRepertoire: '22021',
  UntranslatableCharacter: '22P05',
  StringDataRightTruncation: '22001',
  NumericValueOutOfRange: '22003',
  NotNullViolation: '23502',
  CheckViolation: '23514',
  AdminShutdown: '57P01',
  CrashShutdown: '57P02',
  CannotConnectNow: '57P03',
  TooManyConnections: '53300',
} as const;

const UNAVAILABLE_SQLSTATES = new Set<string>([
  PgErrorCode.AdminShutdown,
  PgErrorCode.CrashShutdown,
  PgErrorCode.CannotConnectNow,
  PgErrorCode.TooManyConnections,
]);

const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// node-postgres reports lost or impossible connections with plain Errors and these texts.
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end',
  // TypeORM releases a transaction's connection when the connection reports an error (the server shut down
  // between two statements); the transaction's next statement then fails with this text.
  'Query runner already released',
];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function* errorChain(error: unknown): Generator<ErrorLike> {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) {
      continue;
    }
    seen.add(current);
    const candidate = current as ErrorLike;
    yield candidate;
    queue.push(candidate.driverError, candidate.cause);
    if (Array.isArray(candidate.errors)) {
      queue.push(...(candidate.errors as unknown[]));
    }
  }
}

/** The SQLSTATE of a PostgreSQL error, looking through TypeORM's `QueryFailedError` wrapper. */
export function sqlState(error: unknown): string | undefined {
  for (const link of errorChain(error)) {
    if (typeof link.code === 'string' && /^[0-9A-Z]{5}$/.test(link.code)) {
      return link.code;
    }
  }
  return undefined;
}

/** True when the error means "the database cannot be reached right now" rather than "this query is wrong". */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of errorChain(error)) {
    const code = typeof link.code === 'string' ? link.code : undefined;
    if (code && (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || UNAVAILABLE_SOCKET_CODES.has(code))) {
      return true;
    }
    const message = typeof link.message === 'string' ? link.message : '';
    if (UNAVAILABLE_MESSAGES.some((text) => message.includes(text))) {
      return true;
    }
  }
  return false;
}
