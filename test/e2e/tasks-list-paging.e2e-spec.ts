import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { call, dataOf, fieldsOf, refusal } from '../utils/api.js';
import type { TaskDto, TaskPage } from '../utils/payloads.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer } from '../utils/tokens.js';

const SORTS = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'priority', '-priority', 'title', '-title'];
const SEEDED = 1_300;
// The hub counts up to offset + limit + 1000 matches before `total` becomes a lower bound.
const LOOKAHEAD = 1_000;

describe('Task lists at scale: history on request, capped totals, keyset cursors (issue 9)', () => {
  let hub: TestApp;
  const prefix = `Pg${randomBytes(3).toString('hex')}`;
  const list = (query: string) => call(hub.server, 'get', `/api/tasks?${query}`, bearer(TEST_AGENT_TOKEN));
  const page = async (query: string): Promise<TaskPage<TaskDto>> => {
    const response = await list(query);
    expect({ query, status: response.status }).toEqual({ query, status: 200 });
    return dataOf<TaskPage<TaskDto>>(response);
  };

  beforeAll(async () => {
    hub = await startTestApp();
    // Timestamps collide in groups of ten (to the microsecond), titles in groups of seven and priorities
    // every fourth task, so every order needs the id to break ties and the cursor has to carry it.
    await hub.app.get(DataSource).query(
      `INSERT INTO tasks (id, title, priority, status, history, created_at, updated_at)
       SELECT gen_random_uuid(), $1 || ' ' || lpad((i / 7)::text, 4, '0'),
              (ARRAY['low', 'medium', 'high', 'critical'])[1 + i % 4], 'todo',
              jsonb_build_array(jsonb_build_object('at', now(), 'type', 'created', 'actor',
                jsonb_build_object('type', 'system', 'id', null, 'name', 'seed'), 'details', '{}'::jsonb)),
              timestamptz '2026-01-01 00:00:00.123456+00' + make_interval(secs => (i / 10) * 1.000001),
              timestamptz '2026-06-01 00:00:00.654321+00' - make_interval(secs => (i / 10) * 0.5)
       FROM generate_series(1, $2) AS i`,
      [prefix, SEEDED],
    );
  });
  afterAll(() => hub.close());

  it('leaves history out of list items unless include=history; GET /api/tasks/:id always has it', async () => {
    const created = dataOf<TaskDto>(
      await call(hub.server, 'post', '/api/tasks', bearer(TEST_AGENT_TOKEN), { title: `${prefix}-history` }).expect(
        201,
      ),
    );
    await call(hub.server, 'post', `/api/tasks/${created.id}/status`, bearer(TEST_AGENT_TOKEN), {
      status: 'in_progress',
    }).expect(200);
    const full = dataOf<TaskDto>(await call(hub.server, 'get', `/api/tasks/${created.id}`, bearer(TEST_AGENT_TOKEN)));
    expect(full.history.map((entry) => entry.type)).toEqual(['created', 'status_changed']);

    const [plain] = (await page(`q=${prefix}-history`)).items;
    expect(plain).toEqual(Object.fromEntries(Object.entries(full).filter(([key]) => key !== 'history')));
    const [withHistory] = (await page(`q=${prefix}-history&include=history`)).items;
    expect(withHistory).toEqual(full);
  });

  it.each(SORTS)(
    'walks every task exactly once, in the offset order, by following nextCursor (sort=%s)',
    async (sort) => {
      const byOffset: string[] = [];
      for (let offset = 0; offset < SEEDED; offset += 500) {
        byOffset.push(...(await page(`q=${prefix}%20&sort=${sort}&limit=500&offset=${offset}`)).items.map((t) => t.id));
      }
      const byCursor: string[] = [];
      let cursor: string | null = null;
      do {
        const next: TaskPage<TaskDto> = await page(
          `q=${prefix}%20&sort=${sort}&limit=97${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        byCursor.push(...next.items.map((task) => task.id));
        cursor = next.nextCursor;
      } while (cursor);
      expect(new Set(byOffset).size).toBe(SEEDED);
      expect(byCursor).toEqual(byOffset);
    },
  );

  it('keeps filters while following the cursor', async () => {
    const high: string[] = [];
    let cursor: string | null = null;
    do {
      const next: TaskPage<TaskDto> = await page(
        `q=${prefix}%20&priority=high&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(next.items.every((task) => task.priority === 'high')).toBe(true);
      high.push(...next.items.map((task) => task.id));
      cursor = next.nextCursor;
    } while (cursor);
    expect(high).toHaveLength(SEEDED / 4);
  });

  it('counts exactly up to offset + limit + 1000 matches, and says when total is only a lower bound', async () => {
    expect(await page(`q=${prefix}%20&limit=50`)).toMatchObject({ total: 50 + LOOKAHEAD, totalIsExact: false });
    expect(await page(`q=${prefix}%20&limit=50&offset=300`)).toMatchObject({ total: SEEDED, totalIsExact: true });
    expect(await page(`q=${prefix}%20&limit=500`)).toMatchObject({ total: SEEDED, totalIsExact: true });
    expect(await page(`q=${prefix}%20&priority=critical&limit=10`)).toMatchObject({
      total: SEEDED / 4,
      totalIsExact: true,
    });
  });

  it('answers the last page with nextCursor null, and an empty page past the end', async () => {
    const last = await page(`q=${prefix}%20&limit=500&offset=1000`);
    expect({ items: last.items.length, nextCursor: last.nextCursor }).toEqual({ items: 300, nextCursor: null });
    const beyond = await page(`q=${prefix}%20&limit=500&offset=5000`);
    expect({ items: beyond.items.length, nextCursor: beyond.nextCursor }).toEqual({ items: 0, nextCursor: null });
  });

  it('refuses a cursor with an offset, a cursor of another sort, and anything it did not hand out (400)', async () => {
    const { nextCursor } = await page(`q=${prefix}%20&sort=title&limit=10`);
    const forged = (parts: unknown): string => Buffer.from(JSON.stringify(parts)).toString('base64url');
    const cases: Array<[string, string]> = [
      [`sort=title&offset=10&cursor=${nextCursor}`, 'offset'],
      [`sort=-title&cursor=${nextCursor}`, 'cursor'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${forged(['-updatedAt', 'yesterday', '00000000-0000-4000-8000-000000000000'])}`, 'cursor'],
      [`sort=priority&cursor=${forged(['priority', '9', '00000000-0000-4000-8000-000000000000'])}`, 'cursor'],
      [`cursor=${forged(['-updatedAt', '2026-01-01T00:00:00.000000Z', 'not-a-uuid'])}`, 'cursor'],
      [`cursor=${'x'.repeat(1025)}`, 'cursor'],
      ['include=everything', 'include'],
    ];
    for (const [query, field] of cases) {
      const response = await list(query);
      expect({ query, ...refusal(response), names: fieldsOf(response).includes(field) }).toEqual({
        query,
        status: 400,
        code: 'validation_failed',
        names: true,
      });
    }
  });
});
