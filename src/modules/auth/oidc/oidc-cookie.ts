import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import { OIDC_LOGIN_TTL_SECONDS } from './oidc-login.service.js';

const COOKIE_NAME = 'ananta_oidc_login';
const COOKIE_VALUE = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The cookie that binds an OIDC login to the browser that started it: HttpOnly, SameSite=Lax (sent on the
 * provider's top-level redirect back, not on cross-site subrequests), Secure when the hub is reached over
 * https, and scoped to the callback path only.
 */
@Injectable()
export class OidcCookie {
  private readonly attributes: string;

  constructor(config: AppConfig) {
    const redirectUrl = config.oidc?.redirectUrl;
    const secure = redirectUrl?.protocol === 'https:' ? '; Secure' : '';
    this.attributes = `; Path=${redirectUrl?.pathname ?? '/'}; HttpOnly; SameSite=Lax${secure}`;
  }

  set(browserId: string): string {
    return `${COOKIE_NAME}=${browserId}; Max-Age=${OIDC_LOGIN_TTL_SECONDS}${this.attributes}`;
  }

  clear(): string {
    return `${COOKIE_NAME}=; Max-Age=0${this.attributes}`;
  }

  /** The login's browser id from a `Cookie` header; undefined when absent or not of the form the hub sets. */
  read(header: string | undefined): string | undefined {
    for (const pair of header?.split(';') ?? []) {
      const [name, ...value] = pair.trim().split('=');
      if (name === COOKIE_NAME && COOKIE_VALUE.test(value.join('='))) {
        return value.join('=');
      }
    }
    return undefined;
  }
}
