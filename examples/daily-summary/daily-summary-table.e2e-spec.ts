import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createUser, tokenFor } from '../../test/factories/user.factory.js';
import { call, dataOf } from '../../test/utils/api.js';
import { CallbackReceiver } from '../../test/utils/callback-receiver.js';
import { startTestApp, type TestApp } from '../../test/utils/test-app.js';
import { TEST_AGENT_TOKEN } from '../../test/utils/test-config.js';
import { bearer } from '../../test/utils/tokens.js';
import { DailySummaryModule } from './daily-summary.module.js';
import { DAILY_SUMMARY_SCHEMA } from './daily-summary.schema.js';

/**
 * An extension with a table of its own, mounted from outside with createApp's `schemas`: its migration runs
 * with the hub's at start, its entity works through TypeOrmModule.forFeature, and a hub without it has no
 * such table.
 */

interface DeliveryRecord {
  date: string;
  trigger: string;
  delivered: boolean;
  statusCode: number | null;
  completed: number;
  sentAt: string;
}
interface DeliveryPage {
  items: DeliveryRecord[];
  total: number;
}

const TABLE = 'daily_summary_deliveries';
// Where the hub records applied migrations, its extensions' included (migrationsTableName in the data source).
const MIGRATIONS_TABLE = 'typeorm_migrations';
const [EXTENSION_MIGRATION] = DAILY_SUMMARY_SCHEMA.migrations;
const hubToken = bearer(TEST_AGENT_TOKEN);
const tableExists = async (db: DataSource): Promise<boolean> =>
  (await db.query<Array<{ found: string | null }>>('SELECT to_regclass($1) AS found', [TABLE]))[0].found !== null;
const appliedMigrations = async (db: DataSource): Promise<string[]> =>
  (await db.query<Array<{ name: string }>>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)).map((row) => row.name);

describe('Daily summary example extension: a table of its own', () => {
  let receiver: CallbackReceiver;
  let hub: TestApp;

  beforeAll(async () => {
    receiver = await CallbackReceiver.start();
    hub = await startTestApp({
      env: { CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true' },
      imports: [DailySummaryModule.forRoot({ url: receiver.url })],
      schemas: [DAILY_SUMMARY_SCHEMA],
    });
  });
  afterAll(async () => {
    await hub?.close();
    await receiver?.close();
  });

  const db = (): DataSource => hub.app.get(DataSource);
  const deliveries = (headers = hubToken) => call(hub.server, 'get', '/api/daily-summary/deliveries', headers);

  it("creates the table with the extension's migration at start, after the hub's own", async () => {
    expect(await tableExists(db())).toBe(true);
    const applied = await appliedMigrations(db());
    expect(applied.at(-1)).toBe(new EXTENSION_MIGRATION().name);
    expect(applied.filter((name) => name === new EXTENSION_MIGRATION().name)).toHaveLength(1);
  });

  it('has an entity that matches its migration exactly (no schema change pending)', async () => {
    const pending = await db().driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('records every send attempt, delivered or not, and lists them newest first for administrators', async () => {
    await call(hub.server, 'post', '/api/daily-summary/send', hubToken, { date: '2031-03-04' }).expect(200);
    receiver.reply(503);
    await call(hub.server, 'post', '/api/daily-summary/send', hubToken, { date: '2031-03-05' }).expect(502);

    const page = dataOf<DeliveryPage>(await deliveries().expect(200));
    expect(page.total).toBe(2);
    expect(page.items.map(({ sentAt: _sentAt, ...rest }) => rest)).toEqual([
      { date: '2031-03-05', trigger: 'manual', delivered: false, statusCode: 503, completed: 0 },
      { date: '2031-03-04', trigger: 'manual', delivered: true, statusCode: 204, completed: 0 },
    ]);
    expect(await db().query(`SELECT count(*)::int AS n FROM ${TABLE}`)).toEqual([{ n: 2 }]);

    const user = bearer(tokenFor(hub.config, (await createUser(hub.app)).user));
    expect((await deliveries(user)).status).toBe(403);
    expect((await deliveries({})).status).toBe(401);
  });
});

describe('The extension mounted without its schema', () => {
  it('stops the start, naming the entity that no schema lists', async () => {
    await expect(
      startTestApp({ imports: [DailySummaryModule.forRoot({ url: 'https://hooks.example.com/daily' })] }),
    ).rejects.toThrow('DailySummaryDeliveryEntity is registered with TypeOrmModule.forFeature but in no schema');
  });
});

describe('The hub without the extension', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await startTestApp();
  });
  afterAll(() => hub?.close());

  it("has neither the extension's table nor its migration", async () => {
    const db = hub.app.get(DataSource);
    expect(await tableExists(db)).toBe(false);
    expect(await appliedMigrations(db)).not.toContain(new EXTENSION_MIGRATION().name);
  });
});
