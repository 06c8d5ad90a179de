import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProbeModule } from '../utils/probe.module.js';
import { routeInventory } from '../utils/route-inventory.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

describe('Route inventory (deny by default)', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await startTestApp();
  });
  afterAll(() => hub.close());

  it('finds the routes of the hub', () => {
    const labels = routeInventory(hub.app).map((route) => route.label);
    expect(labels).toEqual(expect.arrayContaining(['GET /api/health', 'GET /api/ready']));
  });

  it('declares an auth level on every route', () => {
    const undeclared = routeInventory(hub.app)
      .filter((route) => route.level === undefined)
      .map((route) => route.label);
    expect(undeclared).toEqual([]);
  });

  it('names the scope a token needs on every route a token can reach (all but public and session-only ones)', () => {
    const unscoped = routeInventory(hub.app)
      .filter((route) => route.level !== 'user' && route.scope === undefined)
      .filter((route) => !(route.level === 'public' && route.handlerCredentials.length === 0))
      .map((route) => route.label);
    expect(unscoped).toEqual([]);
  });

  it('grants read scopes only reads, and keeps /api/admin behind the admin scope', () => {
    const routes = routeInventory(hub.app);
    const readScopedWrites = routes
      .filter((route) => route.scope?.endsWith(':read') && !route.label.startsWith('GET '))
      .map((route) => route.label);
    const adminWithoutAdminScope = routes
      .filter((route) => route.path.startsWith('/api/admin/') && route.scope !== 'admin')
      .map((route) => route.label);
    expect({ readScopedWrites, adminWithoutAdminScope }).toEqual({ readScopedWrites: [], adminWithoutAdminScope: [] });
  });

  it('keeps everything under /api/admin at the admin level', () => {
    const weaker = routeInventory(hub.app)
      .filter((route) => route.path.startsWith('/api/admin/') && route.level !== 'admin')
      .map((route) => route.label);
    expect(weaker).toEqual([]);
  });

  it('makes only health, readiness and the documented public endpoints public', () => {
    const allowedPublic = [
      /^GET \/api\/(health|ready)$/,
      /^POST \/api\/auth\/(login|refresh|logout)$/,
      /^GET \/api\/auth\/oidc\/(login|callback|authorize)$/,
      /^POST \/api\/auth\/oidc\/token$/,
      /^POST \/api\/agents\/register$/,
    ];
    const unexpected = routeInventory(hub.app)
      .filter((route) => route.level === 'public' && !allowedPublic.some((pattern) => pattern.test(route.label)))
      .map((route) => route.label);
    expect(unexpected).toEqual([]);
  });
});

describe('Route inventory check itself', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await startTestApp({ imports: [ProbeModule] });
  });
  afterAll(() => hub.close());

  it('reports a route a token can reach that names no scope', () => {
    const unscoped = routeInventory(hub.app)
      .filter((route) => route.label.startsWith('GET /api/probe/'))
      .filter((route) => route.level !== 'user' && route.level !== 'public' && route.scope === undefined)
      .map((route) => route.label);
    expect(unscoped).toEqual(['GET /api/probe/undeclared']);
  });

  it('reports a route that declares no level', () => {
    const undeclared = routeInventory(hub.app)
      .filter((route) => route.level === undefined)
      .map((route) => route.label);
    expect(undeclared).toEqual(['GET /api/probe/undeclared']);
  });
});
