import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import { sha256 } from '../common/crypto/secret-digest.js';
import type { EnvironmentVariables } from './env.schema.js';
import { loadOrCreateSecretKey } from './secret-key-file.js';

export type TrustProxy = boolean | number | string[];

/**
 * The typed, validated configuration. Abstract so it can serve as a DI token; the only way to obtain one is
 * `loadAppConfig`, which derives everything (keys, lists, paths) once at start.
 */
export abstract class AppConfig {
  abstract readonly env: 'development' | 'test' | 'production';
  abstract readonly http: {
    port: number;
    host: string;
    trustProxy: TrustProxy;
    corsOrigins: string[];
    bodyLimitBytes: number;
    /** Time a client has to send a whole request (headers and body); slow senders get 408. */
    requestTimeoutSeconds: number;
  };
  abstract readonly database: {
    /** `undefined` selects the embedded PostgreSQL (PGlite) under `dataDir`. */
    url: string | undefined;
    poolSize: number;
    migrationsRun: boolean;
    /** Hot statements as named prepared statements; off behind poolers that lose them between transactions. */
    preparedStatements: boolean;
  };
  abstract readonly dataDir: string;
  abstract readonly jwt: { key: KeyObject; issuer: string; audience: string; accessTtlSeconds: number };
  abstract readonly agentToken: { value: string | undefined; rotationGraceSeconds: number };
  /** 32-byte AES-256-GCM key for secrets at rest (TOTP secrets, outbound agent tokens). */
  abstract readonly encryptionKey: Buffer;
  abstract readonly registrationToken: string | undefined;
  abstract readonly initialAdmin: { username: string; password: string | undefined };
  abstract readonly auth: {
    refreshTtlSeconds: number;
    rateLimit: { shortWindowSeconds: number; shortMax: number; longWindowSeconds: number; longMax: number };
    ipBanSeconds: number;
    lockout: { threshold: number; durationSeconds: number };
    password: { minLength: number; historyLimit: number };
    mfaBackupCodeCount: number;
    argon2: { memoryCost: number; timeCost: number; parallelism: number };
    /** `admins_only`: password login only for administrators (the others sign in through OIDC). */
    localLogin: 'all' | 'admins_only';
  };
  /** OpenID Connect single sign-on, or null when it is off. */
  abstract readonly oidc: OidcConfig | null;
  abstract readonly agents: { offlineTimeoutSeconds: number };
  abstract readonly tasks: { retentionDays: number; archivedRetentionDays: number };
  abstract readonly callbacks: { allowPrivateNetworks: boolean; timeoutSeconds: number; maxAttempts: number };
  abstract readonly stats: { snapshotIntervalSeconds: number; retentionDays: number };
  abstract readonly audit: { retentionDays: number };
  abstract readonly events: { retentionHours: number };
  abstract readonly scheduler: { enabled: boolean };
  abstract readonly metricsToken: string | undefined;
  abstract readonly logLevel: string;
}

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  /** Absent for a public client (PKCE only); never logged or returned. */
  clientSecret: string | undefined;
  redirectUrl: URL;
  scopes: string;
  /** The ID-token claim holding the user's groups. */
  roleClaim: string;
  adminGroups: string[];
  /** Empty: everyone the provider authenticates may sign in. */
  allowedGroups: string[];
}

const ONE_MIB = 1024 * 1024;

function parseTrustProxy(value: string): TrustProxy {
  if (value === 'true' || value === 'false') {
    return value === 'true';
  }
  if (/^\d+$/.test(value)) {
    return Number(value);
  }
  return value.split(',').map((entry) => entry.trim());
}

function oidcConfig(env: EnvironmentVariables): OidcConfig | null {
  // validateEnv guarantees these three come together.
  if (!env.OIDC_ISSUER_URL || !env.OIDC_CLIENT_ID || !env.OIDC_REDIRECT_URL) {
    return null;
  }
  return {
    issuer: new URL(env.OIDC_ISSUER_URL),
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    redirectUrl: new URL(env.OIDC_REDIRECT_URL),
    scopes: env.OIDC_SCOPES,
    roleClaim: env.OIDC_ROLE_CLAIM,
    adminGroups: parseList(env.OIDC_ADMIN_GROUPS),
    allowedGroups: parseList(env.OIDC_ALLOWED_GROUPS),
  };
}

function parseList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

