import request, { type Response } from 'supertest';
import type { TestApp } from './test-app.js';
import { TEST_REDIRECT_URL } from './oidc-test-provider.js';

export interface OidcLoginStart {
  /** The provider's authorization URL the hub redirected to. */
  authorizeUrl: URL;
  /** The hub's login cookie as the browser sends it back (`name=value`). */
  cookie: string;
  /** The raw Set-Cookie header, to check its attributes. */
  setCookie: string;
}

/** GET /api/auth/oidc/login, as a browser: the 302 to the provider and the cookie that binds the login. */
export async function startOidcLogin(hub: TestApp): Promise<OidcLoginStart> {
  const response = await request(hub.server).get('/api/auth/oidc/login').expect(302);
  const setCookie = String(response.headers['set-cookie']);
  return {
    authorizeUrl: new URL(String(response.headers.location)),
    cookie: setCookie.split(';')[0],
    setCookie,
  };
}

/**
 * Follows the provider's redirects with a cookie jar of its own (a fresh browser session at the provider)
 * until the provider sends the browser to the hub's callback; returns that callback's path and query.
 */
export async function followProviderRedirects(authorizeUrl: URL): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizeUrl;
  for (let hop = 0; hop < 10; hop += 1) {
    if (url.href.startsWith(TEST_REDIRECT_URL)) {
      return `${url.pathname}${url.search}`;
    }
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0];
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    const location = response.headers.get('location');
    if (!location) {
      throw new Error(`The provider did not redirect from ${url.href}: ${response.status} ${await response.text()}`);
    }
    url = new URL(location, url);
  }
  throw new Error('The provider redirected more than 10 times');
}

/** The provider's redirect back, delivered to the hub with (or without) the browser's login cookie. */
export const deliverCallback = (hub: TestApp, callbackPath: string, cookie?: string): Promise<Response> => {
  const call = request(hub.server).get(callbackPath);
  return cookie ? call.set('Cookie', cookie) : call;
};

/** The whole browser flow: login, the provider's redirects, the callback; resolves to the callback's answer. */
export async function oidcSignIn(hub: TestApp): Promise<Response> {
  const start = await startOidcLogin(hub);
  return deliverCallback(hub, await followProviderRedirects(start.authorizeUrl), start.cookie);
}
