import type { MigrationInterface } from 'typeorm';

/** An entity class (TypeORM reads its decorators). */
export type EntityClass = abstract new (...args: never[]) => object;
/** A migration class; its name ends in the timestamp that orders it. */
export type MigrationClass = new () => MigrationInterface;

/**
 * The tables a module owns: its entities and the migrations that create and change them. Each hub module
 * exports one (`<module>.schema.ts`), an extension module passes its own to `createApp({ schemas })`, and
 * `composeSchemas` makes the one list the app, the TypeORM CLI and the tests use.
 */
export interface ModuleSchema {
  entities: readonly EntityClass[];
  migrations: readonly MigrationClass[];
}

const TIMESTAMP = /(\d{13})$/;

function timestampOf(migration: MigrationClass): number {
  const match = TIMESTAMP.exec(migration.name);
  if (!match) {
    throw new Error(`Migration ${migration.name}: the class name must end in a 13-digit timestamp`);
  }
  return Number(match[1]);
}

function refuseDuplicateNames(kind: string, items: ReadonlyArray<{ name: string }>): void {
  const seen = new Set<string>();
  for (const { name } of items) {
    if (seen.has(name)) {
      throw new Error(`Two ${kind} are named ${name}; names must be unique across all module schemas`);
    }
    seen.add(name);
  }
}

/**
 * All schemas as one: entities in order of appearance, migrations ordered by their timestamps (so a module's
 * migration runs where its time puts it, whichever schema lists it). The same class listed twice counts
 * once; two different classes with one name are refused, since TypeORM tells migrations apart by name.
 */
export function composeSchemas(...schemas: readonly ModuleSchema[]): ModuleSchema {
  const entities = [...new Set(schemas.flatMap((schema) => schema.entities))];
  const migrations = [...new Set(schemas.flatMap((schema) => schema.migrations))];
  refuseDuplicateNames('entities', entities);
  refuseDuplicateNames('migrations', migrations);
  return {
    entities,
    migrations: migrations
      .map((migration) => ({ migration, at: timestampOf(migration) }))
      .sort((a, b) => a.at - b.at)
      .map(({ migration }) => migration),
  };
}
