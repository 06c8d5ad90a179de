import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import SwaggerParser from '@apidevtools/swagger-parser';
import request from 'supertest';
import { routeInventory } from '../utils/route-inventory.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

interface Operation {
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string; in?: string; name?: string }> };
}

describe('OpenAPI and Swagger UI', () => {
  let hub: TestApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    hub = await startTestApp();
    document = (await request(hub.server).get('/api/docs-json').expect(200)).body as OpenApiDocument;
  });
  afterAll(() => hub.close());

  it('serves an OpenAPI 3 document with the bearer and ?token= schemes', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(document.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      'query-token': expect.objectContaining({ type: 'apiKey', in: 'query', name: 'token' }),
    });
  });

  it('documents every route, and exactly the non-public ones as secured', () => {
    for (const route of routeInventory(hub.app)) {
      const [method] = route.label.split(' ');
      const operation = document.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      expect(operation).toBeDefined();
      const secured = (operation?.security ?? []).length > 0;
      expect([route.label, secured]).toEqual([route.label, route.level !== 'public']);
    }
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
