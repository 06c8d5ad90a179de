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
      /^GET \/api\/auth\/oidc\/(login|callback)$/,
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

  it('reports a route that declares no level', () => {
    const undeclared = routeInventory(hub.app)
      .filter((route) => route.level === undefined)
      .map((route) => route.label);
    expect(undeclared).toEqual(['GET /api/probe/undeclared']);
  });
});
