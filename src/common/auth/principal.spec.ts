import { describe, expect, it } from '@jest/globals';
import { AGENT_DEFAULT_SCOPES } from './scopes.js';
import type { Principal } from './principal.js';
import { isAdminPrincipal } from './principal.js';
import { callingUser, requestContext, systemContext } from './request-context.js';

const adminUser: Principal = { kind: 'user', id: 'u-1', username: 'root', role: 'admin' };
const plainUser: Principal = { kind: 'user', id: 'u-2', username: 'alice', role: 'user' };
const hubToken: Principal = { kind: 'hub-token', id: 'hub-token' };
const agent: Principal = { kind: 'agent', id: 'a-1', name: 'worker-1', scopes: AGENT_DEFAULT_SCOPES };
const system: Principal = { kind: 'system', id: 'scheduler' };
const metricsScraper: Principal = { kind: 'metrics-scraper', id: 'metrics-token' };

describe(isAdminPrincipal.name, () => {
  it.each<[string, Principal, boolean]>([
    ['an admin user', adminUser, true],
    ['a plain user', plainUser, false],
    ['the hub token', hubToken, true],
    ['a registered agent', agent, false],
    ['the metrics token', metricsScraper, false],
    ['the system', system, true],
  ])('says %s is admin: %p', (_name, principal, expected) => {
    expect(isAdminPrincipal(principal)).toBe(expected);
  });
});

describe(requestContext.name, () => {
  it.each<[string, Principal, boolean]>([
    ['an admin user', adminUser, true],
    ['a plain user', plainUser, false],
    ['the hub token', hubToken, true],
    ['a registered agent', agent, false],
  ])('builds the context of %s with isAdmin %p', (_name, principal, isAdmin) => {
    expect(requestContext(principal, 'req-1', '203.0.113.7')).toEqual({
      principal,
      isAdmin,
      requestId: 'req-1',
      ip: '203.0.113.7',
    });
  });

  it('leaves ip undefined when none is given', () => {
    expect(requestContext(plainUser, 'req-2').ip).toBeUndefined();
  });

  it('keeps the very principal object it was given', () => {
    expect(requestContext(agent, 'req-3').principal).toBe(agent);
  });
});

describe(systemContext.name, () => {
  it('is an admin system principal named after the job, without an ip', () => {
    const ctx = systemContext('scheduler');

    expect(ctx.principal).toEqual({ kind: 'system', id: 'scheduler' });
    expect(ctx.isAdmin).toBe(true);
    expect(ctx.ip).toBeUndefined();
  });

  it('gets a request id "system:<name>:<uuid>" that differs per call', () => {
    const first = systemContext('retention').requestId;
    const second = systemContext('retention').requestId;

    expect(first).toMatch(/^system:retention:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second).not.toBe(first);
  });
});

describe(callingUser.name, () => {
  it('returns the user of a user context', () => {
    expect(callingUser(requestContext(plainUser, 'r-1'))).toEqual(plainUser);
  });

  it.each<[string, Principal]>([
    ['the hub token', hubToken],
    ['a registered agent', agent],
    ['the system', system],
  ])('refuses %s, which user-only routes never admit', (_name, principal) => {
    expect(() => callingUser(requestContext(principal, 'r-1'))).toThrow(`called by a ${principal.kind} principal`);
  });
});
