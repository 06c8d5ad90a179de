import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') {
    return value;
  }
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) {
    return true;
  }
  if (['false', '0', 'no', 'off'].includes(normalized)) {
    return false;
  }
  return value;
};

const Seconds = (min = 1, max = 10 * 365 * 24 * 3600) =>
  function (target: object, property: string): void {
    Type(() => Number)(target, property);
    IsInt()(target, property);
    Min(min)(target, property);
    Max(max)(target, property);
  };

/**
 * Every environment variable of SPEC section 11, with its default. Validated once at start by
 * `validateEnv`; nothing else in the code base reads `process.env`.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT = 3000;
  @IsString() HOST = '0.0.0.0';
  @Type(() => Number) @IsInt() @Min(1) @Max(3600) HTTP_REQUEST_TIMEOUT_SECONDS = 30;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsString() @MinLength(1) DATA_DIR = './data';
  @Transform(toBoolean) @IsBoolean() DB_MIGRATIONS_RUN = true;
  @Type(() => Number) @IsInt() @Min(1) @Max(200) DB_POOL_SIZE = 10;
  @Transform(toBoolean) @IsBoolean() DB_PREPARED_STATEMENTS = true;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'SECRET_KEY must be at least 32 characters' })
  SECRET_KEY?: string;

  @IsString() @MinLength(1) JWT_ISSUER = 'ananta-hub';
  @IsString() @MinLength(1) JWT_AUDIENCE = 'ananta-hub';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'AGENT_TOKEN must be at least 32 characters' })
  AGENT_TOKEN?: string;

  @Seconds(0) AGENT_TOKEN_ROTATION_GRACE_SECONDS = 300;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'MFA_ENCRYPTION_KEY must be at least 32 characters' })
  MFA_ENCRYPTION_KEY?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'REGISTRATION_TOKEN must be at least 16 characters' })
  REGISTRATION_TOKEN?: string;

  @Matches(/^[a-zA-Z0-9._-]{3,64}$/, { message: 'INITIAL_ADMIN_USERNAME must be 3-64 characters of [a-zA-Z0-9._-]' })
  INITIAL_ADMIN_USERNAME = 'admin';

  @IsOptional() @IsString() INITIAL_ADMIN_PASSWORD?: string;

  @Seconds(30, 24 * 3600) AUTH_ACCESS_TOKEN_TTL_SECONDS = 900;
  @Seconds(60) AUTH_REFRESH_TOKEN_TTL_SECONDS = 604800;
  @Seconds() AUTH_RATE_LIMIT_WINDOW_SHORT_SECONDS = 60;
  @Type(() => Number) @IsInt() @Min(1) AUTH_RATE_LIMIT_MAX_ATTEMPTS_SHORT = 10;
  @Seconds() AUTH_RATE_LIMIT_WINDOW_LONG_SECONDS = 3600;
  @Type(() => Number) @IsInt() @Min(1) AUTH_RATE_LIMIT_MAX_ATTEMPTS_LONG = 50;
  @Seconds() AUTH_IP_BAN_DURATION_SECONDS = 86400;
  @Type(() => Number) @IsInt() @Min(1) AUTH_USER_LOCKOUT_THRESHOLD = 5;
  @Seconds() AUTH_USER_LOCKOUT_DURATION_SECONDS = 900;
  @Type(() => Number) @IsInt() @Min(8) @Max(128) AUTH_PASSWORD_MIN_LENGTH = 12;
  @Type(() => Number) @IsInt() @Min(0) @Max(24) AUTH_PASSWORD_HISTORY_LIMIT = 3;
  @Type(() => Number) @IsInt() @Min(1) @Max(50) AUTH_MFA_BACKUP_CODE_COUNT = 10;

  @Type(() => Number) @IsInt() @Min(1024) @Max(4 * 1024 * 1024) ARGON2_MEMORY_KIB = 19456;
  @Type(() => Number) @IsInt() @Min(1) @Max(20) ARGON2_TIME_COST = 2;
  @Type(() => Number) @IsInt() @Min(1) @Max(16) ARGON2_PARALLELISM = 1;

  @Matches(/^(true|false|\d+|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, {
    message: 'TRUST_PROXY must be true, false, a hop count or a comma-separated list of addresses/CIDRs',
  })
  TRUST_PROXY = 'false';

  @IsString() CORS_ORIGINS = '';

  @Seconds() AGENT_OFFLINE_TIMEOUT_SECONDS = 300;
  @Type(() => Number) @IsInt() @Min(1) @Max(36500) TASKS_RETENTION_DAYS = 30;
  @Type(() => Number) @IsInt() @Min(1) @Max(36500) ARCHIVED_TASKS_RETENTION_DAYS = 90;
  @Transform(toBoolean) @IsBoolean() CALLBACK_ALLOW_PRIVATE_NETWORKS = false;
  @Seconds(1, 300) CALLBACK_TIMEOUT_SECONDS = 10;
  @Type(() => Number) @IsInt() @Min(1) @Max(50) CALLBACK_MAX_ATTEMPTS = 8;
  @Seconds(5) STATS_SNAPSHOT_INTERVAL_SECONDS = 60;
  @Type(() => Number) @IsInt() @Min(1) @Max(3650) STATS_RETENTION_DAYS = 7;
  @Type(() => Number) @IsInt() @Min(1) @Max(36500) AUDIT_RETENTION_DAYS = 365;
  /** How long `GET /api/events` can resume from (`Last-Event-ID`). */
  @Type(() => Number) @IsInt() @Min(1) @Max(720) EVENTS_RETENTION_HOURS = 24;
  @Transform(toBoolean) @IsBoolean() SCHEDULER_ENABLED = true;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';

  /** OpenID Connect single sign-on; off unless the issuer, client id and redirect URL are all set. */
  @IsOptional()
  @Matches(/^(https:\/\/\S+|http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/\S*)?)$/, {
    message: 'OIDC_ISSUER_URL must be an https:// URL (http:// only on localhost, 127.0.0.1 or [::1])',
  })
  OIDC_ISSUER_URL?: string;

  @IsOptional() @IsString() @MaxLength(255) OIDC_CLIENT_ID?: string;
  @IsOptional() @IsString() OIDC_CLIENT_SECRET?: string;

  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'OIDC_REDIRECT_URL must be an http:// or https:// URL' })
  OIDC_REDIRECT_URL?: string;

  @Matches(/^(\S+ )*openid( \S+)*$/, { message: 'OIDC_SCOPES must be space-separated and include openid' })
  OIDC_SCOPES = 'openid profile email';

  @Matches(/^[^\s,]+$/, { message: 'OIDC_ROLE_CLAIM must be one claim name' })
  OIDC_ROLE_CLAIM = 'groups';

  @IsString() OIDC_ADMIN_GROUPS = '';
  @IsString() OIDC_ALLOWED_GROUPS = '';

  /** `admins_only` keeps password login for administrators (break-glass) once people sign in through OIDC. */
  @IsIn(['all', 'admins_only']) LOCAL_LOGIN: 'all' | 'admins_only' = 'all';
}

