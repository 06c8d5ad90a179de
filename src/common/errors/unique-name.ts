import { ConflictError } from './domain-errors.js';
import { PgErrorCode, sqlState } from './database-errors.js';

/** Runs a write and turns a unique violation into a 409 that says which name is taken. */
export async function withUniqueName<T>(resource: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (sqlState(error) === PgErrorCode.UniqueViolation) {
      throw new ConflictError(
        `A ${resource.replaceAll('_', ' ')} with this name already exists`,
        `${resource}_name_taken`,
      );
    }
    throw error;
  }
}
