import pg from 'pg';

export type RowCounts = Record<string, number>;

/** Counts the rows of every table in a database's public schema, in one statement per snapshot. */
export class RowCounter {
  private constructor(
    private readonly client: pg.Client,
    private readonly statement: string,
  ) {}

  static async connect(url: string): Promise<RowCounter> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;
    const columns = rows.map(({ name }) => `(SELECT count(*) FROM public.${quoted(name)})::int AS ${quoted(name)}`);
    return new RowCounter(client, `SELECT ${columns.join(', ')}`);
  }

  async counts(): Promise<RowCounts> {
    return (await this.client.query<RowCounts>(this.statement)).rows[0];
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/** The tables whose row count differs between two snapshots, except `allowed`, as `table: before → after`. */
export const changedTables = (before: RowCounts, after: RowCounts, allowed: ReadonlySet<string>): string[] =>
  Object.keys(after)
    .filter((table) => !allowed.has(table) && before[table] !== after[table])
    .map((table) => `${table}: ${before[table]} → ${after[table]}`);
