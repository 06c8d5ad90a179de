import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { strongPassword } from '../factories/user.factory.js';
import { CallbackReceiver } from '../utils/callback-receiver.js';
import { answerCode, dataOfAnswer, type HubAnswer, hubRequest, type HubRequestOptions } from '../utils/hub-client.js';
import { type HubCluster, startHubCluster } from '../utils/hub-cluster.js';
import { type HubProcess, startHubProcess } from '../utils/hub-processes.js';
import type { KeyedRegistration, Page, TaskDto, TokenPair } from '../utils/payloads.js';
import { pollStatus, pollUntil } from '../utils/poll.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

const AGENTS = 32;
const QUEUED_TASKS = 160;
const CALLBACK_TASKS = 30;
const LOCKOUT_THRESHOLD = 3;
const SHORT_MAX = 3;
const SHORT_WINDOW_SECONDS = 3;
const LONG_MAX = 6;
const ROTATION_GRACE_SECONDS = 6;
/** SPEC section 2: a revocation reaches every other instance within 5 s. */
const REVOCATION_LIMIT_MS = 5_000;

/** Configuration every process shares: small brute-force limits, so the tests reach them quickly. */
const LIMITS = {
  AUTH_USER_LOCKOUT_THRESHOLD: String(LOCKOUT_THRESHOLD),
  AUTH_RATE_LIMIT_MAX_ATTEMPTS_SHORT: String(SHORT_MAX),
  AUTH_RATE_LIMIT_WINDOW_SHORT_SECONDS: String(SHORT_WINDOW_SECONDS),
  AUTH_RATE_LIMIT_MAX_ATTEMPTS_LONG: String(LONG_MAX),
  AGENT_TOKEN_ROTATION_GRACE_SECONDS: String(ROTATION_GRACE_SECONDS),
};

/**
 * A client address no request used before (the whole of 127.0.0.0/8 reaches the hubs): every login and
 * registration gets one unless the test names it, so per-address limits apply only where a test means them to.
 */
let addressSequence = 0;
const freshAddress = (): string => {
  addressSequence += 1;
  return `127.0.${1 + (addressSequence >> 8)}.${addressSequence & 255}`;
};

/**
 * Three real hub processes on one database, behind nothing, driven at once (issue 10, item 2): the work queue,
 * the callback outbox, and the security state that SPEC requires to be shared (lockout, bans, revocation,
 * AGENT_TOKEN rotation).
 */