export function loadAppConfig(env: EnvironmentVariables): AppConfig {
  const dataDir = resolve(env.DATA_DIR);
  const secretKey = env.SECRET_KEY ?? loadOrCreateSecretKey(env.NODE_ENV, dataDir);
  // A separate key for data at rest, so the JWT key can rotate without re-encrypting stored secrets.
  const encryptionKey = env.MFA_ENCRYPTION_KEY
    ? sha256(env.MFA_ENCRYPTION_KEY)
    : Buffer.from(hkdfSync('sha256', secretKey, 'ananta-hub', 'encryption-at-rest', 32));

  return Object.freeze({
    env: env.NODE_ENV,
    http: {
      port: env.PORT,
      host: env.HOST,
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      corsOrigins: parseList(env.CORS_ORIGINS),
      bodyLimitBytes: ONE_MIB,
      requestTimeoutSeconds: env.HTTP_REQUEST_TIMEOUT_SECONDS,
    },
    database: {
      url: env.DATABASE_URL,
      poolSize: env.DB_POOL_SIZE,
      migrationsRun: env.DB_MIGRATIONS_RUN,
      preparedStatements: env.DB_PREPARED_STATEMENTS,
    },
    dataDir,
    // A KeyObject is built once: jsonwebtoken then skips re-importing a string key on every verification.
    jwt: {
      key: createSecretKey(Buffer.from(secretKey, 'utf8')),
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTtlSeconds: env.AUTH_ACCESS_TOKEN_TTL_SECONDS,
    },
    agentToken: { value: env.AGENT_TOKEN, rotationGraceSeconds: env.AGENT_TOKEN_ROTATION_GRACE_SECONDS },
    encryptionKey,
    registrationToken: env.REGISTRATION_TOKEN,
    initialAdmin: { username: env.INITIAL_ADMIN_USERNAME, password: env.INITIAL_ADMIN_PASSWORD },
    auth: {
      refreshTtlSeconds: env.AUTH_REFRESH_TOKEN_TTL_SECONDS,
      rateLimit: {
        shortWindowSeconds: env.AUTH_RATE_LIMIT_WINDOW_SHORT_SECONDS,
        shortMax: env.AUTH_RATE_LIMIT_MAX_ATTEMPTS_SHORT,
        longWindowSeconds: env.AUTH_RATE_LIMIT_WINDOW_LONG_SECONDS,
        longMax: env.AUTH_RATE_LIMIT_MAX_ATTEMPTS_LONG,
      },
      ipBanSeconds: env.AUTH_IP_BAN_DURATION_SECONDS,
      lockout: { threshold: env.AUTH_USER_LOCKOUT_THRESHOLD, durationSeconds: env.AUTH_USER_LOCKOUT_DURATION_SECONDS },
      password: { minLength: env.AUTH_PASSWORD_MIN_LENGTH, historyLimit: env.AUTH_PASSWORD_HISTORY_LIMIT },
      mfaBackupCodeCount: env.AUTH_MFA_BACKUP_CODE_COUNT,
      argon2: {
        memoryCost: env.ARGON2_MEMORY_KIB,
        timeCost: env.ARGON2_TIME_COST,
        parallelism: env.ARGON2_PARALLELISM,
      },
      localLogin: env.LOCAL_LOGIN,
    },
    oidc: oidcConfig(env),
    agents: { offlineTimeoutSeconds: env.AGENT_OFFLINE_TIMEOUT_SECONDS },
    tasks: { retentionDays: env.TASKS_RETENTION_DAYS, archivedRetentionDays: env.ARCHIVED_TASKS_RETENTION_DAYS },
    callbacks: {
      allowPrivateNetworks: env.CALLBACK_ALLOW_PRIVATE_NETWORKS,
      timeoutSeconds: env.CALLBACK_TIMEOUT_SECONDS,
      maxAttempts: env.CALLBACK_MAX_ATTEMPTS,
    },
    stats: { snapshotIntervalSeconds: env.STATS_SNAPSHOT_INTERVAL_SECONDS, retentionDays: env.STATS_RETENTION_DAYS },
    audit: { retentionDays: env.AUDIT_RETENTION_DAYS },
    events: { retentionHours: env.EVENTS_RETENTION_HOURS },
    scheduler: { enabled: env.SCHEDULER_ENABLED },
    metricsToken: env.METRICS_TOKEN,
    logLevel: env.LOG_LEVEL,
  });
}
