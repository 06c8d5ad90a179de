import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createLogger } from '../../src/logging/logger.js';
import { CallbackDispatcherService } from '../../src/modules/tasks/callbacks/callback-dispatcher.service.js';
import { call, dataOf, type Method } from '../utils/api.js';
import { CallbackReceiver } from '../utils/callback-receiver.js';
import { leaks, type MfaSetup, totpNextStep, totpNow } from '../utils/mfa-helpers.js';
import type { KeyedRegistration, TaskDto, TokenPair, UserDto } from '../utils/payloads.js';
import { loginPair, pairOf, refresh } from '../utils/sessions-helpers.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { agentJwt, bearer, type Headers } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

/**
 * Security regressions, part 3 (issue 10 item 5): log redaction. The hub logs at trace level into memory while
 * the flows below handle every kind of secret it knows; afterwards no secret may appear anywhere in the output.
 */

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** The secrets the hub is configured with: recognisable, and long enough that no accident contains them. */
const CONFIGURED = {
  SECRET_KEY: `sentinel-secret-key-${hex(24)}`,
  AGENT_TOKEN: `sentinel-agent-token-${hex(16)}`,
  REGISTRATION_TOKEN: `sentinel-registration-${hex(12)}`,
  INITIAL_ADMIN_PASSWORD: `Sentinel-Admin-${hex(6)}-Aa1!`,
  METRICS_TOKEN: `sentinel-metrics-${hex(12)}`,
  MFA_ENCRYPTION_KEY: `sentinel-mfa-key-${hex(16)}`,
};
const sentinelPassword = (): string => `Sentinel-Pw-${hex(6)}-Aa1!`;
const REQUEST_ID = `visible-request-id-${hex(6)}`;