describe('Three hub processes on one database (issue 10, item 2)', () => {
  let cluster: HubCluster;
  let hubs: HubProcess[] = [];
  let db: pg.Client;
  let receiver: CallbackReceiver;
  let adminToken = TEST_AGENT_TOKEN;

  beforeAll(async () => {
    [cluster, receiver] = await Promise.all([
      startHubCluster(3, { SCHEDULER_ENABLED: 'true', CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true', ...LIMITS }),
      CallbackReceiver.start(),
    ]);
    ({ hubs, db } = cluster);
  }, 120_000);

  afterAll(async () => {
    await cluster?.close();
    await receiver?.close();
  }, 60_000);

  const admin = (): Headers => bearer(adminToken);
  /** The hub for the n-th request of a scenario: round robin over the three processes. */
  const hubFor = (n: number): HubProcess => hubs[n % hubs.length];
  const send = <T = unknown>(n: number, path: string, options: HubRequestOptions = {}): Promise<HubAnswer<T>> =>
    hubRequest<T>(hubFor(n).base, path, options);

  const login = (n: number, username: string, password: string, localAddress = freshAddress()) =>
    send<{ data: TokenPair }>(n, '/api/auth/login', {
      method: 'POST',
      body: { username, password },
      localAddress,
    });

  async function createUser(): Promise<{ id: string; username: string; password: string }> {
    const username = unique('user');
    const password = strongPassword();
    const created = dataOfAnswer<{ id: string }>(
      await send(0, '/api/admin/users', {
        method: 'POST',
        headers: admin(),
        body: { username, password, role: 'user' },
      }),
      201,
    );
    return { id: created.id, username, password };
  }

  describe('the work queue', () => {
    it(`${AGENTS} agents claiming at once through three processes never get the same task`, async () => {
      const agents = await Promise.all(
        Array.from({ length: AGENTS }, async (_, n) => {
          const name = unique('worker');
          const registration = dataOfAnswer<KeyedRegistration>(
            await send(n, '/api/agents/register', {
              method: 'POST',
              headers: admin(),
              body: { name, url: `http://${name}.agents.test:5001` },
              localAddress: freshAddress(),
            }),
          );
          return { id: registration.agent.id, headers: bearer(registration.agentKey) };
        }),
      );
      const title = unique('queued');
      for (let batch = 0; batch < QUEUED_TASKS; batch += 20) {
        await Promise.all(
          Array.from({ length: 20 }, (_, n) =>
            send(batch + n, '/api/tasks', { method: 'POST', headers: admin(), body: { title } }).then((answer) =>
              dataOfAnswer<TaskDto>(answer, 201),
            ),
          ),
        );
      }

      // Every agent claims until the queue is empty, each claim through the next process.
      const claims: Array<{ agentId: string; taskId: string }> = [];
      const otherAnswers: number[] = [];
      await Promise.all(
        agents.map(async (agent, index) => {
          for (let n = index; ; n += 1) {
            const answer = await send<{ data: TaskDto }>(n, '/api/tasks/claim', {
              method: 'POST',
              headers: agent.headers,
              body: { leaseSeconds: 600 },
            });
            if (answer.status !== 200) {
              otherAnswers.push(answer.status);
              return;
            }
            claims.push({ agentId: agent.id, taskId: answer.body.data.id });
          }
        }),
      );

      expect(new Set(otherAnswers)).toEqual(new Set([204]));
      const { rows } = await db.query<{ id: string; assigned_agent_id: string; lease_holder_id: string }>(
        'SELECT id, assigned_agent_id, lease_holder_id FROM tasks WHERE title = $1',
        [title],
      );
      expect(rows).toHaveLength(QUEUED_TASKS);
      expect(claims).toHaveLength(QUEUED_TASKS);
      expect(new Set(claims.map((claim) => claim.taskId)).size).toBe(QUEUED_TASKS);
      const claimer = new Map(claims.map((claim) => [claim.taskId, claim.agentId]));
      expect(
        rows.filter(
          (row) => claimer.get(row.id) !== row.assigned_agent_id || row.lease_holder_id !== row.assigned_agent_id,
        ),
      ).toEqual([]);
      // Spread over the agents: the claims really competed.
      expect(new Set(claims.map((claim) => claim.agentId)).size).toBeGreaterThan(AGENTS / 2);
    }, 90_000);
  });

  describe('the callback outbox', () => {
    it('with all three processes draining it, sends each delivery exactly once', async () => {
      const secret = `cb-${randomBytes(16).toString('hex')}`;
      const tasks = await Promise.all(
        Array.from({ length: CALLBACK_TASKS }, async (_, n) =>
          dataOfAnswer<TaskDto>(
            await send(n, '/api/tasks', {
              method: 'POST',
              headers: admin(),
              body: { title: unique('called-back'), callbackUrl: receiver.url, callbackSecret: secret },
            }),
            201,
          ),
        ),
      );
      await Promise.all(
        tasks.map(async (task, n) => {
          for (const [step, status] of ['in_progress', 'completed'].entries()) {
            dataOfAnswer(
              await send(n + step, `/api/tasks/${task.id}/status`, {
                method: 'POST',
                headers: admin(),
                body: { status },
              }),
            );
          }
        }),
      );
      const ids = tasks.map((task) => task.id);
      const allDelivered = await pollUntil(async () => {
        const { rows } = await db.query(
          `SELECT 1 FROM callback_deliveries WHERE task_id = ANY($1::uuid[]) AND status <> 'delivered'`,
          [ids],
        );
        return rows.length === 0;
      }, 20_000);
      expect(allDelivered).toBe(true);
      const { rows } = await db.query<{ id: string }>(
        'SELECT id FROM callback_deliveries WHERE task_id = ANY($1::uuid[])',
        [ids],
      );
      expect(rows).toHaveLength(CALLBACK_TASKS * 2);
      const counts = receiver.deliveryCounts();
      expect(rows.map((row) => [row.id, counts.get(row.id)])).toEqual(rows.map((row) => [row.id, 1]));
      expect(counts.size).toBe(rows.length);
    }, 60_000);
  });

  describe('brute-force protection shared through PostgreSQL', () => {
    it(`account lockout: ${LOCKOUT_THRESHOLD} failures spread over the processes lock the account on all of them`, async () => {
      const user = await createUser();
      const failures = await Promise.all(
        Array.from({ length: LOCKOUT_THRESHOLD }, (_, n) => login(n, user.username, 'Wrong-password-1!')),
      );
      expect(failures.map((answer) => answer.status)).toEqual(Array(LOCKOUT_THRESHOLD).fill(401));
      for (const n of [0, 1, 2]) {
        const locked = await login(n, user.username, user.password);
        expect({ status: locked.status, code: answerCode(locked) }).toEqual({ status: 403, code: 'account_locked' });
        expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      }
      dataOfAnswer(await send(1, `/api/admin/users/${user.id}/unlock`, { method: 'POST', headers: admin() }));
      expect((await login(2, user.username, user.password)).status).toBe(200);
    });

    it('account lockout under a burst: of many wrong passwords at once on all processes, at most the threshold are checked', async () => {
      const user = await createUser();
      const burst = await Promise.all(
        Array.from({ length: LOCKOUT_THRESHOLD * 4 }, (_, n) => login(n, user.username, 'Wrong-password-1!')),
      );
      const statuses = burst.map((answer) => `${answer.status} ${answerCode(answer)}`);
      expect(statuses.filter((status) => status === '401 unauthenticated').length).toBeLessThanOrEqual(
        LOCKOUT_THRESHOLD,
      );
      // Attempts are counted before they are checked, so a burst whose attempts all count first may get no
      // 401 at all: the promise is "at most the threshold", never "exactly".
      expect(statuses).toContain('403 account_locked');
      expect(statuses.filter((status) => !['401 unauthenticated', '403 account_locked'].includes(status))).toEqual([]);
      expect((await login(0, user.username, user.password)).status).toBe(403);
    });

    it('per address under a burst: of many failed logins at once from one address on all processes, at most the limit are checked', async () => {
      const attacker = freshAddress();
      const burst = await Promise.all(
        Array.from({ length: SHORT_MAX * 4 }, (_, n) => login(n, unique('nobody'), 'Wrong-password-1!', attacker)),
      );
      const statuses = burst.map((answer) => `${answer.status} ${answerCode(answer)}`);
      expect(statuses.filter((status) => status === '401 unauthenticated').length).toBeLessThanOrEqual(SHORT_MAX);
      expect(statuses).toContain('429 rate_limited');
      expect(statuses.filter((status) => !['401 unauthenticated', '429 rate_limited'].includes(status))).toEqual([]);
    });

    it(`per address: ${SHORT_MAX} failures → 429 on every process; ${LONG_MAX} in the long window → banned on every process`, async () => {
      const attacker = freshAddress();
      const bystander = freshAddress();
      const guess = (n: number) => login(n, unique('nobody'), 'Wrong-password-1!', attacker);
      const first = await Promise.all(Array.from({ length: SHORT_MAX }, (_, n) => guess(n)));
      expect(first.map((answer) => answer.status)).toEqual(Array(SHORT_MAX).fill(401));
      for (const n of [0, 1, 2]) {
        const limited = await guess(n);
        expect({ status: limited.status, code: answerCode(limited) }).toEqual({ status: 429, code: 'rate_limited' });
        expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(SHORT_WINDOW_SECONDS);
      }
      // Another address is not affected.
      expect((await login(1, unique('nobody'), 'Wrong-password-1!', bystander)).status).toBe(401);

      // Once the short window has passed, the next failures count towards the long window and end in a ban.
      const freed = await pollUntil(
        async () => (await guess(0)).status === 401,
        (SHORT_WINDOW_SECONDS + 2) * 1000,
        500,
      );
      expect(freed).toBe(true);
      const second = await Promise.all(Array.from({ length: LONG_MAX - SHORT_MAX - 1 }, (_, n) => guess(n + 1)));
      expect(second.map((answer) => answer.status)).toEqual(Array(LONG_MAX - SHORT_MAX - 1).fill(401));
      for (const n of [0, 1, 2]) {
        const banned = await guess(n);
        expect({ status: banned.status, code: answerCode(banned) }).toEqual({ status: 429, code: 'rate_limited' });
        expect(Number(banned.headers['retry-after'])).toBeGreaterThan(SHORT_WINDOW_SECONDS);
      }
      const bans = dataOfAnswer<Page<{ ip: string }>>(await send(2, '/api/admin/banned-ips', { headers: admin() }));
      const banned = bans.items.map((ban) => ban.ip);
      expect(banned).toContain(attacker);
      expect(banned).not.toContain(bystander);
    }, 30_000);
  });

  describe('revocation reaches every process within 5 s (SPEC section 2)', () => {
    async function revokedEverywhere(accessToken: string, revokedOn: number): Promise<void> {
      const profile = (n: number) => async () =>
        (await send(n, '/api/profile', { headers: bearer(accessToken) })).status;
      // On the process that made the change, at once.
      expect(await profile(revokedOn)()).toBe(401);
      const others = [0, 1, 2].filter((n) => n !== revokedOn);
      const results = await Promise.all(
        others.map((n) => pollStatus(profile(n), 401, { everyMs: 100, withinMs: REVOCATION_LIMIT_MS + 1_000 })),
      );
      for (const result of results) {
        expect(result.status).toBe(401);
        expect(result.elapsedMs).toBeLessThanOrEqual(REVOCATION_LIMIT_MS);
      }
    }

    it('log out everywhere on one process: the access token fails on all three', async () => {
      const user = await createUser();
      const { accessToken, refreshToken } = dataOfAnswer<TokenPair>(await login(0, user.username, user.password));
      for (const n of [0, 1, 2]) {
        expect((await send(n, '/api/profile', { headers: bearer(accessToken) })).status).toBe(200);
      }
      expect((await send(1, '/api/auth/logout-all', { method: 'POST', headers: bearer(accessToken) })).status).toBe(
        204,
      );
      await revokedEverywhere(accessToken, 1);
      const refreshed = await send(2, '/api/auth/refresh', { method: 'POST', body: { refreshToken } });
      expect(refreshed.status).toBe(401);
    });

    it('an admin disables the user on one process: the access token fails on all three', async () => {
      const user = await createUser();
      const { accessToken } = dataOfAnswer<TokenPair>(await login(1, user.username, user.password));
      for (const n of [0, 1, 2]) {
        expect((await send(n, '/api/profile', { headers: bearer(accessToken) })).status).toBe(200);
      }
      dataOfAnswer(
        await send(2, `/api/admin/users/${user.id}`, { method: 'PATCH', headers: admin(), body: { disabled: true } }),
      );
      await revokedEverywhere(accessToken, 2);
    });
  });

  describe('AGENT_TOKEN rotation (SPEC section 3)', () => {
    it('the new token works on every process; the old one during the grace period, then on none, not even after a restart', async () => {
      const oldToken = adminToken;
      const stats = (n: number, token: string) => async () =>
        (await send(n, '/api/stats', { headers: bearer(token) })).status;
      const { token: newToken } = dataOfAnswer<{ token: string }>(
        await send(0, '/api/admin/agent-token/rotate', { method: 'POST', headers: bearer(oldToken) }),
      );
      const rotatedAt = Date.now();
      adminToken = newToken;
      // During the grace period both work everywhere (the new one at once where it was made).
      expect(await stats(0, newToken)()).toBe(200);
      for (const n of [0, 1, 2]) {
        expect(await stats(n, oldToken)()).toBe(200);
        const adopted = await pollStatus(stats(n, newToken), 200, { everyMs: 100, withinMs: REVOCATION_LIMIT_MS });
        expect(adopted.status).toBe(200);
      }
      expect(Date.now() - rotatedAt).toBeLessThan(ROTATION_GRACE_SECONDS * 1000);
      // After it, the old token fails on every process.
      const expired = await Promise.all(
        [0, 1, 2].map((n) =>
          pollStatus(stats(n, oldToken), 401, { everyMs: 200, withinMs: (ROTATION_GRACE_SECONDS + 3) * 1000 }),
        ),
      );
      expect(expired.map((result) => result.status)).toEqual([401, 401, 401]);
      expect(Math.min(...expired.map((result) => result.elapsedMs))).toBeGreaterThan(0);

      // A process restarted with the old AGENT_TOKEN in its environment does not revive it.
      await hubs[2].stop();
      hubs[2] = await startHubProcess(cluster.main, cluster.env);
      expect(await stats(2, oldToken)()).toBe(401);
      expect(await stats(2, newToken)()).toBe(200);
    }, 60_000);
  });
});
