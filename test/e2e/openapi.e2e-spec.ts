import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import SwaggerParser from '@apidevtools/swagger-parser';
import request from 'supertest';
import { type RouteInfo, routeInventory } from '../utils/route-inventory.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

interface Operation {
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<
      string,
      { type: string; scheme?: string; in?: string; name?: string; openIdConnectUrl?: string }
    >;
  };
}

describe('OpenAPI and Swagger UI', () => {
  let hub: TestApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    hub = await startTestApp();
    document = (await request(hub.server).get('/api/docs-json').expect(200)).body as OpenApiDocument;
  });
  afterAll(() => hub.close());

  it('serves an OpenAPI 3 document with the bearer and ?token= schemes (no OIDC scheme while OIDC is off)', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(document.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      'query-token': expect.objectContaining({ type: 'apiKey', in: 'query', name: 'token' }),
      'registration-token': expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Registration-Token' }),
    });
  });

  const operationOf = (route: RouteInfo): Operation | undefined =>
    document.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.label.split(' ')[0].toLowerCase()];

  // What each level accepts (SPEC section 2): agent-or-user and admin routes also take ?token=.
  const schemesFor = (route: RouteInfo): string[] => {
    switch (route.level) {
      case 'public':
      case undefined:
        return route.handlerCredentials;
      case 'user':
      case 'metrics':
        return ['bearer'];
      case 'principal':
      case 'people':
      case 'admin':
        return ['bearer', 'query-token'];
    }
  };

  it('documents every route, with exactly the security schemes its level accepts', () => {
    const mismatches = routeInventory(hub.app)
      .map((route) => ({
        route: route.label,
        documented: operationOf(route) ? (operationOf(route)?.security ?? []).flatMap(Object.keys).sort() : 'missing',
        expected: schemesFor(route).sort(),
      }))
      .filter(({ documented, expected }) => JSON.stringify(documented) !== JSON.stringify(expected));
    expect(mismatches).toEqual([]);
  });

  it('describes no parameter twice, and marks none as required that the route does not require', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const names = (operation.parameters ?? []).map(
          (parameter) => `${parameter.in}:${parameter.name.toLowerCase()}`,
        );
        names
          .filter((name, index) => names.indexOf(name) !== index)
          .forEach((name) => problems.push(`${method} ${path} ${name} twice`));
        (operation.parameters ?? [])
          .filter((parameter) => parameter.in === 'header' && parameter.required)
          .forEach((parameter) => problems.push(`${method} ${path}: header ${parameter.name} marked required`));
      }
    }
    expect(problems).toEqual([]);
  });

  it('documents 204 on every route that answers it', () => {
    const undocumented = routeInventory(hub.app)
      .filter((route) => route.httpCode === 204 && !operationOf(route)?.responses['204'])
      .map((route) => route.label);
    expect(undocumented).toEqual([]);
  });

  it("documents the HTTP layer's answers: 431 on every operation, the body parser's 400, 413 and 415 on all but GET", () => {
    const missing: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const expected = method === 'get' ? ['431'] : ['400', '413', '415', '431'];
        const absent = expected.filter((status) => !operation.responses[status]);
        if (absent.length > 0) {
          missing.push(`${method.toUpperCase()} ${path}: ${absent.join(', ')}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('is a valid OpenAPI 3 document (every $ref resolves), so generated clients work', async () => {
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('describes success responses inside the envelope', () => {
    const schema = document.paths['/api/health'].get.responses['200'].content?.['application/json'].schema;
    expect(schema).toMatchObject({ properties: { status: { enum: ['success'] }, data: expect.any(Object) } });
  });

  it('serves Swagger UI with a CSP that lets its own scripts run', async () => {
    const page = await request(hub.server).get('/api/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).not.toMatch(/<script>[^<]/); // no inline scripts for the CSP to block
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      await request(hub.server).get(new URL(script, 'http://hub/api/docs').pathname).expect(200);
    }
  });
});

describe('OpenAPI with OIDC single sign-on configured', () => {
  let hub: TestApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    // The scheme names the provider's discovery document; nothing is fetched from it at start.
    hub = await startTestApp({
      env: {
        OIDC_ISSUER_URL: 'https://login.example.test/realms/ananta',
        OIDC_CLIENT_ID: 'ananta-hub',
        OIDC_REDIRECT_URL: 'https://hub.example.test/api/auth/oidc/callback',
      },
    });
    document = (await request(hub.server).get('/api/docs-json').expect(200)).body as OpenApiDocument;
  });
  afterAll(() => hub.close());

  it("offers single sign-on in Authorize as an OAuth2 code flow against the hub's own endpoints, beside bearer", () => {
    expect(document.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      'query-token': expect.objectContaining({ type: 'apiKey' }),
      'registration-token': expect.objectContaining({ type: 'apiKey' }),
      oidc: expect.objectContaining({
        type: 'oauth2',
        flows: {
          authorizationCode: {
            authorizationUrl: '/api/auth/oidc/authorize',
            tokenUrl: '/api/auth/oidc/token',
            scopes: {},
          },
        },
      }),
    });
  });

  it('lets every operation that takes the bearer scheme take the single sign-on scheme too', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { security?: Array<Record<string, string[]>> }>).map(
        ([method, operation]) => ({ label: `${method.toUpperCase()} ${path}`, security: operation.security ?? [] }),
      ),
    );
    const withBearer = operations.filter((operation) => operation.security.some((entry) => 'bearer' in entry));
    expect(withBearer.length).toBeGreaterThan(50);
    expect(withBearer.filter((operation) => !operation.security.some((entry) => 'oidc' in entry))).toEqual([]);
  });

  it("sets Swagger UI up for it: client swagger-ui with PKCE, and the hub's redirect page", async () => {
    const init = await request(hub.server).get('/api/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"clientId": "swagger-ui"');
    expect(init.text).toContain('"usePkceWithAuthorizationCodeGrant": true');
    expect(init.text).toContain('"oauth2RedirectUrl": "https://hub.example.test/api/docs/oauth2-redirect.html"');
    await request(hub.server).get('/api/docs/oauth2-redirect.html').expect(200);
  });

  it('documents the OIDC routes as public, the callback answering like POST /api/auth/login', () => {
    expect(document.paths['/api/auth/oidc/login'].get.security ?? []).toEqual([]);
    expect(document.paths['/api/auth/oidc/login'].get.responses['302']).toBeDefined();
    const callback = document.paths['/api/auth/oidc/callback'].get;
    expect(callback.security ?? []).toEqual([]);
    expect(Object.keys(callback.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404']));
  });
});