describe('Security regressions: log redaction (issue 10 item 5)', () => {
  let hub: TestApp;
  let receiver: CallbackReceiver;
  const lines: string[] = [];
  /** Every secret the flows sent or received; none may reach the log. */
  const secrets = new Set<string>(Object.values(CONFIGURED));
  const remember = <T extends string>(secret: T): T => {
    secrets.add(secret);
    return secret;
  };
  const rememberPair = (pair: TokenPair): TokenPair => {
    remember(pair.accessToken);
    remember(pair.refreshToken);
    return pair;
  };

  beforeAll(async () => {
    receiver = await CallbackReceiver.start();
    hub = await startTestApp({
      env: { ...CONFIGURED, CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true' },
      logger: createLogger('trace', { write: (line: string) => lines.push(line) }),
    });
    await driveFlows();
  });
  afterAll(async () => {
    await hub.close();
    await receiver.close();
  });

  const api = (method: Method, path: string, headers: Headers, body?: object) =>
    call(hub.server, method, path, headers, body);

  async function driveFlows(): Promise<void> {
    const admin = bearer(
      rememberPair(await loginPair(hub.server, 'admin', CONFIGURED.INITIAL_ADMIN_PASSWORD)).accessToken,
    );
    const nearMiss = { username: 'admin', password: remember(`${CONFIGURED.INITIAL_ADMIN_PASSWORD}x`) };
    await api('post', '/api/auth/login', {}, nearMiss).expect(401);
    await usersAndSessions(admin);
    await agentsAndHubToken(admin);
    await tasksWithCallbacks(admin);
    await requestsThatFail(admin);
  }

  async function usersAndSessions(admin: Headers): Promise<void> {
    const username = unique('logs');
    const first = remember(sentinelPassword());
    const created = await api('post', '/api/admin/users', admin, { username, password: first, role: 'user' }).expect(
      201,
    );
    const userId = dataOf<UserDto>(created).id;
    const session = rememberPair(await loginPair(hub.server, username, first));
    const rotated = rememberPair(pairOf(await refresh(hub.server, session.refreshToken)));
    // A reuse: the family is revoked and the reuse audited.
    await api('post', '/api/auth/refresh', {}, { refreshToken: session.refreshToken }).expect(401);
    const second = remember(sentinelPassword());
    const fresh = rememberPair(await loginPair(hub.server, username, first));
    await api('post', '/api/profile/password', bearer(fresh.accessToken), {
      currentPassword: first,
      newPassword: second,
    }).expect(204);
    const third = remember(sentinelPassword());
    await api('post', `/api/admin/users/${userId}/reset-password`, admin, { newPassword: third }).expect(204);
    const mfaSession = rememberPair(await loginPair(hub.server, username, third));
    await mfaFlow(username, third, bearer(mfaSession.accessToken));
    await request(hub.server).post('/api/auth/logout').send({ refreshToken: rotated.refreshToken }).expect(204);
  }

  async function mfaFlow(username: string, password: string, user: Headers): Promise<void> {
    const setup = dataOf<MfaSetup>(await api('post', '/api/profile/mfa/setup', user).expect(200));
    remember(setup.secret);
    const enable = api('post', '/api/profile/mfa/enable', user, { code: remember(await totpNow(setup.secret)) });
    const backupCodes = dataOf<{ backupCodes: string[] }>(await enable.expect(200)).backupCodes;
    for (const code of backupCodes) {
      remember(code);
      remember(code.replace(/-/g, ''));
    }
    const mfaCode = remember(await totpNextStep(setup.secret));
    rememberPair(pairOf(await request(hub.server).post('/api/auth/login').send({ username, password, mfaCode })));
    const withBackup = { username, password, mfaCode: backupCodes[0] };
    const afterBackup = rememberPair(pairOf(await request(hub.server).post('/api/auth/login').send(withBackup)));
    const regenerated = await api('post', '/api/profile/mfa/backup-codes', bearer(afterBackup.accessToken), {
      password,
      code: backupCodes[1],
    }).expect(200);
    const newCodes = dataOf<{ backupCodes: string[] }>(regenerated).backupCodes.map(remember);
    await api('post', '/api/profile/mfa/disable', bearer(afterBackup.accessToken), {
      password,
      code: newCodes[0],
    }).expect(204);
    await api('post', '/api/auth/logout-all', bearer(afterBackup.accessToken)).expect(204);
  }

  async function agentsAndHubToken(admin: Headers): Promise<void> {
    const registration = { 'x-registration-token': CONFIGURED.REGISTRATION_TOKEN };
    const body = {
      name: unique('logs-agent'),
      url: `http://${unique('logs')}.agents.test:5001`,
      token: remember(`outbound-${hex(16)}`),
    };
    const registered = dataOf<KeyedRegistration>(
      await api('post', '/api/agents/register', registration, body).expect(200),
    );
    const key = remember(registered.agentKey);
    await api(
      'post',
      '/api/agents/register',
      { 'x-registration-token': remember(`${CONFIGURED.REGISTRATION_TOKEN}-wrong`) },
      body,
    ).expect(401);
    await api('get', '/api/agents', bearer(key)).expect(200);
    await api('get', `/api/agents?token=${key}`, {}).expect(200);
    await api('get', `/api/agents?%74oken=${key}&limit=5`, {}).expect(200);
    await api('post', `/api/agents/${registered.agent.id}/heartbeat`, bearer(key), { status: 'busy' }).expect(200);
    const rotated = await api('post', `/api/agents/${registered.agent.id}/rotate-key`, bearer(key)).expect(200);
    remember(dataOf<{ agentKey: string }>(rotated).agentKey);
    await api('patch', `/api/agents/${registered.agent.id}`, admin, {
      outboundToken: remember(`outbound-${hex(16)}`),
    }).expect(200);

    const hubToken = bearer(CONFIGURED.AGENT_TOKEN);
    await api('get', '/api/admin/users', hubToken).expect(200);
    await api('get', `/api/admin/users?token=${CONFIGURED.AGENT_TOKEN}`, {}).expect(200);
    await api('get', '/api/agents', bearer(remember(agentJwt(CONFIGURED.AGENT_TOKEN, hub.config)))).expect(200);
    await api('get', '/api/metrics', bearer(CONFIGURED.METRICS_TOKEN)).expect(200);
    const newToken = dataOf<{ token: string }>(
      await api('post', '/api/admin/agent-token/rotate', hubToken).expect(200),
    );
    await api('get', '/api/admin/users', bearer(remember(newToken.token))).expect(200);
  }

  async function tasksWithCallbacks(admin: Headers): Promise<void> {
    const created = await api('post', '/api/tasks', admin, {
      title: unique('logs-task'),
      callbackUrl: receiver.url,
      callbackSecret: remember(`callback-secret-${hex(16)}`),
    }).expect(201);
    const task = dataOf<TaskDto>(created);
    await api('patch', `/api/tasks/${task.id}`, admin, {
      callbackSecret: remember(`callback-secret-${hex(16)}`),
    }).expect(200);
    await api('post', `/api/tasks/${task.id}/status`, admin, { status: 'in_progress' }).expect(200);
    await hub.app.get(CallbackDispatcherService, { strict: false }).dispatchDue();
  }

  async function requestsThatFail(admin: Headers): Promise<void> {
    await api('get', `/api/no-such-route?token=${CONFIGURED.AGENT_TOKEN}`, {}).expect(404);
    await api('get', `/api/profile?token=${CONFIGURED.AGENT_TOKEN}`, {}).expect(401);
    await api('get', '/api/profile', { ...bearer(CONFIGURED.AGENT_TOKEN), 'x-request-id': REQUEST_ID }).expect(401);
    const weak = remember(`weak${hex(8)}`);
    await api('post', '/api/admin/users', admin, { username: unique('weak'), password: weak }).expect(400);
    await api(
      'post',
      '/api/auth/login',
      {},
      { username: 'admin', password: remember(sentinelPassword()), extra: 1 },
    ).expect(400);
    await request(hub.server)
      .post('/api/auth/login')
      .set('content-type', 'application/json')
      .send(`{"username": "admin", "password": "${remember(sentinelPassword())}"`)
      .expect(400);
    await request(hub.server)
      .put('/api/config/logs_api_secret')
      .set(admin)
      .send({ value: remember(`config-secret-${hex(12)}`) })
      .expect(200);
  }

  it('captures every flow in the output searched below, with query credentials shown as [REDACTED]', () => {
    const log = lines.join('');
    expect(receiver.requests).toHaveLength(1);
    for (const visible of [
      '/api/auth/login',
      '/api/profile/mfa/enable',
      '/api/agents/register',
      '/api/admin/agent-token/rotate',
      '/api/agents?token=[REDACTED]',
      '/api/agents?token=[REDACTED]&limit=5',
      '/api/no-such-route?token=[REDACTED]',
      REQUEST_ID,
    ]) {
      expect({ visible, logged: log.includes(visible) }).toEqual({ visible, logged: true });
    }
  });

  it('never writes a password, token, agent key, registration token, callback secret or MFA secret or code to the log', () => {
    const log = lines.join('');
    expect(secrets.size).toBeGreaterThan(40);
    expect([...secrets].filter((secret) => leaks(log, secret))).toEqual([]);
  });
});
