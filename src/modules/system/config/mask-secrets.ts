export const MASK = '***';

// Keys that look like they hold credentials: keys, tokens, passwords, secrets, credentials.
const SECRET_KEY = /key|token|passw(or)?d|secret|credential/i;

export const looksSecret = (key: string): boolean => SECRET_KEY.test(key);

/** A value as readers see it: everything under a secret-looking key (at any depth) replaced by "***". */
export function maskSecrets(key: string, value: unknown): unknown {
  if (looksSecret(key)) {
    return MASK;
  }
  if (Array.isArray(value)) {
    return value.map((item) => maskSecrets('', item));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([inner, item]) => [inner, maskSecrets(inner, item)]));
  }
  return value;
}