const OIDC_REQUIRED_TOGETHER = ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_REDIRECT_URL'] as const;

/** One half-configured OIDC would silently leave single sign-on off: name the missing variables instead. */
function oidcProblems(env: EnvironmentVariables, invalid: ReadonlySet<string>): string[] {
  const unparsable = (['OIDC_ISSUER_URL', 'OIDC_REDIRECT_URL'] as const)
    .filter((name) => env[name] !== undefined && !invalid.has(name) && !URL.canParse(env[name]))
    .map((name) => `${name}: not a valid URL`);
  if (unparsable.length > 0) {
    return unparsable;
  }
  const set = OIDC_REQUIRED_TOGETHER.filter((name) => env[name] !== undefined);
  if (set.length === 0 || set.length === OIDC_REQUIRED_TOGETHER.length) {
    return [];
  }
  return OIDC_REQUIRED_TOGETHER.filter((name) => env[name] === undefined).map(
    (name) => `${name}: required when ${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set`,
  );
}

/** Thrown when the environment is invalid; its message names every offending variable. */
export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment: ${problems.join('; ')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

const describe = (error: ValidationError): string =>
  `${error.property}: ${Object.values(error.constraints ?? {}).join(', ')}`;

const knownVariables = new Set(Object.keys(new EnvironmentVariables()));

export function validateEnv(raw: Record<string, string | undefined>): EnvironmentVariables {
  // Only our own variables are validated (the rest of the environment is none of our business), and an
  // empty value means "unset": `PORT=` in a .env file gives the default, not port 0.
  const own = Object.fromEntries(
    Object.entries(raw).filter(([key, value]) => knownVariables.has(key) && value !== undefined && value.trim() !== ''),
  );
  const env = plainToInstance(EnvironmentVariables, own, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: true });
  const invalid = new Set(errors.map((error) => error.property));
  const problems = [...errors.map(describe), ...oidcProblems(env, invalid)];
  if (problems.length > 0) {
    throw new InvalidEnvironmentError(problems);
  }
  return env;
}
