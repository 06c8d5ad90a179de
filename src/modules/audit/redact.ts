const SECRET_KEY_PARTS = ['password', 'token', 'secret', 'authorization', 'cookie', 'otp', 'apikey', 'agentkey'];
const SECRET_KEYS = new Set(['code', 'codes', 'mfacode', 'backupcode', 'backupcodes', 'key', 'hash']);
const SECRET_IN_TEXT = /\b(password|token|secret|api[_-]?key|authorization)(\s*[=:]\s*)\S+/gi;
export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 6;

function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z]/g, '');
  return SECRET_KEYS.has(normalized) || SECRET_KEY_PARTS.some((part) => normalized.includes(part));
}

/**
 * Audit details with every secret removed: values under secret-looking keys (password, token, secret, code,
 * key…), at any depth, and `password=…`-style fragments inside strings. The original is not modified.
 */
export function redactDetails(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.replace(SECRET_IN_TEXT, `$1$2${REDACTED}`);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (depth >= MAX_DEPTH) {
    return REDACTED;
  }
  if (Array.isArray(value)) {
    return value.map((item) => redactDetails(item, depth + 1));
  }
  if (value instanceof Date) {
    return value.toISOString();
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      key,
      isSecretKey(key) ? REDACTED : redactDetails(item, depth + 1),
    ]),
  );
}
