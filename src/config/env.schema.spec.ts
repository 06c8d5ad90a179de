import { describe, expect, it } from '@jest/globals';
import { InvalidEnvironmentError, validateEnv } from './env.schema.js';

/** The error `validateEnv` throws for `raw`; fails the test when it does not throw one. */
function invalid(raw: Record<string, string | undefined>): InvalidEnvironmentError {
  try {
    validateEnv(raw);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) {
      return error;
    }
    throw error;
  }
  throw new Error(`validateEnv accepted ${JSON.stringify(raw)}`);
}

const variablesNamedBy = (error: InvalidEnvironmentError): string[] =>
  error.problems.map((problem) => problem.split(':')[0]);

describe(validateEnv.name, () => {
  describe('defaults', () => {
    it('fills every default from an empty environment', () => {
      const env = validateEnv({});

      expect(env.NODE_ENV).toBe('development');
      expect(env.PORT).toBe(3000);
      expect(env.HOST).toBe('0.0.0.0');
      expect(env.DATA_DIR).toBe('./data');
      expect(env.DB_POOL_SIZE).toBe(10);
      expect(env.DB_MIGRATIONS_RUN).toBe(true);
      expect(env.SCHEDULER_ENABLED).toBe(true);
      expect(env.AUTH_ACCESS_TOKEN_TTL_SECONDS).toBe(900);
      expect(env.ARGON2_MEMORY_KIB).toBe(19456);
      expect(env.TRUST_PROXY).toBe('false');
      expect(env.CORS_ORIGINS).toBe('');
      expect(env.LOG_LEVEL).toBe('info');
      expect(env.JWT_ISSUER).toBe('ananta-hub');
      expect(env.JWT_AUDIENCE).toBe('ananta-hub');
      expect(env.AGENT_TOKEN).toBeUndefined();
      expect(env.DATABASE_URL).toBeUndefined();
      expect(env.SECRET_KEY).toBeUndefined();
    });
  });

  describe('conversion', () => {
    it('turns numeric strings into numbers', () => {
      const env = validateEnv({ PORT: '8080', DB_POOL_SIZE: '25', AUTH_ACCESS_TOKEN_TTL_SECONDS: '60' });

      expect(env.PORT).toBe(8080);
      expect(env.DB_POOL_SIZE).toBe(25);
      expect(env.AUTH_ACCESS_TOKEN_TTL_SECONDS).toBe(60);
    });

    it.each([
      ['false', false],
      ['0', false],
      ['no', false],
      ['OFF', false],
      ['true', true],
      ['1', true],
      ['yes', true],
      [' On ', true],
    ])('reads the boolean %p as %p', (raw, expected) => {
      const env = validateEnv({ SCHEDULER_ENABLED: raw, DB_MIGRATIONS_RUN: raw });

      expect(env.SCHEDULER_ENABLED).toBe(expected);
      expect(env.DB_MIGRATIONS_RUN).toBe(expected);
    });

    it('treats empty strings for optional variables as unset', () => {
      const env = validateEnv({
        DATABASE_URL: '',
        SECRET_KEY: '',
        AGENT_TOKEN: '  ',
        MFA_ENCRYPTION_KEY: '',
        REGISTRATION_TOKEN: '',
        METRICS_TOKEN: '',
        INITIAL_ADMIN_PASSWORD: '',
      });

      expect(env.DATABASE_URL).toBeUndefined();
      expect(env.SECRET_KEY).toBeUndefined();
      expect(env.AGENT_TOKEN).toBeUndefined();
      expect(env.MFA_ENCRYPTION_KEY).toBeUndefined();
      expect(env.REGISTRATION_TOKEN).toBeUndefined();
      expect(env.METRICS_TOKEN).toBeUndefined();
      expect(env.INITIAL_ADMIN_PASSWORD).toBeUndefined();
    });

    it('keeps valid optional values', () => {
      const env = validateEnv({
        DATABASE_URL: 'postgresql://hub@127.0.0.1:5432/hub',
        AGENT_TOKEN: 'a'.repeat(32),
        SECRET_KEY: 's'.repeat(32),
      });

      expect(env.DATABASE_URL).toBe('postgresql://hub@127.0.0.1:5432/hub');
      expect(env.AGENT_TOKEN).toBe('a'.repeat(32));
      expect(env.SECRET_KEY).toBe('s'.repeat(32));
    });

    it('ignores variables it does not know', () => {
      const env = validateEnv({ PATH: '/usr/bin', HOME: '/root', PORT: '4000' });

      expect(env.PORT).toBe(4000);
      expect(Object.keys(env)).not.toContain('PATH');
      expect(Object.keys(env)).not.toContain('HOME');
    });
  });

  describe('invalid values', () => {
    it.each<[string, Record<string, string>]>([
      ['PORT', { PORT: 'abc' }],
      ['PORT', { PORT: '70000' }],
      ['PORT', { PORT: '-1' }],
      ['AGENT_TOKEN', { AGENT_TOKEN: 'a'.repeat(31) }],
      ['SECRET_KEY', { SECRET_KEY: 's'.repeat(31) }],
      ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
      ['SCHEDULER_ENABLED', { SCHEDULER_ENABLED: 'maybe' }],
      ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
      ['TRUST_PROXY', { TRUST_PROXY: 'sometimes' }],
      ['NODE_ENV', { NODE_ENV: 'staging' }],
      ['DB_POOL_SIZE', { DB_POOL_SIZE: '0' }],
    ])('rejects a bad %s (%p) and names it', (variable, raw) => {
      const error = invalid(raw);

      expect(error.message).toContain(variable);
      expect(error.message.startsWith('Invalid environment: ')).toBe(true);
      expect(variablesNamedBy(error)).toEqual([variable]);
    });

    it('names every bad variable in one message', () => {
      const error = invalid({ PORT: 'abc', LOG_LEVEL: 'loud', AGENT_TOKEN: 'short', DATABASE_URL: 'mysql://x' });

      expect(variablesNamedBy(error).sort()).toEqual(['AGENT_TOKEN', 'DATABASE_URL', 'LOG_LEVEL', 'PORT']);
      for (const variable of ['PORT', 'LOG_LEVEL', 'AGENT_TOKEN', 'DATABASE_URL']) {
        expect(error.message).toContain(variable);
      }
    });

    it('gives a readable reason for a short AGENT_TOKEN', () => {
      expect(invalid({ AGENT_TOKEN: 'short' }).message).toContain('AGENT_TOKEN must be at least 32 characters');
    });

    it('is an Error named InvalidEnvironmentError', () => {
      const error = invalid({ PORT: 'abc' });

      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('InvalidEnvironmentError');
    });
  });
});
