/**
 * The object without its `undefined` properties. TypeORM 1 refuses `undefined` in a where condition (and
 * treats it as "set to default" nowhere useful), so optional filters and patches pass through this first.
 */
export const definedOnly = <T extends object>(values: T): Partial<T> =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
