import type { AppConfig } from '../config/app-config.js';

const DEFAULT_PORT = '5432';

/**
 * Which database the hub uses, for the start-up line: `PostgreSQL at host:port/database` or the embedded
 * data directory. Built from the parts only, so a user name or password in DATABASE_URL never reaches a log.
 */
export function databaseLabel(config: Pick<AppConfig, 'database' | 'dataDir'>): string {
  if (!config.database.url) {
    return `the embedded PostgreSQL (PGlite) in ${config.dataDir}`;
  }
  let url: URL;
  try {
    // Credentials go first, up to the last @ before the query: the WHATWG parser refuses `user:password@`
    // before an empty host (a socket URL), and a password with an unencoded @ or / must not leak in part.
    url = new URL(config.database.url.replace(/^([a-z]+:\/\/)[^?#]*@/i, '$1'));
  } catch {
    return 'PostgreSQL (DATABASE_URL is not a parseable URL)';
  }
  // libpq spellings: the host may come as ?host=/run/postgresql (a socket directory) and the database may be
  // left out (then it is named like the user).
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
  return `PostgreSQL at ${host}:${url.port || DEFAULT_PORT}/${database}`;
}
