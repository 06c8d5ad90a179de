import { describe, expect, it } from '@jest/globals';
import { loadAppConfig } from './app-config.js';
import { InvalidEnvironmentError, validateEnv } from './env.schema.js';

const REQUIRED = {
  OIDC_ISSUER_URL: 'https://login.example.test/realms/ananta',
  OIDC_CLIENT_ID: 'ananta-hub',
  OIDC_REDIRECT_URL: 'https://hub.example.test/api/auth/oidc/callback',
};

// SECRET_KEY keeps loadAppConfig from touching DATA_DIR.
const configOf = (raw: Record<string, string>) => loadAppConfig(validateEnv({ SECRET_KEY: 's'.repeat(32), ...raw }));

function problemsOf(raw: Record<string, string>): string[] {
  try {
    validateEnv(raw);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error(`validateEnv accepted ${JSON.stringify(raw)}`);
}

describe('OIDC and LOCAL_LOGIN configuration', () => {
  it('leaves single sign-on off and password login open to all by default', () => {
    const config = configOf({});
    expect(config.oidc).toBeNull();
    expect(config.auth.localLogin).toBe('all');
  });

  it('turns it on with issuer, client id and redirect URL, with the documented defaults', () => {
    const { oidc } = configOf(REQUIRED);
    expect(oidc).toEqual({
      issuer: new URL(REQUIRED.OIDC_ISSUER_URL),
      clientId: 'ananta-hub',
      clientSecret: undefined,
      redirectUrl: new URL(REQUIRED.OIDC_REDIRECT_URL),
      scopes: 'openid profile email',
      roleClaim: 'groups',
      adminGroups: [],
      allowedGroups: [],
    });
  });

  it('reads the group lists comma-separated, ignoring blanks', () => {
    const { oidc } = configOf({
      ...REQUIRED,
      OIDC_CLIENT_SECRET: 'client-secret',
      OIDC_ROLE_CLAIM: 'roles',
      OIDC_ADMIN_GROUPS: 'hub-admins, ops,,',
      OIDC_ALLOWED_GROUPS: ' staff ',
      LOCAL_LOGIN: 'admins_only',
    });
    expect(oidc).toEqual(
      expect.objectContaining({
        clientSecret: 'client-secret',
        roleClaim: 'roles',
        adminGroups: ['hub-admins', 'ops'],
        allowedGroups: ['staff'],
      }),
    );
  });

  it.each(Object.keys(REQUIRED))('names the missing variables when %s is set alone', (variable) => {
    const problems = problemsOf({ [variable]: REQUIRED[variable as keyof typeof REQUIRED] });
    const missing = Object.keys(REQUIRED).filter((name) => name !== variable);
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(missing.sort());
  });

  it.each<[string, Record<string, string>]>([
    ['OIDC_ISSUER_URL', { OIDC_ISSUER_URL: 'http://login.example.test' }],
    ['OIDC_ISSUER_URL', { OIDC_ISSUER_URL: 'login.example.test' }],
    ['OIDC_REDIRECT_URL', { OIDC_REDIRECT_URL: 'hub.example.test/callback' }],
    ['OIDC_SCOPES', { OIDC_SCOPES: 'profile email' }],
    ['OIDC_ROLE_CLAIM', { OIDC_ROLE_CLAIM: 'groups, roles' }],
    ['LOCAL_LOGIN', { LOCAL_LOGIN: 'nobody' }],
  ])('rejects a bad %s (%p)', (variable, raw) => {
    expect(problemsOf({ ...REQUIRED, ...raw }).map((problem) => problem.split(':')[0])).toEqual([variable]);
  });

  it('accepts an http:// issuer on this machine only (development, tests)', () => {
    for (const issuer of ['http://localhost:8080', 'http://127.0.0.1:4000/realms/x', 'http://[::1]:9000']) {
      expect(configOf({ ...REQUIRED, OIDC_ISSUER_URL: issuer }).oidc?.issuer.href).toBe(new URL(issuer).href);
    }
  });
});
