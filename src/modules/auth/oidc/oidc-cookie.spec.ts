import { describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../../../config/app-config.js';
import { OidcCookie } from './oidc-cookie.js';

const cookieFor = (redirectUrl: string): OidcCookie =>
  new OidcCookie({ oidc: { redirectUrl: new URL(redirectUrl) } } as unknown as AppConfig);

describe(OidcCookie.name, () => {
  it('is HttpOnly, SameSite=Lax, scoped to the callback path, and lives as long as a login may take', () => {
    expect(cookieFor('http://localhost:3000/api/auth/oidc/callback').set('abc_DEF-123')).toBe(
      'ananta_oidc_login=abc_DEF-123; Max-Age=600; Path=/api/auth/oidc/callback; HttpOnly; SameSite=Lax',
    );
  });

  it('is Secure when the hub is reached over https', () => {
    const cookie = cookieFor('https://hub.example.test/hub/api/auth/oidc/callback');
    expect(cookie.set('x')).toMatch(/; Path=\/hub\/api\/auth\/oidc\/callback; HttpOnly; SameSite=Lax; Secure$/);
    expect(cookie.clear()).toMatch(/^ananta_oidc_login=; Max-Age=0; .*; Secure$/);
  });

  it('reads its value among other cookies, and nothing that is not of the form it sets', () => {
    const cookie = cookieFor('https://hub.example.test/api/auth/oidc/callback');
    expect(cookie.read('theme=dark; ananta_oidc_login=Zm9v_-1; other=1')).toBe('Zm9v_-1');
    expect(cookie.read('ananta_oidc_login=')).toBeUndefined();
    expect(cookie.read('ananta_oidc_login=a=b')).toBeUndefined();
    expect(cookie.read('ananta_oidc_login=%27;')).toBeUndefined();
    expect(cookie.read('xananta_oidc_login=abc')).toBeUndefined();
    expect(cookie.read(undefined)).toBeUndefined();
  });
});
