import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadAppConfig } from './app-config.js';
import { InvalidEnvironmentError, validateEnv } from './env.schema.js';

const SECRET_KEY = 'k'.repeat(40);

const dataDirs: string[] = [];
const freshDataDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ananta-hub-config-'));
  dataDirs.push(dir);
  return dir;
};

afterAll(() => {
  for (const dir of dataDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Config for `raw` with a fixed SECRET_KEY (unless `raw` overrides it), so no key file is ever written. */
const configFor = (raw: Record<string, string | undefined> = {}) =>
  loadAppConfig(validateEnv({ NODE_ENV: 'test', SECRET_KEY, DATA_DIR: freshDataDir(), ...raw }));

const jwtKeyBytes = (config: ReturnType<typeof loadAppConfig>): Buffer => config.jwt.key.export();

describe(loadAppConfig.name, () => {
  describe('http.trustProxy', () => {
    it.each<[string, unknown]>([
      ['false', false],
      ['true', true],
      ['2', 2],
      ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
      ['::1', ['::1']],
    ])('reads TRUST_PROXY %p as %p', (raw, expected) => {
      expect(configFor({ TRUST_PROXY: raw }).http.trustProxy).toEqual(expected);
    });
  });

  describe('http.corsOrigins', () => {
    it('splits CORS_ORIGINS on commas and trims each entry', () => {
      expect(configFor({ CORS_ORIGINS: 'https://a.test, https://b.test' }).http.corsOrigins).toEqual([
        'https://a.test',
        'https://b.test',
      ]);
    });

    it('is empty by default and drops empty entries', () => {
      expect(configFor().http.corsOrigins).toEqual([]);
      expect(configFor({ CORS_ORIGINS: 'https://a.test,, ' }).http.corsOrigins).toEqual(['https://a.test']);
    });
  });

  describe('jwt', () => {
    it('holds SECRET_KEY as a secret KeyObject', () => {
      const { jwt } = configFor();

      expect(jwt.key.type).toBe('secret');
      expect(jwt.key.export().toString('utf8')).toBe(SECRET_KEY);
      expect(jwt).toMatchObject({ issuer: 'ananta-hub', audience: 'ananta-hub', accessTtlSeconds: 900 });
    });
  });

  describe('encryptionKey', () => {
    it('is a 32-byte Buffer derived from SECRET_KEY', () => {
      const first = configFor().encryptionKey;

      expect(Buffer.isBuffer(first)).toBe(true);
      expect(first).toHaveLength(32);
      expect(configFor().encryptionKey.equals(first)).toBe(true);
      expect(configFor({ SECRET_KEY: 'o'.repeat(40) }).encryptionKey.equals(first)).toBe(false);
    });

    it('comes from MFA_ENCRYPTION_KEY when that is set', () => {
      const derived = configFor().encryptionKey;
      const explicit = configFor({ MFA_ENCRYPTION_KEY: 'm'.repeat(32) }).encryptionKey;

      expect(explicit).toHaveLength(32);
      expect(explicit.equals(derived)).toBe(false);
      expect(configFor({ MFA_ENCRYPTION_KEY: 'm'.repeat(32) }).encryptionKey.equals(explicit)).toBe(true);
    });
  });

  describe('SECRET_KEY missing', () => {
    it('refuses to start in production and names SECRET_KEY', () => {
      const load = () => configFor({ NODE_ENV: 'production', SECRET_KEY: undefined });

      expect(load).toThrow(InvalidEnvironmentError);
      expect(load).toThrow(/SECRET_KEY/);
    });

    it('generates a key into DATA_DIR/secret_key with mode 0600 outside production', () => {
      const dataDir = freshDataDir();
      const config = loadAppConfig(validateEnv({ NODE_ENV: 'development', DATA_DIR: dataDir }));
      const file = join(dataDir, 'secret_key');

      const stored = readFileSync(file, 'utf8');
      expect(stored.length).toBeGreaterThanOrEqual(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(jwtKeyBytes(config).toString('utf8')).toBe(stored);
      expect(config.dataDir).toBe(dataDir);
    });

    it('reuses the generated key on the next start', () => {
      const dataDir = freshDataDir();
      const first = loadAppConfig(validateEnv({ NODE_ENV: 'development', DATA_DIR: dataDir }));
      const second = loadAppConfig(validateEnv({ NODE_ENV: 'development', DATA_DIR: dataDir }));

      expect(jwtKeyBytes(second).equals(jwtKeyBytes(first))).toBe(true);
      expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    });

    it('gives different data directories different keys', () => {
      const first = loadAppConfig(validateEnv({ NODE_ENV: 'development', DATA_DIR: freshDataDir() }));
      const second = loadAppConfig(validateEnv({ NODE_ENV: 'development', DATA_DIR: freshDataDir() }));

      expect(jwtKeyBytes(second).equals(jwtKeyBytes(first))).toBe(false);
    });

    it('never signs with a key shorter than 32 bytes read from an empty secret_key file', () => {
      const dataDir = freshDataDir();
      writeFileSync(join(dataDir, 'secret_key'), '', { mode: 0o600 });

      let keySize: number | undefined;
      try {
        keySize = loadAppConfig(validateEnv({ NODE_ENV: 'development', DATA_DIR: dataDir })).jwt.key.symmetricKeySize;
      } catch {
        return; // refusing to start is a fix as good as generating a new key
      }

      expect(keySize).toBeGreaterThanOrEqual(32);
    });
  });
});
