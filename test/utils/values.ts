import { createHash, randomBytes } from 'node:crypto';

/** A name, title or label no other test uses: `prefix` and 8 random hex digits. */
export const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Every key path (`a.b[0].c`) of a JSON value whose name matches `pattern`. */
export function keyPathsMatching(value: unknown, pattern: RegExp, path = ''): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => keyPathsMatching(item, pattern, `${path}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => {
      const childPath = `${path}${path ? '.' : ''}${key}`;
      return [...(pattern.test(key) ? [childPath] : []), ...keyPathsMatching(child, pattern, childPath)];
    });
  }
  return [];
}

/** The start of the `periodSeconds` slot a date falls in (computed independently of the hub's code). */
export const slotStart = (date: Date, periodSeconds: number): Date =>
  new Date(Math.floor(date.getTime() / (periodSeconds * 1000)) * periodSeconds * 1000);
