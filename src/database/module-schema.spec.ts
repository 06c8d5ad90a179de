import { describe, expect, it } from '@jest/globals';
import type { MigrationInterface } from 'typeorm';
import { HUB_SCHEMA } from '../hub-schema.js';
import { composeSchemas, type MigrationClass } from './module-schema.js';

const migration = (name: string): MigrationClass => {
  const named = {
    [name]: class implements MigrationInterface {
      async up(): Promise<void> {}
      async down(): Promise<void> {}
    },
  };
  return named[name];
};
class FirstEntity {}
class SecondEntity {}

describe(composeSchemas.name, () => {
  it('orders migrations by the timestamp that ends their names, whichever schema lists them', () => {
    const early = migration('CreateThings1700000000000');
    const middle = migration('AddColumn1750000000000');
    const late = migration('AddIndex1800000000000');
    const composed = composeSchemas(
      { entities: [FirstEntity], migrations: [late, early] },
      { entities: [SecondEntity], migrations: [middle] },
    );
    expect(composed.migrations).toEqual([early, middle, late]);
    expect(composed.entities).toEqual([FirstEntity, SecondEntity]);
  });

  it('counts a class listed by two schemas once', () => {
    const shared = migration('Shared1700000000000');
    const composed = composeSchemas(
      { entities: [FirstEntity], migrations: [shared] },
      { entities: [FirstEntity], migrations: [shared] },
    );
    expect(composed).toEqual({ entities: [FirstEntity], migrations: [shared] });
  });

  it('refuses two different migrations with one name (TypeORM tells them apart by name only)', () => {
    expect(() =>
      composeSchemas(
        { entities: [], migrations: [migration('Clash1700000000000')] },
        { entities: [], migrations: [migration('Clash1700000000000')] },
      ),
    ).toThrow('Two migrations are named Clash1700000000000');
  });

  it('refuses two different entity classes with one name', () => {
    const other = { FirstEntity: class {} }.FirstEntity;
    expect(() =>
      composeSchemas({ entities: [FirstEntity], migrations: [] }, { entities: [other], migrations: [] }),
    ).toThrow('Two entities are named FirstEntity');
  });

  it('refuses a migration whose name does not end in a timestamp', () => {
    expect(() => composeSchemas({ entities: [], migrations: [migration('NoTimestamp')] })).toThrow(
      'Migration NoTimestamp: the class name must end in a 13-digit timestamp',
    );
  });
});

describe('HUB_SCHEMA', () => {
  it("lists every module's migrations once, oldest first", () => {
    const names = HUB_SCHEMA.migrations.map((each) => each.name);
    expect(new Set(names).size).toBe(names.length);
    const stamps = names.map((name) => Number(/(\d{13})$/.exec(name)?.[1]));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(names[0]).toBe('CreateUsers1795660800000');
  });
});
