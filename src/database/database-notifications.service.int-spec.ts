import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createEmptyDatabase, type TestDatabase } from '../../test/utils/test-database.js';
import { pollUntil } from '../../test/utils/poll.js';
import type { DatabaseConnection } from './database-connection.js';
import { DatabaseNotificationsService } from './database-notifications.service.js';

describe(DatabaseNotificationsService.name, () => {
  let database: TestDatabase;
  let sender: pg.Client;
  const services: DatabaseNotificationsService[] = [];

  beforeAll(async () => {
    database = await createEmptyDatabase();
    sender = new pg.Client({ connectionString: database.url });
    await sender.connect();
  });
  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.onApplicationShutdown()));
  });
  afterAll(async () => {
    await sender.end();
    await database.drop();
  });

  // Subscribers register before the service starts, as the hub's do at module init: LISTEN is then in place
  // before the first notification is sent.
  async function started(
    subscribe: (service: DatabaseNotificationsService) => void,
    kind: DatabaseConnection['kind'] = 'postgresql',
  ): Promise<DatabaseNotificationsService> {
    const service = new DatabaseNotificationsService({ url: database.url, kind } as DatabaseConnection);
    services.push(service);
    subscribe(service);
    await service.onModuleInit();
    return service;
  }
  const notify = (channel: string, payload: string) => sender.query('SELECT pg_notify($1, $2)', [channel, payload]);
  const listeningBackends = async (): Promise<number[]> =>
    (
      await sender.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ananta-hub-listen'`,
      )
    ).rows.map((row) => row.pid);

  it('delivers notifications of a channel to every subscriber, and none after unsubscribing', async () => {
    const first: Array<string | null> = [];
    const second: Array<string | null> = [];
    let unsubscribe: () => void = () => undefined;
    await started((service) => {
      service.subscribe('int_spec_a', (payload) => first.push(payload));
      unsubscribe = service.subscribe('int_spec_a', (payload) => second.push(payload));
    });
    first.length = 0;
    second.length = 0;
    await notify('int_spec_a', 'one');
    expect(await pollUntil(() => Promise.resolve(first.length === 1 && second.length === 1), 5_000, 20)).toBe(true);
    unsubscribe();
    await notify('int_spec_a', 'two');
    await notify('int_spec_other', 'elsewhere');
    expect(await pollUntil(() => Promise.resolve(first.length === 2), 5_000, 20)).toBe(true);
    expect(first).toEqual(['one', 'two']);
    expect(second).toEqual(['one']);
  });

  it('listens on one connection for the whole instance, however many subscribers', async () => {
    const service = await started((unstarted) => {
      for (let i = 0; i < 20; i += 1) {
        unstarted.subscribe(`int_spec_channel_${i % 3}`, () => undefined);
      }
    });
    expect(service.live).toBe(true);
    expect(await listeningBackends()).toHaveLength(1);
  });

  it('reconnects after losing its connection and tells subscribers that they may have missed something', async () => {
    const received: Array<string | null> = [];
    const service = await started((unstarted) =>
      unstarted.subscribe('int_spec_b', (payload) => received.push(payload)),
    );
    received.length = 0;
    const [pid] = await listeningBackends();
    await sender.query('SELECT pg_terminate_backend($1)', [pid]);
    expect(await pollUntil(() => Promise.resolve(received.includes(null)), 10_000, 50)).toBe(true);
    expect(service.live).toBe(true);
    await notify('int_spec_b', 'after');
    expect(await pollUntil(() => Promise.resolve(received.includes('after')), 5_000, 20)).toBe(true);
    expect(await listeningBackends()).toHaveLength(1);
  });

  it('opens no connection on the embedded database, which serves only one', async () => {
    const service = await started((unstarted) => unstarted.subscribe('int_spec_c', () => undefined), 'embedded');
    expect(service.live).toBe(false);
    expect(await listeningBackends()).toEqual([]);
  });
});
